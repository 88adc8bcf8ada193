// Audio fingerprints: spectral-peak landmarks for indexing, speed-hypothesis queries, offset voting.
import { extractPeaks, mergePeaks } from './peaks';
import { IDENTITY, landmarksOf, speedHypotheses, type Landmarks, type SpeedHypothesis } from './landmarks';
import type { FingerprintQuery } from './match';
import { QUERY_FAN_OUT, QUERY_PEAKS_PER_BAND_SECOND, SAMPLE_RATE } from './params';
import { resample } from './resample';

export * from './params';
export { extractPeaks, hzToUnits, mergePeaks, type Peak } from './peaks';
export * from './landmarks';
export * from './match';
export { vote } from './vote';
export { bestPlaces, itemLandmarks, offsetVotes, type ItemLandmarks, type Place } from './places';
export * from './verify';
export { resample } from './resample';

/** Landmarks of a reference recording (mono at any rate), as stored in the index. */
export function fingerprint(mono: Float32Array, sampleRate: number): Landmarks {
  return landmarksOf(extractPeaks(resample(mono, sampleRate, SAMPLE_RATE)), IDENTITY);
}

/**
 * Landmarks of a query under each speed hypothesis (the peaks are found once). Several signals at one
 * rate (a mixture and an estimate of its music) make one query from their merged peaks.
 */
export function queryFingerprint(
  signals: Float32Array | Float32Array[],
  sampleRate: number,
  hypotheses: SpeedHypothesis[] = speedHypotheses(),
): FingerprintQuery {
  const peaks = (Array.isArray(signals) ? signals : [signals])
    .map((x) => extractPeaks(resample(x, sampleRate, SAMPLE_RATE), QUERY_PEAKS_PER_BAND_SECOND))
    .reduce((a, b) => mergePeaks(a, b));
  return {
    peaks,
    lookups: hypotheses.map((h) => ({ hypothesis: h, landmarks: landmarksOf(peaks, h, QUERY_FAN_OUT) })),
  };
}
export { MemoryLandmarkIndex } from './memory-index';
