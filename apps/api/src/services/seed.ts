// First-run setup: a tenant, its admin user (password login for the dashboard) and an admin API
// key; and extra keys for a tenant. Used by `undub admin seed` / `undub admin create-key` and tests.
import type { PrismaClient, Role, Tenant, User } from '../generated/prisma/client';
import { ServiceError } from './errors';
import { insertApiKey } from './auth';
import { hashPassword } from './secrets';

export interface SeedInput {
  tenant: string;
  email: string;
  password: string;
  name?: string;
  /** Role of the user (default admin). */
  role?: Role;
}

export interface SeedResult {
  tenant: Tenant;
  user: User;
  /** An API key with the user's role, bound to the user. */
  apiKey: string;
}

const MIN_PASSWORD = 8;

/** Creates the tenant and user when missing (an existing user gets the new password) and a new key. */
export async function seedTenant(prisma: PrismaClient, input: SeedInput): Promise<SeedResult> {
  if (input.password.length < MIN_PASSWORD)
    throw new ServiceError('BAD_USER_INPUT', `the password needs at least ${MIN_PASSWORD} characters`);
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new ServiceError('BAD_USER_INPUT', `${input.email} is not an email address`);
  const role = input.role ?? 'admin';
  const passwordHash = await hashPassword(input.password);
  const tenant = await prisma.tenant.upsert({
    where: { name: input.tenant },
    create: { name: input.tenant },
    update: {},
  });
  const existing = await prisma.user.findUnique({ where: { email } });
  if (existing && existing.tenantId !== tenant.id)
    throw new ServiceError('ALREADY_EXISTS', `${email} belongs to another tenant`);
  const user = existing
    ? await prisma.user.update({ where: { id: existing.id }, data: { passwordHash, role } })
    : await prisma.user.create({
        data: { tenantId: tenant.id, email, name: input.name ?? email.split('@')[0], role, passwordHash },
      });
  const { secret: apiKey } = await insertApiKey(prisma, tenant.id, {
    name: `${role} key of ${email}`,
    role,
    userId: user.id,
  });
  return { tenant, user, apiKey };
}

/** Creates a key for an existing tenant (by name); returns the secret. */
export async function createTenantKey(
  prisma: PrismaClient,
  tenantName: string,
  opts: { name: string; role: Role; userEmail?: string },
): Promise<string> {
  const tenant = await prisma.tenant.findUnique({ where: { name: tenantName } });
  if (!tenant) throw new ServiceError('NOT_FOUND', `no tenant ${tenantName}`);
  let userId: string | null = null;
  if (opts.userEmail) {
    const user = await prisma.user.findFirst({
      where: { email: opts.userEmail.toLowerCase(), tenantId: tenant.id },
    });
    if (!user) throw new ServiceError('NOT_FOUND', `no user ${opts.userEmail} in tenant ${tenantName}`);
    userId = user.id;
  }
  return (await insertApiKey(prisma, tenant.id, { name: opts.name, role: opts.role, userId })).secret;
}
