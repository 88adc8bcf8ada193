// `npm run bench:build`: builds the development benchmark in .bench/dev (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Manifest, MusicExcerpt, MusicTrack, OriginalWork, Upload } from '../manifest';
import { assignCatalog, buildMusicTrack, musicId } from './music';
import { buildOriginal } from './originals';
import type { OstPools } from './ost';
import { makePlan } from './plan';
import { Rng } from './rng';
import { crossSplitVersions, listSources } from './sources';
import { buildUpload } from './uploads';

// Bump when a change to the builder must invalidate items built before it.
const BUILDER_VERSION = 2;

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
// npm runs workspace scripts inside the workspace; relative paths mean the caller's directory.
const invocationDir = process.env.INIT_CWD ?? process.cwd();

const DEFAULTS: BuildOptions = {
  seed: 1,
  originals: 60,
  catalogShare: 0.6,
  reuploadsPerRatio: 48,
  cleanPerTransform: 12,
  newWorks: 48,
  edgePerCase: 4,
  quietMusic: 24,
  excerpts: 500,
  uploadSeconds: 10,
};

const USAGE = `usage: npm run bench:build -- [--seed N] [--originals N] [--reuploads-per-ratio N] [--clean-per-transform N]
       [--new-works N] [--edge-per-case N] [--quiet-music N] [--excerpts N] [--upload-seconds S] [--catalog-share F]
       [--jobs N] [--out DIR] [--force]`;

function parseArgs(argv: string[]): { options: BuildOptions; jobs: number; out: string; force: boolean } {
  const options = { ...DEFAULTS };
  let jobs = 2;
  let out = join(repoRoot, '.bench/dev');
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') force = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('--')) {
      const value = argv[++i];
      const key = arg.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (value === undefined) throw new Error(`BENCH_USAGE: ${arg} needs a value\n${USAGE}`);
      if (key === 'jobs') jobs = Number(value);
      else if (key === 'out') out = resolve(invocationDir, value);
      else if (key in options) (options as unknown as Record<string, number>)[key] = Number(value);
      else throw new Error(`BENCH_USAGE: unknown option ${arg}\n${USAGE}`);
      if (key !== 'out' && !Number.isFinite(Number(value)))
        throw new Error(`BENCH_USAGE: ${arg} wants a number`);
    } else throw new Error(`BENCH_USAGE: unexpected argument ${arg}\n${USAGE}`);
  }
  return { options, jobs, out, force };
}

