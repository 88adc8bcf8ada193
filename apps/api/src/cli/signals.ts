// Ctrl-C handling for long-running commands. The listeners stay registered for the whole run:
// a library using signal-exit re-raises a signal once no other listener is left, which would turn
// one Ctrl-C into a second ("force") one.
let received = 0;
const waiters: (() => void)[] = [];
let forced: (() => void) | undefined;

function onSignal(): void {
  received++;
  if (received === 1) for (const resolve of waiters.splice(0)) resolve();
  else forced?.();
}

/** Resolves on the first SIGINT or SIGTERM (or when `also` resolves); a second one calls `onForce`. */
export function waitForShutdown(onForce: () => void, also?: Promise<unknown>): Promise<void> {
  if (process.listeners('SIGINT').includes(onSignal) === false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  forced = onForce;
  return new Promise<void>((resolve) => {
    if (received > 0) return resolve();
    waiters.push(resolve);
    void also?.then(() => resolve());
  });
}
