#!/usr/bin/env node
// The `undub` command. TypeScript sources run directly through tsx (no build step).
import { register } from 'tsx/esm/api';
import { ensurePrismaClient } from '../../../prisma/generate-client.mjs';

ensurePrismaClient();
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
