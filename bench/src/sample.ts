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

/** 2 -> "2nd", 3 -> "3rd", 11 -> "11th". */
export function ordinal(n: number): string {
  const teen = Math.floor(n / 10) % 10 === 1;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
