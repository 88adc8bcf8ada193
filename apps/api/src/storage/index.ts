import path from 'node:path';
import type { Config } from '../config';
import { LocalStorage } from './local';
import type { MediaStorage } from './types';

export { LocalStorage } from './local';
export * from './types';

/** The app's media store: files under <dataDir>/media (the one backend for now). */
export function createStorage(config: Pick<Config, 'dataDir'>): MediaStorage {
  return new LocalStorage(path.join(config.dataDir, 'media'));
}
