// DCT-based perceptual hash of a grayscale frame: the signs of the lowest 8x8 DCT coefficients of a
// centre crop, relative to their median. Low frequencies barely move under re-encoding, rescaling,
// small crops and brightness/contrast changes; a horizontal mirror flips the sign of every coefficient
// with an odd horizontal index, so the mirror image's hash comes from the same transform.

export const HASH_SIZE = 32; // pixels per side fed to the DCT
/** Fraction of width and height kept around the centre: borders carry captions, logos and crop damage. */
export const CENTRE = 0.8;

export interface FrameHash {
  hi: number;
  lo: number;
  mirrorHi: number;
  mirrorLo: number;
  /** AC energy relative to the frame's level: near-flat frames (fades, black) hash to noise. */
  detail: number;
}

const dctMatrix = (() => {
  const n = HASH_SIZE;
  const m = new Float64Array(8 * n);
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < n; x++) m[u * n + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  }
  return m;
})();

/** The part of a frame that is hashed, as fractions of its width and height. */
export interface Region {
  cx: number;
  cy: number;
  size: number;
}

export const CENTRE_REGION: Region = { cx: 0.5, cy: 0.5, size: CENTRE };

/** Area-average a region of a width x height luma image down to HASH_SIZE x HASH_SIZE. */
function shrink(gray: Uint8Array, width: number, height: number, region: Region): Float64Array {
  const n = HASH_SIZE;
  const out = new Float64Array(n * n);
  const x0 = Math.max(0, width * (region.cx - region.size / 2));
  const y0 = Math.max(0, height * (region.cy - region.size / 2));
  const sx = Math.min(width * region.size, width - x0) / n;
  const sy = Math.min(height * region.size, height - y0) / n;
  for (let j = 0; j < n; j++) {
    const ya = Math.floor(y0 + j * sy);
    const yb = Math.max(ya + 1, Math.floor(y0 + (j + 1) * sy));
    for (let i = 0; i < n; i++) {
      const xa = Math.floor(x0 + i * sx);
      const xb = Math.max(xa + 1, Math.floor(x0 + (i + 1) * sx));
      let sum = 0;
      for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) sum += gray[y * width + x];
      out[j * n + i] = sum / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}

export function hashFrame(
  gray: Uint8Array,
  width: number,
  height: number,
  region = CENTRE_REGION,
): FrameHash {
  const n = HASH_SIZE;
  const img = shrink(gray, width, height, region);
  // Separable DCT restricted to the 8 lowest frequencies: rows, then columns.
  const rows = new Float64Array(n * 8);
  for (let y = 0; y < n; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += img[y * n + x] * dctMatrix[u * n + x];
      rows[y * 8 + u] = s;
    }
  }
  const coef = new Float64Array(64); // [v][u]
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += rows[y * 8 + u] * dctMatrix[v * n + y];
      coef[v * 8 + u] = s;
    }
  }
  const mirrored = coef.map((c, i) => ((i % 8) % 2 === 1 ? -c : c));
  const [hi, lo] = bitsAboveMedian(coef);
  const [mirrorHi, mirrorLo] = bitsAboveMedian(mirrored);
  let ac = 0;
  for (let i = 1; i < 64; i++) ac += coef[i] * coef[i];
  const detail = Math.sqrt(ac / 63) / (Math.abs(coef[0]) / n + n);
  return { hi, lo, mirrorHi, mirrorLo, detail };
}

/** 64 bits (two unsigned 32-bit halves): bit i set when coefficient i lies above the AC median. */
function bitsAboveMedian(coef: Float64Array): [number, number] {
  const ac = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const median = ac[31];
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    if (coef[i] <= median) continue;
    if (i < 32) lo |= 1 << i;
    else hi |= 1 << (i - 32);
  }
  return [hi >>> 0, lo >>> 0];
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hamming(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32((aHi ^ bHi) >>> 0) + popcount32((aLo ^ bLo) >>> 0);
}

/** Signed 64-bit value of a hash, as Postgres bigint stores it. */
export function toBigInt(hi: number, lo: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

export function fromBigInt(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}