/** Runs `tasks` with at most `jobs` in flight, keeping result order. */
async function pool<T>(jobs: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

/**
 * Reuses an item whose sidecar records the same build key; otherwise builds it and writes the sidecar.
 * The key covers everything the item's files depend on, so dependants can put it in their own keys.
 */
async function cached<T>(
  sidecar: string,
  keyOf: unknown,
  force: boolean,
  build: () => Promise<T>,
): Promise<{ item: T; key: string }> {
  const key = createHash('sha1')
    .update(JSON.stringify({ v: BUILDER_VERSION, keyOf }))
    .digest('hex');
  if (!force && existsSync(sidecar)) {
    const saved = JSON.parse(await readFile(sidecar, 'utf8')) as { key: string; item: T };
    if (saved.key === key) return { item: saved.item, key };
  }
  const item = await build();
  await writeFile(sidecar, JSON.stringify({ key, item }));
  return { item, key };
}

function progress(label: string, total: number): () => void {
  let done = 0;
  const t0 = Date.now();
  return () => {
    done++;
    if (done === total || done % 20 === 0) {
      process.stderr.write(`  ${label}: ${done}/${total} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  };
}

function excerpts(options: BuildOptions, music: MusicTrack[]): MusicExcerpt[] {
  const pool = music.filter((m) => !m.inCatalog);
  const total = pool.reduce((a, m) => a + m.durationSeconds, 0);
  const duration = options.uploadSeconds;
  return Array.from({ length: options.excerpts }, (_, k) => {
    const rng = new Rng(options.seed, `excerpt:${k}`);
    let pick = rng.range(0, total);
    const track = pool.find((m) => (pick -= m.durationSeconds) < 0) ?? pool[pool.length - 1];
    const start = Number(rng.range(0, Math.max(0, track.durationSeconds - duration)).toFixed(3));
    return { id: `x-${String(k + 1).padStart(4, '0')}`, musicId: track.id, start, duration };
  });
}

/** Deletes files that belong to no item of this build (a previous build with other options). */
async function prune(dir: string, keep: Set<string>): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    const id = name.split('.')[0];
    if (!keep.has(id)) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { options, jobs, out, force } = parseArgs(process.argv.slice(2));
  const sourcesRoot = join(repoRoot, '.bench/sources/root');
  if (!existsSync(join(sourcesRoot, 'usr/share/games'))) {
    process.stderr.write('sources missing: running scripts/fetch-sources.sh\n');
    const r = spawnSync(
      'bash',
      [join(repoRoot, 'scripts/fetch-sources.sh'), join(repoRoot, '.bench/sources')],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('BENCH_SOURCES: scripts/fetch-sources.sh failed');
  }
  for (const d of ['music', 'originals', 'uploads']) await mkdir(join(out, d), { recursive: true });

  const sources = await listSources(sourcesRoot);
  const evalOnly = <T extends { split: string }>(xs: T[]) => xs.filter((x) => x.split === 'eval');
  const sameMusicElsewhere = crossSplitVersions(sources.music);
  const musicSources = evalOnly(sources.music).filter((m) => !sameMusicElsewhere.has(m.key));
  const catalog = assignCatalog(musicSources.map(musicId), options.seed, options.catalogShare);
  process.stderr.write(
    `music: ${musicSources.length} eval-split tracks (${sameMusicElsewhere.size} left out: another version is in train/validation)\n`,
  );
  const tick = progress('music', musicSources.length);
  const music = (
    await pool(
      jobs,
      musicSources.map((src) => async () => {
        const t = await buildMusicTrack(src, sourcesRoot, out, catalog.has(musicId(src)));
        tick();
        return t;
      }),
    )
  ).filter((m): m is MusicTrack => m !== undefined);

  const plan = makePlan(options, music);
  const ambient = evalOnly(sources.ambient);
  const ostPools: OstPools = {
    sourcesRoot,
    dataDir: out,
    speech: evalOnly(sources.speech),
    // Longer ambient files make the bed; short ones are occasional events, like the effects.
    beds: ambient.filter((a) => !/owl|chicken|cow|wolf|hawk|rooster/.test(a.key)),
    events: [
      ...evalOnly(sources.effects),
      ...ambient.filter((a) => /owl|chicken|cow|wolf|hawk|rooster/.test(a.key)),
    ],
    music: music.filter((m) => !m.inCatalog),
  };
  process.stderr.write(`originals: ${plan.originals.length}\n`);
  const tickO = progress('originals', plan.originals.length);
  const ostMusic = ostPools.music.map((m) => m.id);
  const builtOriginals = await pool(
    jobs,
    plan.originals.map((spec) => async () => {
      const built = await cached(
        join(out, 'originals', `${spec.id}.json`),
        { seed: options.seed, spec, ostMusic },
        force,
        () => buildOriginal(new Rng(options.seed, `original:${spec.id}`), spec, ostPools, out),
      );
      tickO();
      return built;
    }),
  );
  const originals: OriginalWork[] = builtOriginals.map((b) => b.item);
  const byOriginal = new Map(builtOriginals.map((b) => [b.item.id, b]));
  const byMusic = new Map(music.map((m) => [m.id, m]));

  process.stderr.write(`uploads: ${plan.uploads.length}\n`);
  const tickU = progress('uploads', plan.uploads.length);
  const uploads: Upload[] = await pool(
    jobs,
    plan.uploads.map((spec) => async () => {
      const original = byOriginal.get(spec.originalId)!;
      const track = spec.musicId ? byMusic.get(spec.musicId) : undefined;
      const key = { seed: options.seed, spec, original: original.key, music: track };
      const { item } = await cached(join(out, 'uploads', `${spec.id}.json`), key, force, () =>
        buildUpload(new Rng(options.seed, `upload:${spec.id}`), spec, original.item, track, out),
      );
      tickU();
      return item;
    }),
  );

  const manifest: Manifest = {
    version: 1,
    seed: options.seed,
    sampleRate: 48000,
    options,
    music,
    originals,
    uploads,
    musicExcerpts: excerpts(options, music),
  };
  const pruned =
    (await prune(join(out, 'originals'), new Set(originals.map((o) => o.id)))) +
    (await prune(join(out, 'uploads'), new Set(uploads.map((u) => u.id)))) +
    (await prune(join(out, 'music'), new Set(musicSources.map(musicId))));
  await writeFile(join(out, 'manifest.json.tmp'), JSON.stringify(manifest, null, 1));
  await rename(join(out, 'manifest.json.tmp'), join(out, 'manifest.json'));
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stderr.write(
    `wrote ${join(out, 'manifest.json')}: ${music.length} music tracks (${music.filter((m) => m.inCatalog).length} in catalog), ` +
      `${originals.length} originals, ${uploads.length} uploads, ${manifest.musicExcerpts.length} excerpts` +
      `${pruned ? `, pruned ${pruned} stale files` : ''} in ${seconds} s\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
