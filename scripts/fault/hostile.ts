// Malformed and hostile media, made from a good clip: cut, overwritten, mislabelled, or with header
// fields (sizes, durations) edited in place to absurd values. Each kind says what a careful service
// should do with it; the fault test reports what undub actually did.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HostileFile {
  kind: string;
  file: string;
  /** What it is, for the report. */
  what: string;
}

const ffmpeg = (args: string[]) => run('ffmpeg', ['-loglevel', 'error', '-y', ...args]);

/** Offset of the first box of MP4 type `type` (the 4 type bytes), or -1. */
function boxAt(buf: Buffer, type: string, from = 0): number {
  return buf.indexOf(Buffer.from(type, 'latin1'), from);
}

/** mvhd and mdhd (version 0): duration in units of the box's timescale, set to `value`; timescale to 1. */
function setDurations(buf: Buffer, timescale: number, value: number): Buffer {
  const out = Buffer.from(buf);
  for (const type of ['mvhd', 'mdhd']) {
    for (let at = boxAt(out, type); at >= 0; at = boxAt(out, type, at + 4)) {
      if (out[at + 4] !== 0) continue; // version 1 boxes have 64-bit fields; the clips use version 0
      out.writeUInt32BE(timescale, at + 16);
      out.writeUInt32BE(value, at + 20);
    }
  }
  return out;
}

/** tkhd display size (16.16 fixed point) and the avc1 sample entry's width/height, set to the maximum. */
function setHugeDimensions(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  for (let at = boxAt(out, 'tkhd'); at >= 0; at = boxAt(out, 'tkhd', at + 4)) {
    if (out[at + 4] !== 0) continue;
    out.writeUInt32BE(0xffff0000, at + 80);
    out.writeUInt32BE(0xffff0000, at + 84);
  }
  const avc1 = boxAt(out, 'avc1');
  if (avc1 >= 0) {
    out.writeUInt16BE(0xffff, avc1 + 28);
    out.writeUInt16BE(0xffff, avc1 + 30);
  }
  return out;
}

/** Overwrites `blocks` 1 KiB blocks after the header with random bytes (disk or transfer corruption). */
function bitrot(buf: Buffer, random: () => number, blocks: number): Buffer {
  const out = Buffer.from(buf);
  const start = Math.min(out.length - 1, boxAt(out, 'mdat') + 1024);
  for (let b = 0; b < blocks; b++) {
    const at = start + Math.floor(random() * Math.max(1, out.length - start - 1024));
    for (let i = 0; i < 1024 && at + i < out.length; i++) out[at + i] = Math.floor(random() * 256);
  }
  return out;
}

function randomBytes(random: () => number, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** A PNG whose header declares 2^31-1 × 2^31-1 pixels (the CRC is made right, so only the size is absurd). */
function hugePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(0x7fffffff, 0);
  ihdr.writeUInt32BE(0x7fffffff, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.alloc(64)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * One file of each hostile kind made from `clip` (an MP4 with H.264 + AAC, moov first), written into
 * `dir` with names prefixed `tag` so several sources give distinct files.
 */
export async function makeHostileSet(
  clip: string,
  dir: string,
  tag: string,
  random: () => number,
): Promise<HostileFile[]> {
  const good = await readFile(clip);
  const out: HostileFile[] = [];
  const put = async (kind: string, name: string, data: Buffer | null, what: string) => {
    const file = path.join(dir, `${tag}-${name}`);
    if (data) await writeFile(file, data);
    out.push({ kind, file, what });
    return file;
  };
  const p = (name: string) => path.join(dir, `${tag}-${name}`);

  await put('zero_bytes', 'empty.mp4', Buffer.alloc(0), '0-byte file named .mp4');
  await put(
    'random_bytes',
    'noise.mp4',
    randomBytes(random, 65_536 + Math.floor(random() * 65_536)),
    'random bytes named .mp4',
  );
  await put(
    'text_as_video',
    'page.mp4',
    Buffer.from(`<html><body>not a video ${tag}</body></html>\n`),
    'an HTML page named .mp4',
  );
  await put('header_only', 'header.mp4', good.subarray(0, 4096), 'the first 4 KiB of a video (moov cut off)');
  await put(
    'truncated_half',
    'half.mp4',
    good.subarray(0, Math.floor(good.length / 2)),
    'moov-first video cut at half its bytes',
  );
  await ffmpeg(['-i', clip, '-c', 'copy', '-movflags', '-faststart', p('moovlast.tmp.mp4')]);
  const moovLast = await readFile(p('moovlast.tmp.mp4'));
  await put(
    'truncated_no_index',
    'noindex.mp4',
    moovLast.subarray(0, Math.floor(moovLast.length * 0.9)),
    'moov-last video cut at 90% (no index)',
  );
  await put(
    'bitrot',
    'bitrot.mp4',
    bitrot(good, random, 24),
    'video with 24 KiB of its media data overwritten',
  );
  await put('wrong_extension', 'video.wav', good, 'a good video named .wav');
  await ffmpeg(['-i', clip, '-vn', '-ac', '2', '-ar', '48000', p('audio.mp4')]);
  await put('audio_as_video', 'audio.mp4', null, 'a WAV file named .mp4 (audio only)');
  await ffmpeg(['-i', clip, '-vn', '-c', 'copy', p('audio.m4a')]);
  await put('audio_only', 'audio.m4a', null, 'AAC audio only (.m4a)');
  await ffmpeg(['-i', clip, '-an', '-c', 'copy', p('silent.mp4')]);
  await put('no_audio', 'silent.mp4', null, 'video without an audio track');
  await put(
    'huge_dimensions_mp4',
    'huge.mp4',
    setHugeDimensions(good),
    'video whose tkhd/avc1 headers declare 65535×65535',
  );
  await put(
    'huge_dimensions_y4m',
    'huge.y4m',
    Buffer.from('YUV4MPEG2 W1000000 H1000000 F25:1 Ip A1:1 C420jpeg\nFRAME\n'),
    'Y4M header declaring 1,000,000×1,000,000 pixels',
  );
  await put('huge_dimensions_png', 'huge.png', hugePng(), 'PNG declaring 2^31-1 × 2^31-1 pixels');
  await put(
    'absurd_duration',
    'long.mp4',
    setDurations(good, 1, 0xfffffff0),
    'video whose mvhd/mdhd declare ~136 years',
  );
  await put('zero_duration', 'zero.mp4', setDurations(good, 1000, 0), 'video whose mvhd/mdhd declare 0 s');
  await ffmpeg(['-i', clip, '-t', '0.1', '-c', 'copy', p('tiny.mp4')]);
  await put('tiny', 'tiny.mp4', null, 'a 0.1 s cut of a video');
  return out;
}
