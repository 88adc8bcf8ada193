// Small media made with ffmpeg for the end-to-end test: an original work (picture + soundtrack), a
// music track, and an upload that re-uses 10 s of the original with the music laid over it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ff = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

export interface E2eMedia {
  original: string;
  music: string;
  upload: string;
}

export async function makeMedia(dir: string): Promise<E2eMedia> {
  const original = path.join(dir, 'original.mp4');
  const music = path.join(dir, 'music.wav');
  const upload = path.join(dir, 'upload.mp4');
  // A soundtrack with some structure: a tone that swells and falls, over quiet noise.
  const ost =
    "aevalsrc='0.25*sin(2*PI*(180+40*sin(2*PI*0.15*t))*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.03*(random(0)-0.5)':s=48000:d=20";
  // A melody of changing chords.
  const tune =
    "aevalsrc='0.2*sin(2*PI*(262+131*mod(floor(t*2),4))*t)+0.15*sin(2*PI*(392+98*mod(floor(t),3))*t)':s=48000:d=30";
  await ff(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=25:duration=20',
    '-f',
    'lavfi',
    '-i',
    ost,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-shortest',
    original,
  );
  await ff('-f', 'lavfi', '-i', tune, '-ac', '2', music);
  await ff(
    '-ss',
    '4',
    '-t',
    '10',
    '-i',
    original,
    '-ss',
    '8',
    '-t',
    '10',
    '-i',
    music,
    '-filter_complex',
    '[1:a]volume=0.7[m];[0:a][m]amix=inputs=2:duration=first:normalize=0[a]',
    '-map',
    '0:v',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    upload,
  );
  return { original, music, upload };
}
