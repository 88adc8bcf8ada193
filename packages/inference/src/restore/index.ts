export { restore, type RestoreInput, type RestoreDeps, type RestoreResult, type Provenance } from './restore';
export { modelSpans, type Span } from './spans';
