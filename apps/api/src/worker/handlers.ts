// The product's job handlers, registered in every worker process. Add one line per handler.
export function registerProductHandlers(): void {}
