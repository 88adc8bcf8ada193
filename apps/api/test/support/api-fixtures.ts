// Rows the analysis pipeline writes (verdicts, stems), inserted directly for API tests that are
// about reading, filtering and deciding on them rather than about producing them.
import { createHash, randomUUID } from 'node:crypto';
import type { PrismaClient, Routing, VerdictKind } from '../../src/generated/prisma/client';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface VerdictFixture {
  verdict?: VerdictKind;
  confidence?: number;
  routing?: Routing;
  musicIdentified?: boolean;
  createdAt?: Date;
  originalWorkId?: string | null;
}

/** An upload (without a stored file) and its verdict. */
export async function insertVerdict(prisma: PrismaClient, tenantId: string, f: VerdictFixture = {}) {
  const sha256 = createHash('sha256').update(randomUUID()).digest('hex');
  const upload = await prisma.upload.create({
    data: {
      tenantId,
      originalFileName: 'clip.mp4',
      sha256,
      sizeBytes: 1000n,
      storageKey: sha256,
      durationSeconds: 10,
      createdAt: f.createdAt,
    },
  });
  const verdict = await prisma.verdict.create({
    data: {
      uploadId: upload.id,
      verdict: f.verdict ?? 'uncertain',
      confidence: f.confidence ?? 0.5,
      routing: f.routing ?? 'review',
      musicIdentified: f.musicIdentified ?? false,
      originalWorkId: f.originalWorkId ?? null,
      evidence: { matches: [] },
      modelVersions: { test: 'fixture' },
      configVersion: 'test',
      createdAt: f.createdAt,
    },
  });
  return { upload, verdict };
}

export function wsClient(httpUrl: string, token: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

/** Collects a subscription's results until it completes, errors or `until` says stop. */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  until: (items: T[]) => boolean = () => false,
): { items: T[]; errors: unknown[]; done: Promise<void> } {
  const items: T[] = [];
  const errors: unknown[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) errors.push(...r.errors);
          if (r.data) items.push(r.data as T);
          if (until(items)) {
            stop();
            resolve();
          }
        },
        error: (e) => {
          errors.push(e);
          resolve();
        },
        complete: resolve,
      },
    );
  });
  return { items, errors, done };
}
