// Deterministic synthetic audio for fingerprint tests: "music" as note sequences with harmonics,
// and a babble of gliding tones plus noise standing in for speech and ambience.

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function synthMusic(seed: number, seconds: number, sampleRate: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(Math.floor(seconds * sampleRate));
  let at = 0;
  while (at < out.length) {
    const len = Math.floor((0.15 + r() * 0.35) * sampleRate);
    const voices = 1 + Math.floor(r() * 3);
    for (let v = 0; v < voices; v++) {
      // Free pitches: every track on one note grid would share far more peaks than real recordings do.
      const f0 = 110 * 2 ** (r() * 3);
      for (let h = 1; h <= 4; h++) {
        const f = f0 * h;
        if (f > sampleRate / 2 - 200) break;
        const amp = 0.2 / h;
        for (let i = 0; i < len && at + i < out.length; i++) {
          const env = Math.min(1, i / 200) * Math.exp((-3 * i) / len);
          out[at + i] += amp * env * Math.sin((2 * Math.PI * f * i) / sampleRate);
        }
      }
    }
    at += len;
  }
  return out;
}

export function synthBabble(seed: number, seconds: number, sampleRate: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(Math.floor(seconds * sampleRate));
  let phase = 0;
  let f = 150;
  for (let i = 0; i < out.length; i++) {
    if (i % 1600 === 0) f = 100 + r() * 200;
    phase += (2 * Math.PI * f * (1 + 0.05 * Math.sin(i / 900))) / sampleRate;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    const syllable = 0.5 + 0.5 * Math.sin(i / 700);
    out[i] = 0.15 * syllable * v + 0.05 * (r() * 2 - 1);
  }
  return out;
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/** ost + music with the OST `ratioDb` louder than the music. */
export function mix(ost: Float32Array, music: Float32Array, ratioDb: number): Float32Array {
  const g = rms(ost) / rms(music) / 10 ** (ratioDb / 20);
  return ost.map((v, i) => v + g * music[i]);
}
