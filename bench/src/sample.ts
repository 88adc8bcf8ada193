// Quicker suite runs on a share of the uploads: every Nth upload of each OST-to-BGM ratio, so each
// ratio keeps its share of the sample (every Nth overall follows the build order's periodic pattern).
import type { Upload } from './manifest';

export function everyNthPerRatio(every: number): (u: Upload) => boolean {
  const seen = new Map<number | undefined, number>();
  return (u) => {
    const k = seen.get(u.ratioDb) ?? 0;
    seen.set(u.ratioDb, k + 1);
    return k % every === 0;
  };
}
