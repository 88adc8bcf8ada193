// Who is calling: resolved once per request from an API key or a session, then passed to every
// service function, which scopes its reads and writes to `tenantId` and checks the role.
import type { Role } from '../generated/prisma/enums';
import { ServiceError } from './errors';

export interface Caller {
  tenantId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  /** What the audit log records as the actor: `user:<id>` or `apikey:<id>`. */
  actor: string;
  /** Rate-limit bucket: one per key or session. */
  rateKey: string;
}

/** Throws FORBIDDEN unless the caller has one of the roles. */
export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (!roles.includes(caller.role))
    throw new ServiceError(
      'FORBIDDEN',
      `this needs the role ${roles.join(' or ')} (caller is ${caller.role})`,
    );
}

export const STAFF: Role[] = ['admin', 'moderator'];
