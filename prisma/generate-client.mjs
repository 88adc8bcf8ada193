#!/usr/bin/env node
// Generates the Prisma client (git-ignored, apps/api/src/generated/prisma) when it is missing or
// older than prisma/schema.prisma. Called by `npm install` (postinstall), `npm test` (pretest) and
// the `undub` binary, so a fresh clone works with any of them first.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'apps/api/src/generated/prisma');
const stampFile = path.join(outDir, '.schema-hash');

export function ensurePrismaClient() {
  const schema = readFileSync(path.join(root, 'prisma/schema.prisma'));
  const hash = createHash('sha256').update(schema).digest('hex');
  if (
    existsSync(path.join(outDir, 'client.ts')) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === hash
  )
    return;
  const cli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
  // stdout would pollute `undub --json`; the CLI's messages go to stderr.
  execFileSync(process.execPath, [cli, 'generate'], { cwd: root, stdio: ['ignore', 2, 2] });
  writeFileSync(stampFile, hash);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) ensurePrismaClient();
