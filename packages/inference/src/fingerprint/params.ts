// Fingerprint geometry shared by indexing and lookup. Changing any value invalidates stored fingerprints:
// bump FINGERPRINT_VERSION with it.

export const FINGERPRINT_VERSION = 1;
/** Analysis rate: music identity lives below 4 kHz, and 8 kHz keeps fingerprinting cheap. */
export const SAMPLE_RATE = 8000;
export const FFT_SIZE = 1024;
export const HOP = 256;
/** Seconds per fingerprint frame (32 ms). */
export const FRAME_SECONDS = HOP / SAMPLE_RATE;
/** Frequency range searched for peaks, Hz. */
export const MIN_HZ = 150;
export const MAX_HZ = 3800;
/** Log-frequency resolution of hashes: units per octave (one unit ≈ 2.2 % in frequency). */
export const UNITS_PER_OCTAVE = 32;
/** Peak neighbourhood: a peak is the maximum within ±PEAK_BINS bins and ±PEAK_FRAMES frames. */
export const PEAK_BINS = 8;
export const PEAK_FRAMES = 4;
/** Log-spaced bands in which peaks are chosen separately, so loud speech in one band cannot starve the others. */
export const BAND_EDGES_HZ = [150, 400, 900, 1900, 3800];
/** Peaks kept per band per second, strongest first. */
export const PEAKS_PER_BAND_SECOND = 5;
/** Pairs per anchor peak and the target zone (frames ahead, log units apart). */
export const FAN_OUT = 2;
/** A query keeps more peaks and pairs than the index: under overlay, the stored peaks rank lower among
 * the query's peaks, and a denser query still contains them. */
export const QUERY_PEAKS_PER_BAND_SECOND = 8;
export const QUERY_FAN_OUT = 8;
export const MIN_DT = 1;
export const MAX_DT = 64;
export const MAX_DK = 31;
