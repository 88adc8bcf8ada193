// Puts the benchmark's catalog (music tracks and original works marked inCatalog) into the service
// database, once: items already there are skipped, so suites can all call it.
import { addMusic, addOriginal, listCatalog } from '../../apps/api/src/catalog';
import type { Database } from '../../apps/api/src/db';
import type { BenchContext } from './context';

export async function ensureBenchCatalog(ctx: BenchContext): Promise<Database> {
  const db = (await ctx.db()) as Database;
  const have = new Set((await listCatalog(db)).map((i) => i.externalId));
  const music = ctx.manifest.music.filter((m) => m.inCatalog && !have.has(m.id));
  const originals = ctx.manifest.originals.filter((o) => o.inCatalog && !have.has(o.id));
  let done = 0;
  for (const m of music) {
    await addMusic(db, ctx.resolve(m.file), { externalId: m.id, title: m.id });
    if (++done % 10 === 0) ctx.log(`catalog: ${done}/${music.length + originals.length}`);
  }
  for (const o of originals) {
    await addOriginal(db, ctx.resolve(o.video), { externalId: o.id, title: o.title });
    if (++done % 10 === 0) ctx.log(`catalog: ${done}/${music.length + originals.length}`);
  }
  return db;
}
