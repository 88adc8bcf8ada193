#!/usr/bin/env node
// Stand-in for Prisma's native schema-engine binary (named in PRISMA_SCHEMA_ENGINE_BINARY by
// prisma.config.ts): the same JSON-RPC over stdio, answered by the WebAssembly engine in
// apps/api/src/db/schema-engine.ts, so `prisma migrate ...` works without downloading anything.
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import { tsImport } from 'tsx/esm/api';

const { openSchemaEngine, createDatabase, dropDatabase, checkConnection } = await tsImport(
  '../apps/api/src/db/schema-engine.ts',
  import.meta.url,
);

function parseArgs(argv) {
  const datamodelPaths = [];
  let datasource = {};
  let cliCommand;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--datamodels') datamodelPaths.push(argv[++i]);
    else if (argv[i] === '--datasource') datasource = JSON.parse(argv[++i]);
    else if (argv[i] === 'cli') cliCommand = argv[++i];
    else i++; // --enabled-preview-features, --extension-types: nothing to do for PostgreSQL
  }
  return { datamodelPaths, datasource, cliCommand };
}

const { datamodelPaths, datasource, cliCommand } = parseArgs(process.argv.slice(2));
const url = datasource.url ?? 'postgresql://localhost/postgres';
const datamodels = await Promise.all(datamodelPaths.map(async (p) => [p, await readFile(p, 'utf8')]));

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const log = (level, message) =>
  process.stderr.write(JSON.stringify({ level, fields: { message }, target: 'schema-engine' }) + '\n');

// The CLI drops the first stderr line of a native engine (its start-up banner).
log('INFO', 'schema-engine (wasm) starting');

// `cli <command>`: one-shot database commands; failures are reported as an ERROR log line.
if (cliCommand) {
  const fail = (code, message) => {
    process.stderr.write(
      JSON.stringify({
        level: 'ERROR',
        target: 'schema_engine::logger',
        fields: { error_code: code, message },
      }) + '\n',
    );
    process.exit(1);
  };
  try {
    if (cliCommand === 'can-connect-to-database') {
      const problem = await checkConnection(url);
      if (problem) fail(problem.code, problem.message);
    } else if (cliCommand === 'create-database') await createDatabase(url);
    else if (cliCommand === 'drop-database') await dropDatabase(url);
    else fail('P1000', `unsupported schema engine command: ${cliCommand}`);
  } catch (err) {
    fail('P1000', err instanceof Error ? err.message : String(err));
  }
  process.exit(0);
}
const { engine } = await openSchemaEngine({
  url,
  datamodels: datamodels.length ? datamodels : undefined,
  onLog: (line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'),
});

let printId = 1_000_000;
const pendingPrints = new Map();
// A native engine asks the CLI to print diff output through a `print` request.
function print(content) {
  const id = printId++;
  send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
  return new Promise((resolve) => pendingPrints.set(id, resolve));
}

const handlers = {
  getDatabaseVersion: (params) => engine.version(params),
  createDatabase: () => createDatabase(url),
  diff: async (params) => {
    const result = await engine.diff(params);
    if (result.stdout) await print(result.stdout.replace(/\n$/, ''));
    return { exitCode: result.exitCode };
  },
};

function errorResponse(id, err) {
  const text = err instanceof Error ? err.message : String(err);
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = { is_panic: false, message: text };
  }
  return {
    jsonrpc: '2.0',
    id,
    error: { code: 4466, message: 'An error happened. Check the data field for details.', data },
  };
}

async function handle(request) {
  try {
    const handler = handlers[request.method];
    const result = handler
      ? await handler(request.params)
      : await engine[request.method](request.params ?? {});
    send({ jsonrpc: '2.0', id: request.id, result: result ?? {} });
  } catch (err) {
    log('ERROR', err instanceof Error ? err.message : String(err));
    send(errorResponse(request.id, err));
  }
}

const queue = [];
let busy = false;
// Requests run one at a time, in order, like the native engine.
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) await handle(queue.shift());
  busy = false;
}

readline
  .createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.method === undefined) {
      pendingPrints.get(message.id)?.();
      pendingPrints.delete(message.id);
      return;
    }
    queue.push(message);
    void drain();
  })
  .on('close', async () => {
    while (busy) await new Promise((r) => setTimeout(r, 10));
    process.exit(0);
  });
