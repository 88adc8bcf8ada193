// `undub admin seed` (tenant + admin user + admin API key, for the first sign-in) and
// `undub admin create-key` (more keys for a tenant).
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { openDatabase } from '../db';
import { Role } from '../generated/prisma/enums';
import { createTenantKey, seedTenant } from '../services/seed';
import { CliError, printResult } from './output';

function parseRole(value: string): Role {
  if (!(value in Role))
    throw new CliError('CLI_USAGE', `role must be one of ${Object.keys(Role).join(', ')}`);
  return value as Role;
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('tenants, users and API keys');

  admin
    .command('seed')
    .description('create a tenant with an admin user (password sign-in) and print an admin API key')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--email <email>', "the admin's email (sign-in name)")
    .option('--password <password>', 'the admin password (default: $UNDUB_ADMIN_PASSWORD)')
    .option('--name <name>', "the admin's display name")
    .option('--role <role>', 'role of the user: admin, moderator or client', 'admin')
    .action(
      async (opts: { tenant: string; email: string; password?: string; name?: string; role: string }) => {
        const password = opts.password ?? process.env.UNDUB_ADMIN_PASSWORD;
        if (!password) throw new CliError('CLI_USAGE', 'give --password or set UNDUB_ADMIN_PASSWORD');
        const role = parseRole(opts.role);
        const result = await withDatabase((db) =>
          seedTenant(db.prisma, { tenant: opts.tenant, email: opts.email, password, name: opts.name, role }),
        );
        printResult(
          {
            tenantId: result.tenant.id,
            userId: result.user.id,
            email: result.user.email,
            role,
            apiKey: result.apiKey,
          },
          `tenant ${result.tenant.name}: ${role} ${result.user.email} can sign in; API key (shown once): ${result.apiKey}`,
        );
      },
    );

  admin
    .command('create-key')
    .description('create an API key for a tenant and print it (shown once)')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role>', 'admin, moderator or client', 'client')
    .option('--user <email>', 'the user the key acts for (needed to decide with it)')
    .action(async (opts: { tenant: string; name: string; role: string; user?: string }) => {
      const role = parseRole(opts.role);
      const apiKey = await withDatabase((db) =>
        createTenantKey(db.prisma, opts.tenant, { name: opts.name, role, userEmail: opts.user }),
      );
      printResult({ tenant: opts.tenant, role, apiKey }, apiKey);
    });
}
