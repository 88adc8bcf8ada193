export {
  restore,
  type RestoreInput,
  type RestoreDeps,
  type RestoreResult,
  type Provenance,
  type Soundtrack,
} from './restore';
export { modelSpans, type Span } from './spans';
