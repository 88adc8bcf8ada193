// Applies pending migrations from prisma/migrations with Prisma's own schema engine (the same
// `_prisma_migrations` bookkeeping as `prisma migrate deploy`), in-process, no CLI needed.
import path from 'node:path';
import { DbError } from './errors';
import { emptyFilter, openSchemaEngine, readMigrations } from './schema-engine';

export const migrationsDir = path.resolve(import.meta.dirname, '../../../../prisma/migrations');

/** Returns the names of the migrations it applied. */
export async function applyMigrations(url: string): Promise<string[]> {
  const { engine, close } = await openSchemaEngine({ url });
  try {
    const migrationsList = await readMigrations(migrationsDir);
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: emptyFilter });
    return appliedMigrationNames;
  } catch (err) {
    throw new DbError('DB_MIGRATION_FAILED', `applying migrations failed: ${errorText(err)}`);
  } finally {
    await close();
  }
}

// The engine rejects with a JSON string ({ message, error_code, ... }) or an Error.
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  try {
    const parsed = JSON.parse(text) as { message?: string };
    return parsed.message ?? text;
  } catch {
    return text;
  }
}
