// A real API server for tests: its own test database, a temporary data directory, a free port,
// and a tenant world (admin, moderator, client) to call it with.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/db';
import type { Role } from '../../src/generated/prisma/client';
import { startApi, type ApiServer } from '../../src/http';
import { seedTenant, createTenantKey } from '../../src/services/seed';
import { createTestDatabase, type TestDatabase } from './database';

/** GraphQL response data as tests read it: shaped by each query, so untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Data = Record<string, any>;

export interface GqlResult<T = Data> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface TenantWorld {
  tenantId: string;
  adminUserId: string;
  moderatorUserId: string;
  /** Keys by role; admin and moderator keys are bound to their users. */
  keys: Record<Role, string>;
}

export interface TestApi {
  config: Config;
  db: Database;
  api: ApiServer;
  url: string;
  dataDir: string;
  gql(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult>;
  /** Creates a tenant with an admin, a moderator and a client key. */
  tenant(name: string): Promise<TenantWorld>;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Partial<Config> = {}): Promise<TestApi> {
  const testDb: TestDatabase = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'undub-api-'));
  const config: Config = {
    ...loadConfig({}),
    databaseUrl: testDb.url,
    dataDir,
    rateLimitPerSecond: 1000,
    rateLimitBurst: 1000,
    ...overrides,
  };
  const db = await openDatabase(config, { migrate: false });
  const api = await startApi(config, db, { port: 0, log: process.env.UNDUB_TEST_LOG ? undefined : () => {} });
  const gql: TestApi['gql'] = async (token, query, variables) => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GqlResult, 'status'>;
    return { status: res.status, data: body.data ?? null, errors: body.errors };
  };
  return {
    config,
    db,
    api,
    url: api.url,
    dataDir,
    gql,
    async tenant(name) {
      const admin = await seedTenant(db.prisma, {
        tenant: name,
        email: `admin@${name}.test`,
        password: 'admin-password',
      });
      const moderator = await seedTenant(db.prisma, {
        tenant: name,
        email: `mod@${name}.test`,
        password: 'moderator-password',
        role: 'moderator',
      });
      const client = await createTenantKey(db.prisma, name, { name: 'client', role: 'client' });
      return {
        tenantId: admin.tenant.id,
        adminUserId: admin.user.id,
        moderatorUserId: moderator.user.id,
        keys: { admin: admin.apiKey, moderator: moderator.apiKey, client },
      };
    },
    async close() {
      await api.close();
      await db.close();
      await testDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const run = promisify(execFile);

/** A small real video (test pattern + tone), made with ffmpeg. */
export async function makeVideo(file: string, seconds = 2, tone = 440): Promise<string> {
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=160x120:rate=10:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${tone}:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

/** A small real audio file (tone), made with ffmpeg. */
export async function makeAudio(file: string, seconds = 2, tone = 440): Promise<string> {
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${tone}:duration=${seconds}`,
    file,
  ]);
  return file;
}

/** Sends a GraphQL multipart request (one file as variable `fileVar`, or `input.file` when nested). */
export async function multipart(
  url: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown>,
  filePath: string,
  file: { bytes: Uint8Array; name: string },
): Promise<GqlResult> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify({ 0: [`variables.${filePath}`] }));
  form.append('0', new Blob([file.bytes]), file.name);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: form,
  });
  const text = await res.text();
  let body: Omit<GqlResult, 'status'>;
  try {
    body = JSON.parse(text) as Omit<GqlResult, 'status'>;
  } catch {
    throw new Error(`non-JSON answer ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, data: body.data ?? null, errors: body.errors };
}

export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
