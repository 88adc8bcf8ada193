// Databases that suites keep to themselves (grown catalogs, generated indexes): a named database on the
// server of the suite's own variable, else TEST_DATABASE_URL's, else the local one.
export function suiteDatabaseUrl(envName: string, database: string): string {
  const base = new URL(
    process.env[envName] ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  );
  base.pathname = `/${database}`;
  return base.toString();
}
