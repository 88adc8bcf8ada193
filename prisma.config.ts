// Prisma CLI configuration. The schema engine is the WebAssembly build behind a small stdio shim
// (prisma/schema-engine.mjs), so no native engine is downloaded: works offline and online alike.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, 'prisma/schema-engine.mjs');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    // `prisma generate` needs no database; every other command reads DATABASE_URL.
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/undub',
  },
});
