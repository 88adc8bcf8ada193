// The trained OST/music mask network (packages/inference/models/README.md) on onnxruntime-node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { SeparationError } from './errors';

/** Identity of the committed model, recorded with verdicts. The sha256 is checked against the file by the tests. */
export const modelInfo = {
  name: 'ostmask',
  version: '1',
  file: 'ostmask-v1.onnx',
  sha256: '4104fac9534ad09ab766e9cb9ee6823cf2e315256759e23dbce2a9e5f5d2f63f',
  sampleRate: 16000,
  fftSize: 1024,
  hop: 256,
} as const;

export const defaultModelPath = fileURLToPath(new URL(`../../models/${modelInfo.file}`, import.meta.url));

export interface MaskModel {
  /** magnitudes: frames x bins (bins = fftSize/2+1), row-major; returns the OST mask in the same layout. */
  mask(magnitudes: Float32Array, frames: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function loadMaskModel(modelPath = defaultModelPath): Promise<MaskModel> {
  if (!existsSync(modelPath)) {
    throw new SeparationError('SEPARATION_MODEL_MISSING', `separation model not found at ${modelPath}`);
  }
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Memory patterns are planned per input shape over the first runs: without them the second run is
    // already as fast as any later one (chunks differ in length). Idle threads sleep instead of
    // spinning, which on two shared cores takes CPU from ffmpeg and the database beside the model.
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const bins = modelInfo.fftSize / 2 + 1;
  return {
    async mask(magnitudes, frames) {
      const input = new ort.Tensor('float32', magnitudes, [1, frames, bins]);
      const out = await session.run({ magnitude: input });
      return out.mask.data as Float32Array;
    },
    release: () => session.release(),
  };
}
