// Signed media URLs, webhook signatures and the rate limiter's arithmetic, with a controlled clock.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaUrlSigner } from '../src/services/media-urls';
import { RateLimiter } from '../src/services/rate-limit';
import { webhookSignature } from '../src/services/webhooks';
import { startTestApi, type TenantWorld, type TestApi } from './support/api';
import { insertVerdict } from './support/api-fixtures';

const KEY = 'a'.repeat(64);

describe('signed media URLs', () => {
  it('accept their own URL until it expires, and nothing altered', () => {
    let now = 1_700_000_000_000;
    const signer = new MediaUrlSigner('a-long-enough-secret', 60, () => now);
    const { path, expiresAt } = signer.sign(KEY, 'wav');
    expect(expiresAt.getTime()).toBe(now + 60_000);
    const u = new URL(path, 'http://x');
    const name = u.pathname.slice('/media/'.length);
    const [exp, sig] = [u.searchParams.get('exp')!, u.searchParams.get('sig')!];
    expect(signer.verify(name, exp, sig)).toEqual({ storageKey: KEY, ext: 'wav' });
    expect(signer.verify(`${KEY}.mp4`, exp, sig)).toBeNull();
    expect(signer.verify(name, String(Number(exp) + 1), sig)).toBeNull();
    expect(signer.verify(name, exp, sig.slice(1))).toBeNull();
    expect(new MediaUrlSigner('another-long-secret', 60, () => now).verify(name, exp, sig)).toBeNull();
    now += 61_000;
    expect(signer.verify(name, exp, sig)).toBeNull();
  });
});

describe('rate limiter', () => {
  it('allows the burst, then the sustained rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 5, () => now);
    const takes = Array.from({ length: 6 }, () => limiter.take('k'));
    expect(takes.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(takes[5]).toBeCloseTo(0.1);
    expect(limiter.take('other')).toBe(0);
    now += 100; // one token back
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('k')).toBeGreaterThan(0);
  });
});

describe('verdict webhooks', () => {
  let t: TestApi;
  let acme: TenantWorld;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      // The first delivery fails, to see it retried.
      res.statusCode = received.length === 1 ? 503 : 204;
      res.end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    t = await startTestApi({ webhookUrl: `http://127.0.0.1:${port}/hook`, webhookSecret: 'hook-secret' });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t?.close();
    receiver.close();
  });

  it('POSTs each verdict, signed with HMAC-SHA256, retrying failed deliveries', async () => {
    const { verdict, upload } = await insertVerdict(t.db.prisma, acme.tenantId, {
      verdict: 'reupload',
      confidence: 0.93,
    });
    const deadline = Date.now() + 10_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(2);
    const { headers, body } = received[1];
    const payload = JSON.parse(body);
    expect(payload).toMatchObject({
      event: 'verdict.ready',
      tenantId: acme.tenantId,
      verdict: { id: verdict.id, uploadId: upload.id, verdict: 'reupload', confidence: 0.93 },
    });
    expect(headers['x-undub-signature']).toBe(
      webhookSignature('hook-secret', String(headers['x-undub-timestamp']), body),
    );
    expect(headers['x-undub-signature']).not.toBe(
      webhookSignature('wrong-secret', String(headers['x-undub-timestamp']), body),
    );
  });
});
