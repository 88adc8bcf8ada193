export {
  attributeMusic,
  musicOnsets,
  visualChange,
  type AttributionInput,
  type AttributionOptions,
  type Frames,
  type MusicAttribution,
  type VideoSync,
} from './attribute';
