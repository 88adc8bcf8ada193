// Entry of a removal thread. The TypeScript sources need tsx's loader: a worker inherits it from the
// command line (`node --import tsx`), but not from a register() call in its parent (bin/undub.mjs).
try {
  await import('./block-worker.ts');
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./block-worker.ts?loaded'); // the failed import stays cached under the plain URL
}
