// Short-lived signed media URLs: /media/<storageKey>.<ext>?exp=<unix seconds>&sig=<HMAC-SHA256>.
// Minted only by tenant-scoped reads (a caller gets URLs for its own tenant's media only); the
// media route checks the signature and expiry and needs no other credentials, so <audio>/<video>
// elements can use the URLs directly.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  webm: 'video/webm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
};

export function contentTypeOf(ext: string): string {
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** A file-name extension safe to put in a URL (`bin` when unknown). */
export function extensionOf(fileName: string): string {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : 'bin';
}

export class MediaUrlSigner {
  private readonly secret: Buffer;

  constructor(
    secret: string | undefined,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    // Without a configured secret, URLs are valid only for this process: fine for one API process.
    this.secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  private signature(name: string, exp: number): Buffer {
    return createHmac('sha256', this.secret).update(`${name}\n${exp}`).digest();
  }

  /** Path and query of a URL for `storageKey` served with the type of `ext`. */
  sign(storageKey: string, ext: string): { path: string; expiresAt: Date } {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const name = `${storageKey}.${ext}`;
    const sig = this.signature(name, exp).toString('base64url');
    return { path: `/media/${name}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000) };
  }

  /** The storage key and extension when the URL is authentic and unexpired, else null. */
  verify(
    name: string,
    exp: string | undefined,
    sig: string | undefined,
  ): { storageKey: string; ext: string } | null {
    const match = /^([0-9a-f]{64})\.([a-z0-9]{1,8})$/.exec(name);
    if (!match || !exp || !sig || !/^\d{1,12}$/.test(exp)) return null;
    if (Number(exp) * 1000 < this.now()) return null;
    const expected = this.signature(name, Number(exp));
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { storageKey: match[1], ext: match[2] };
  }
}
