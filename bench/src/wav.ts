// Minimal WAV IO for benchmark stems (16-bit PCM written; 16/24/32-bit PCM and 32-bit float read).
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface Pcm {
  sampleRate: number;
  /** One Float32Array per channel, all the same length. */
  channels: Float32Array[];
}

export async function readWav(file: string): Promise<Pcm> {
  const buf = await readFile(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`BENCH_BAD_WAV: ${file} is not a RIFF/WAVE file`);
  }
  let pos = 12;
  let format = 0;
  let channelCount = 0;
  let sampleRate = 0;
  let bits = 0;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      format = buf.readUInt16LE(body);
      channelCount = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if (format === 0xfffe) format = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      const end = Math.min(buf.length, body + size);
      return {
        sampleRate,
        channels: deinterleave(buf.subarray(body, end), format, bits, channelCount, file),
      };
    }
    pos = body + size + (size & 1);
  }
  throw new Error(`BENCH_BAD_WAV: ${file} has no data chunk`);
}

function deinterleave(
  data: Buffer,
  format: number,
  bits: number,
  count: number,
  file: string,
): Float32Array[] {
  const bytes = bits / 8;
  const frames = Math.floor(data.length / (bytes * count));
  const out = Array.from({ length: count }, () => new Float32Array(frames));
  const read =
    format === 3 && bits === 32
      ? (o: number) => data.readFloatLE(o)
      : format === 1 && bits === 16
        ? (o: number) => data.readInt16LE(o) / 32768
        : format === 1 && bits === 24
          ? (o: number) => data.readIntLE(o, 3) / 8388608
          : format === 1 && bits === 32
            ? (o: number) => data.readInt32LE(o) / 2147483648
            : null;
  if (!read) throw new Error(`BENCH_BAD_WAV: ${file}: unsupported format ${format}/${bits} bit`);
  if (format === 1 && bits === 16) {
    const pcm = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + frames * count * 2));
    for (let c = 0; c < count; c++)
      for (let i = 0, o = c; i < frames; i++, o += count) out[c][i] = pcm[o] / 32768;
    return out;
  }
  for (let i = 0, o = 0; i < frames; i++) {
    for (let c = 0; c < count; c++, o += bytes) out[c][i] = read(o);
  }
  return out;
}

/** Writes 16-bit PCM (clipped to ±1), atomically (temp file + rename). */
export async function writeWav(file: string, pcm: Pcm): Promise<void> {
  const count = pcm.channels.length;
  const frames = pcm.channels[0]?.length ?? 0;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + frames * count * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(count, 22);
  header.writeUInt32LE(pcm.sampleRate, 24);
  header.writeUInt32LE(pcm.sampleRate * count * 2, 28);
  header.writeUInt16LE(count * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(frames * count * 2, 40);
  // Int16Array is little-endian on every platform Node runs on here (x64, arm64).
  const samples = new Int16Array(frames * count);
  for (let c = 0; c < count; c++) {
    const ch = pcm.channels[c];
    for (let i = 0, o = c; i < frames; i++, o += count)
      samples[o] = Math.round(Math.max(-1, Math.min(1, ch[i])) * 32767);
  }
  const tmp = `${file}.tmp`;
  await writeFile(tmp, Buffer.concat([header, Buffer.from(samples.buffer)]));
  await rename(tmp, file);
}
