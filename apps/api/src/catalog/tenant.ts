// The tenant that CLI catalog commands act for (the service passes the caller's tenant instead).
import type { Database } from '../db';

export const DEFAULT_TENANT = 'default';

export async function ensureDefaultTenant(db: Database): Promise<string> {
  const tenant = await db.prisma.tenant.upsert({
    where: { name: DEFAULT_TENANT },
    create: { name: DEFAULT_TENANT },
    update: {},
  });
  return tenant.id;
}
