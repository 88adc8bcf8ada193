export { referenceRange, removeReference, RemovalError } from './remove';
export type { ReferenceSegment, RemovedSegment, RemovalOptions, RemovalResult } from './remove';
export { alignReference, type Alignment, type AlignOptions } from './align';
export type { TimeMap } from './timemap';
export {
  presenceScore,
  referencePresence,
  PRESENCE_MARGIN_SECONDS,
  type Presence,
  type PresenceGuess,
} from './presence';
