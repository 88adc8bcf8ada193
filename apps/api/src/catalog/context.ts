// What catalog operations need besides the database: media storage, limits, the acting tenant.
import { loadConfig } from '../config';
import type { Database } from '../db';
import { createStorage, type MediaStorage } from '../storage';
import { ensureDefaultTenant } from './tenant';

export interface CatalogOptions {
  storage?: MediaStorage;
  maxDurationSeconds?: number;
  /** Acting tenant (default: the default tenant, created when missing). */
  tenantId?: string;
}

export interface CatalogContext {
  storage: MediaStorage;
  maxDurationSeconds: number;
  tenantId: string;
}

export async function catalogContext(db: Database, opts: CatalogOptions = {}): Promise<CatalogContext> {
  const config = opts.storage && opts.maxDurationSeconds !== undefined ? undefined : loadConfig();
  return {
    storage: opts.storage ?? createStorage(config!),
    maxDurationSeconds: opts.maxDurationSeconds ?? config!.maxDurationSeconds,
    tenantId: opts.tenantId ?? (await ensureDefaultTenant(db)),
  };
}
