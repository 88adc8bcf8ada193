// Secrets at rest: API keys and session tokens are random and long, so a plain SHA-256 identifies
// them without being reversible; passwords are short and guessable, so they get salted scrypt.
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const API_KEY_PREFIX = 'undub_';
export const SESSION_PREFIX = 'undubs_';

export function newApiKey(): { secret: string; prefix: string; secretHash: string } {
  const secret = API_KEY_PREFIX + randomBytes(24).toString('base64url');
  return { secret, prefix: secret.slice(0, API_KEY_PREFIX.length + 6), secretHash: tokenHash(secret) };
}

export function newSessionToken(): { token: string; tokenHash: string } {
  const token = SESSION_PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url), so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const key = await scryptAsync(password, salt, keylen, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Same work as a real check, so timing does not tell which emails exist.
    await hashPassword(password);
    return false;
  }
  const [, N, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected);
}
