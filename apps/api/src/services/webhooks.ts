// Optional webhook: each verdict is POSTed as JSON to UNDUB_WEBHOOK_URL, signed so the receiver can
// trust it: `X-Undub-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with
// UNDUB_WEBHOOK_SECRET, `X-Undub-Timestamp: <unix seconds>` (reject old timestamps against replay).
// Delivered by the API process on the verdict notification, retried a few times with backoff.
import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { ChangeFeed } from './change-feed';

const ATTEMPTS = 4;
const FIRST_DELAY_MS = 1000;
const TIMEOUT_MS = 10_000;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

async function deliver(url: string, secret: string, body: string, log: (m: string) => void): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-undub-timestamp': timestamp,
          'x-undub-signature': webhookSignature(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.ok) return;
      log(`webhook: ${url} answered ${res.status} (attempt ${attempt})`);
    } catch (err) {
      log(`webhook: ${url} failed: ${(err as Error).message} (attempt ${attempt})`);
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, FIRST_DELAY_MS * 4 ** (attempt - 1)));
  }
}

/** Starts delivering verdict webhooks when configured; returns the stop function. */
export function startVerdictWebhooks(
  prisma: PrismaClient,
  feed: ChangeFeed,
  config: Pick<Config, 'webhookUrl' | 'webhookSecret'>,
  log: (message: string) => void = (m) => process.stderr.write(m + '\n'),
): () => void {
  const { webhookUrl: url, webhookSecret: secret } = config;
  if (!url || !secret) return () => {};
  return feed.on('undub_verdict', ({ id }) => {
    void (async () => {
      const v = await prisma.verdict.findUnique({ where: { id }, include: { upload: true } });
      if (!v) return;
      const body = JSON.stringify({
        event: 'verdict.ready',
        tenantId: v.upload.tenantId,
        verdict: {
          id: v.id,
          uploadId: v.uploadId,
          externalReference: v.upload.externalReference,
          verdict: v.verdict,
          confidence: v.confidence,
          routing: v.routing,
          originalWorkId: v.originalWorkId,
          musicIdentified: v.musicIdentified,
          createdAt: v.createdAt.toISOString(),
        },
      });
      await deliver(url, secret, body, log);
    })().catch((err: Error) => log(`webhook: ${err.message}`));
  });
}
