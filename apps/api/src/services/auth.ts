// Authentication (API keys, moderator sessions) and API key management. Keys and sessions are looked
// up in the database, or in the API process's CallerCache, which every revocation empties at once, so a
// revoked key or ended session is refused from the next request on.
import type { ApiKey, PrismaClient, Role, User } from '../generated/prisma/client';
import type { Caller } from './caller';
import { requireRole } from './caller';
import type { ServiceDeps } from './deps';
import { audit } from './transactions';
import { notFound, ServiceError } from './errors';
import {
  API_KEY_PREFIX,
  newApiKey,
  newSessionToken,
  SESSION_PREFIX,
  tokenHash,
  verifyPassword,
} from './secrets';

export async function authenticate(deps: ServiceDeps, token: string): Promise<Caller> {
  const hash = tokenHash(token);
  const known = deps.callers?.get(hash);
  if (known) return known;
  const stamp = deps.callers?.stamp() ?? 0;
  const { caller, expiresAt } = await lookUp(deps, token, hash);
  deps.callers?.set(hash, caller, stamp, expiresAt);
  return caller;
}

// Runs on every request the cache cannot answer, so in plain SQL (a Prisma lookup costs several
// times the CPU).
async function lookUp(
  deps: ServiceDeps,
  token: string,
  hash: string,
): Promise<{ caller: Caller; expiresAt?: Date }> {
  const { pool } = deps.db;
  if (token.startsWith(SESSION_PREFIX)) {
    const { rows } = await pool.query<{
      id: string;
      userId: string;
      tenantId: string;
      role: Role;
      expiresAt: Date;
      live: boolean;
    }>(
      `SELECT s.id, s."userId", u."tenantId", u.role::text AS role, s."expiresAt" AT TIME ZONE 'UTC' AS "expiresAt",
              (s."revokedAt" IS NULL AND s."expiresAt" > now() AT TIME ZONE 'UTC') AS live
       FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s."tokenHash" = $1`,
      [hash],
    );
    const session = rows[0];
    if (!session?.live) throw new ServiceError('UNAUTHENTICATED', 'the session has ended; sign in again');
    const caller: Caller = {
      tenantId: session.tenantId,
      role: session.role,
      userId: session.userId,
      apiKeyId: null,
      sessionId: session.id,
      actor: `user:${session.userId}`,
      rateKey: `session:${session.id}`,
    };
    return { caller, expiresAt: session.expiresAt };
  }
  if (token.startsWith(API_KEY_PREFIX)) {
    const { rows } = await pool.query<{
      id: string;
      tenantId: string;
      userId: string | null;
      role: Role;
      revoked: boolean;
      stale: boolean;
    }>(
      `SELECT id, "tenantId", "userId", role::text AS role, "revokedAt" IS NOT NULL AS revoked,
              ("lastUsedAt" IS NULL OR "lastUsedAt" < now() AT TIME ZONE 'UTC' - interval '1 minute') AS stale
       FROM "ApiKey" WHERE "secretHash" = $1`,
      [hash],
    );
    const key = rows[0];
    if (!key) throw new ServiceError('UNAUTHENTICATED', 'unknown API key');
    if (key.revoked) throw new ServiceError('UNAUTHENTICATED', 'this API key has been revoked');
    // lastUsedAt is informative: written at most once a minute per key, not on every request.
    if (key.stale)
      void pool
        .query(`UPDATE "ApiKey" SET "lastUsedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`, [key.id])
        .catch(() => {});
    return {
      caller: {
        tenantId: key.tenantId,
        role: key.role,
        userId: key.userId,
        apiKeyId: key.id,
        sessionId: null,
        actor: `apikey:${key.id}`,
        rateKey: `apikey:${key.id}`,
      },
    };
  }
  throw new ServiceError('UNAUTHENTICATED', 'the bearer token is neither an API key nor a session token');
}

export async function signIn(
  deps: ServiceDeps,
  email: string,
  password: string,
): Promise<{ token: string; expiresAt: Date; user: User }> {
  const user = await deps.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  // verifyPassword does the same work for an unknown email, so timing does not reveal accounts.
  const ok = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !ok) throw new ServiceError('INVALID_CREDENTIALS', 'wrong email or password');
  const { token, tokenHash: hash } = newSessionToken();
  const expiresAt = new Date(Date.now() + deps.config.sessionTtlHours * 3600_000);
  await deps.prisma.session.create({ data: { userId: user.id, tokenHash: hash, expiresAt } });
  return { token, expiresAt, user };
}

export async function signOut(deps: ServiceDeps, caller: Caller): Promise<boolean> {
  if (!caller.sessionId) return false;
  await deps.prisma.session.update({ where: { id: caller.sessionId }, data: { revokedAt: new Date() } });
  deps.callers?.clear();
  return true;
}

export async function createApiKey(
  deps: ServiceDeps,
  caller: Caller,
  name: string,
  role: Role,
): Promise<{ apiKey: ApiKey; secret: string }> {
  requireRole(caller, 'admin');
  if (!name.trim()) throw new ServiceError('BAD_USER_INPUT', 'an API key needs a name');
  // Staff keys act for the user who made them (decisions need a user); client keys for nobody.
  const userId = role === 'client' ? null : caller.userId;
  const created = await insertApiKey(deps.prisma, caller.tenantId, { name: name.trim(), role, userId });
  await audit(deps.prisma, {
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: 'apikey.created',
    subject: `apikey:${created.apiKey.id}`,
    payload: { name: created.apiKey.name, role, prefix: created.apiKey.prefix },
  });
  return created;
}

export async function insertApiKey(
  prisma: PrismaClient,
  tenantId: string,
  opts: { name: string; role: Role; userId: string | null },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const { secret, prefix, secretHash } = newApiKey();
  const apiKey = await prisma.apiKey.create({
    data: { tenantId, userId: opts.userId, name: opts.name, role: opts.role, prefix, secretHash },
  });
  return { apiKey, secret };
}

export async function revokeApiKey(deps: ServiceDeps, caller: Caller, id: string): Promise<ApiKey> {
  requireRole(caller, 'admin');
  const key = await deps.prisma.apiKey.findFirst({ where: { id, tenantId: caller.tenantId } });
  if (!key) throw notFound('API key', id);
  if (key.revokedAt) return key;
  const revoked = await deps.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  deps.callers?.clear();
  await audit(deps.prisma, {
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: 'apikey.revoked',
    subject: `apikey:${id}`,
    payload: { name: key.name, prefix: key.prefix },
  });
  return revoked;
}

export async function listApiKeys(
  deps: ServiceDeps,
  caller: Caller,
  includeRevoked: boolean,
): Promise<ApiKey[]> {
  requireRole(caller, 'admin');
  return deps.prisma.apiKey.findMany({
    where: { tenantId: caller.tenantId, ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { createdAt: 'desc' },
  });
}
