// `npm run bench [-- --suite NAME ...] [--opt key=value ...]`: runs benchmark suites in order and writes one
// combined report, docs/benchmarks/latest.json and latest.md (see bench/README.md).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, Suite, SuiteResult } from './context';
import { loadManifest } from './manifest';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
// npm runs workspace scripts inside the workspace; relative paths mean the caller's directory.
const invocationDir = process.env.INIT_CWD ?? process.cwd();
const suitesDir = join(repoRoot, 'bench/src/suites');
const ORDER = ['dataset', 'identification', 'separation', 'removal', 'verdict', 'pipeline'];

interface Args {
  suites: string[];
  options: Record<string, string>;
  dataDir: string;
  outDir: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    suites: [],
    options: {},
    dataDir: join(repoRoot, '.bench/dev'),
    outDir: join(repoRoot, 'docs/benchmarks'),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    const need = () => {
      if (value === undefined) throw new Error(`BENCH_USAGE: ${argv[i]} needs a value`);
      i++;
      return value;
    };
    switch (argv[i]) {
      case '--suite':
        args.suites.push(...need().split(','));
        break;
      case '--opt': {
        const [k, ...v] = need().split('=');
        args.options[k] = v.join('=');
        break;
      }
      case '--data':
        args.dataDir = resolve(invocationDir, need());
        break;
      case '--out':
        args.outDir = resolve(invocationDir, need());
        break;
      default:
        throw new Error(
          `BENCH_USAGE: unknown argument ${argv[i]}; usage: npm run bench -- [--suite NAME]... [--opt key=value]... [--data DIR] [--out DIR]`,
        );
    }
  }
  return args;
}

async function availableSuites(): Promise<string[]> {
  const names = (await readdir(suitesDir)).filter((f) => f.endsWith('.ts')).map((f) => basename(f, '.ts'));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ffmpeg: sh('ffmpeg', ['-version']).split('\n')[0].split(' Copyright')[0],
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/**
 * Opens the service database on first use, through the API's own loadConfig + openDatabase, on a database
 * of its own: BENCH_DATABASE_URL, else `undub_bench` on the local server (created when missing).
 */
function lazyDb(log: (m: string) => void): { get: () => Promise<unknown>; close: () => Promise<void> } {
  let db: Promise<unknown> | undefined;
  return {
    get() {
      db ??= (async () => {
        const api = join(repoRoot, 'apps/api/src');
        if (!existsSync(join(api, 'db/index.ts')))
          throw new Error('BENCH_NO_DB: apps/api/src/db is not there yet');
        const { openDatabase } = (await import(pathToFileURL(join(api, 'db/index.ts')).href)) as {
          openDatabase: (config: unknown) => Promise<unknown>;
        };
        const { loadConfig } = (await import(pathToFileURL(join(api, 'config.ts')).href)) as {
          loadConfig: (env: NodeJS.ProcessEnv) => unknown;
        };
        const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/undub_bench';
        log(`opening the database ${url.replace(/:[^:@/]*@/, ':***@')}`);
        return openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }));
      })();
      return db;
    },
    async close() {
      if (!db) return;
      const handle = (await db.catch(() => undefined)) as Record<string, unknown> | undefined;
      for (const m of ['close', '$disconnect', 'disconnect', 'end']) {
        if (handle && typeof handle[m] === 'function') {
          await (handle[m] as () => Promise<void>).call(handle);
          return;
        }
      }
    },
  };
}

interface SuiteReport {
  figures: Record<string, unknown>;
  table: string;
  plots: string[];
  notes: string[];
  seconds: number;
  error?: string;
}

function markdown(report: {
  command: string;
  date: string;
  machine: ReturnType<typeof machine>;
  git: string;
  suites: Record<string, SuiteReport>;
  /** Suites still to run: the report is rewritten after each suite, so an interrupted run keeps what it measured. */
  pending: string[];
}): string {
  const m = report.machine;
  let md = `# undub development benchmark\n\n`;
  md += `Generated by \`${report.command}\` on ${report.date} at commit \`${report.git}\`.\n`;
  md += `Every figure below comes from this run. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, ${m.ffmpeg}; load average at start ${m.loadAverage.join(' / ')}.\n\n`;
  md += '| suite | status | seconds |\n|---|---|---|\n';
  for (const [name, s] of Object.entries(report.suites))
    md += `| ${name} | ${s.error ? 'FAILED' : 'ok'} | ${s.seconds.toFixed(1)} |\n`;
  for (const name of report.pending) md += `| ${name} | not run yet | |\n`;
  for (const [name, s] of Object.entries(report.suites)) {
    md += `\n## ${name}\n\n`;
    if (s.error) md += `**Failed:** \`${s.error.split('\n')[0]}\`\n\n`;
    if (s.table) md += `${s.table.trim()}\n\n`;
    for (const n of s.notes) md += `- ${n}\n`;
    for (const p of s.plots) md += `\n![${name}](${p})\n`;
  }
  return md;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const available = await availableSuites();
  const unknown = args.suites.filter((s) => !available.includes(s));
  if (unknown.length)
    throw new Error(`BENCH_NO_SUITE: ${unknown.join(', ')}; available: ${available.join(', ')}`);
  const suites = args.suites.length ? args.suites : available;
  const manifest = await loadManifest(join(args.dataDir, 'manifest.json'));
  await mkdir(args.outDir, { recursive: true });
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const date = new Date().toISOString();
  const facts = machine();
  const git = `${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`;
  const db = lazyDb((m) => process.stderr.write(`[bench] ${m}\n`));
  const reports: Record<string, SuiteReport> = {};
  const write = async (pending: string[]) => {
    const report = { command, date, machine: facts, git, suites: reports, pending };
    await writeFile(join(args.outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(args.outDir, 'latest.md'), markdown(report));
  };
  try {
    for (const [i, name] of suites.entries()) {
      const log = (message: string) => process.stderr.write(`[${name}] ${message}\n`);
      const tmpDir = await mkdtemp(join(os.tmpdir(), `undub-bench-${name}-`));
      const ctx: BenchContext = {
        manifest,
        repoRoot,
        dataDir: args.dataDir,
        outDir: args.outDir,
        tmpDir,
        resolve: (rel) => resolve(args.dataDir, rel),
        db: db.get as BenchContext['db'],
        log,
        options: args.options,
      };
      const t0 = performance.now();
      log('start');
      try {
        const mod = (await import(pathToFileURL(join(suitesDir, `${name}.ts`)).href)) as { run?: Suite };
        if (typeof mod.run !== 'function') throw new Error(`BENCH_BAD_SUITE: ${name}.ts exports no run(ctx)`);
        const r: SuiteResult = await mod.run(ctx);
        reports[name] = {
          figures: r.figures,
          table: r.table,
          plots: (r.plots ?? []).map((p) => relative(args.outDir, resolve(args.outDir, p))),
          notes: r.notes ?? [],
          seconds: (performance.now() - t0) / 1000,
        };
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`FAILED: ${error}`);
        reports[name] = {
          figures: {},
          table: '',
          plots: [],
          notes: [],
          seconds: (performance.now() - t0) / 1000,
          error,
        };
      } finally {
        await rm(tmpDir, { recursive: true, force: true });
      }
      log(`done in ${reports[name].seconds.toFixed(1)} s (suite ${i + 1} of ${suites.length})`);
      await write(suites.slice(i + 1));
    }
  } finally {
    await db.close();
  }
  process.stderr.write(
    `[bench] wrote ${relative(repoRoot, join(args.outDir, 'latest.md'))} and latest.json\n`,
  );
  if (Object.values(reports).some((r) => r.error)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
