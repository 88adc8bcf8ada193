// The one train/validation/eval rule, shared with model training (Python reimplements it exactly).
import { createHash } from 'node:crypto';

export type Split = 'train' | 'validation' | 'eval';

/** Split of a source file; `key` is its path relative to `.bench/sources/root`. */
export function splitOf(key: string): Split {
  const h = parseInt(createHash('sha1').update(key).digest('hex').slice(0, 8), 16) / 2 ** 32;
  if (h < 0.7) return 'train';
  if (h < 0.8) return 'validation';
  return 'eval';
}
