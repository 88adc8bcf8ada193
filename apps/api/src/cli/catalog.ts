// `undub catalog add-music|add-original|list|remove`: the music and original-work catalogs.
import type { Command } from 'commander';
import { addMusic, addOriginal, listCatalog, removeCatalogItem } from '../catalog';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db';
import { printResult, progress } from './output';

export async function withCatalogDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('music and original works to match uploads against');

  catalog
    .command('add-music <file>')
    .description('fingerprint a music track and add it to the catalog')
    .requiredOption('--id <id>', 'catalog id of the track (your reference)')
    .requiredOption('--title <title>', 'title')
    .option('--artist <artist>', 'artist')
    .action(async (file: string, opts: { id: string; title: string; artist?: string }) => {
      progress(`fingerprinting ${file}`);
      const added = await withCatalogDatabase((db) =>
        addMusic(db, file, { externalId: opts.id, title: opts.title, artist: opts.artist }),
      );
      printResult(
        added,
        `added music ${added.externalId} (${added.durationSeconds.toFixed(1)} s, ${added.landmarks} landmarks)`,
      );
    });

  catalog
    .command('add-original <video>')
    .description("fingerprint an original work's soundtrack, hash its frames and add it to the catalog")
    .requiredOption('--id <id>', 'catalog id of the work')
    .requiredOption('--title <title>', 'title')
    .option('--owner <owner>', 'rights owner')
    .action(async (file: string, opts: { id: string; title: string; owner?: string }) => {
      progress(`fingerprinting and hashing ${file}`);
      const added = await withCatalogDatabase((db) =>
        addOriginal(db, file, { externalId: opts.id, title: opts.title, owner: opts.owner }),
      );
      printResult(
        added,
        `added original ${added.externalId} (${added.durationSeconds.toFixed(1)} s, ${added.landmarks} landmarks, ${added.videoFrames} frame hashes)`,
      );
    });

  catalog
    .command('list')
    .description('list catalog items')
    .action(async () => {
      const items = await withCatalogDatabase((db) => listCatalog(db));
      printResult(
        { items },
        items.length
          ? items
              .map(
                (i) =>
                  `${i.kind.padEnd(8)} ${i.externalId}\t${i.title}\t${i.durationSeconds?.toFixed(1) ?? '?'} s`,
              )
              .join('\n')
          : 'the catalog is empty',
      );
    });

  catalog
    .command('remove <id>')
    .description('remove a catalog item and its fingerprints')
    .action(async (id: string) => {
      const removed = await withCatalogDatabase((db) => removeCatalogItem(db, id));
      printResult({ removed }, `removed ${removed.kind} ${removed.externalId}`);
    });
}
