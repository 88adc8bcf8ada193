// Output conventions of every `undub` command. With the global --json flag: the result is JSON on
// stdout, progress goes to stderr, and a failure is `{ "error": { "code", "message" } }` on stdout
// with exit status 1. Without it: human text, and a failure is one line on stderr.
let json = false;

export function setJsonMode(on: boolean): void {
  json = on;
}

export function isJsonMode(): boolean {
  return json;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Prints a command's result: `value` as JSON, or `human` (default: the JSON) as text. */
export function printResult(value: unknown, human?: string): void {
  process.stdout.write((json || human === undefined ? toJson(value) : human) + '\n');
}

/** Progress and status lines: always stderr, so stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(message + '\n');
}

/** An error with a stable code for users and scripts. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : 'INTERNAL_ERROR';
}

/** Reports a failure in the current mode; returns the exit status. */
export function printError(err: unknown): number {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (json) process.stdout.write(toJson({ error: { code, message } }) + '\n');
  else process.stderr.write(`undub: ${message} (${code})\n`);
  // Unexpected errors keep their stack for debugging, behind a flag.
  if (code === 'INTERNAL_ERROR' && process.env.UNDUB_DEBUG && err instanceof Error)
    process.stderr.write(`${err.stack}\n`);
  return 1;
}
