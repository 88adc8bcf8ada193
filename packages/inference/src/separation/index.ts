export { loadSeparator, type Separator, type Stems } from './separate';
export { modelInfo, defaultModelPath } from './model';
export { SeparationError, type SeparationErrorCode } from './errors';
export { separateHpss } from './baseline';
