// The catalog: music tracks and original works, their fingerprints in Postgres, and the lookups.
export { addMusic, addOriginal, type AddedItem, type MusicInput, type OriginalInput } from './add';
export { listCatalog, loadMusicReference, removeCatalogItem, type CatalogItem } from './manage';
export {
  FULL_VIDEO_MATCH_SECONDS,
  identifyMusic,
  matchOriginals,
  type DecodedFrames,
  type MusicMatch,
  type OriginalMatch,
} from './identify';
export { identifyFile, type IdentifyResult } from './identify-file';
export { CatalogError, type CatalogErrorCode } from './errors';
export { ensureDefaultTenant, DEFAULT_TENANT } from './tenant';
export type { CatalogOptions } from './context';
export { PgLandmarkIndex, insertLandmarks, SOURCE_MUSIC, SOURCE_ORIGINAL } from './landmark-store';
