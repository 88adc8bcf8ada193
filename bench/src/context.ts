// What the runner hands each suite, and what a suite hands back (see bench/README.md).
import type { Manifest } from './manifest';

export interface BenchContext {
  manifest: Manifest;
  repoRoot: string;
  dataDir: string;
  outDir: string;
  tmpDir: string;
  resolve(rel: string): string;
  /**
   * Lazily opens the service database (apps/api openDatabase; use `ctx.db<Database>()`), one per run,
   * closed by the runner; suites that never call it never touch Postgres.
   */
  db<T = unknown>(): Promise<T>;
  log(message: string): void;
  options: Record<string, string>;
}

export interface SuiteResult {
  name: string;
  figures: Record<string, unknown>;
  table: string;
  plots?: string[];
  notes?: string[];
}

export type Suite = (ctx: BenchContext) => Promise<SuiteResult>;
