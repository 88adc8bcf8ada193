// Synthetic picture for original works: a few lavfi scenes cut together, each with its own colours,
// moving shapes and a caption, so that works differ from each other the way real footage does.
import type { Rng } from './rng';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const WORDS = [
  'harbour',
  'sunrise',
  'market',
  'garden',
  'station',
  'river',
  'festival',
  'workshop',
  'mountain',
  'kitchen',
  'library',
  'bridge',
  'forest',
  'village',
  'studio',
  'island',
  'canyon',
  'theatre',
  'lighthouse',
  'meadow',
  'summit',
  'recipe',
  'lesson',
  'journey',
  'episode',
  'review',
  'tutorial',
  'interview',
  'update',
  'story',
  'challenge',
  'secret',
];

function colour(rng: Rng): string {
  return `0x${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`;
}

function source(rng: Rng, w: number, h: number, fps: number, dur: number): string {
  const half = `s=${w / 2}x${h / 2}:r=${fps}`;
  const up = `scale=${w}:${h}`;
  switch (rng.int(0, 4)) {
    case 0: {
      const sx = rng.range(-1.8, 0.3).toFixed(4);
      const sy = rng.range(-0.8, 0.8).toFixed(4);
      return `mandelbrot=${half}:maxiter=96:start_x=${sx}:start_y=${sy}:start_scale=${rng.range(0.5, 3).toFixed(2)}:end_scale=${rng.range(0.01, 0.3).toFixed(3)}:inner=${rng.pick(['black', 'convergence', 'mincol', 'period'])},${up}`;
    }
    case 1:
      return `life=${half}:seed=${rng.int(0, 1e6)}:ratio=${rng.range(0.1, 0.5).toFixed(2)}:mold=${rng.int(0, 30)}:life_color=${colour(rng)}:death_color=${colour(rng)}:mold_color=${colour(rng)},${up}:flags=neighbor`;
    case 2:
      return `cellauto=s=${w}x${h}:r=${fps}:rule=${rng.pick([18, 22, 30, 45, 60, 73, 90, 105, 110, 126, 150])}:random_seed=${rng.int(0, 1e6)}:random_fill_ratio=${rng.range(0.1, 0.9).toFixed(2)},hue=h=${rng.int(0, 359)}:s=${rng.range(0.5, 3).toFixed(2)},colorize=hue=${rng.int(0, 359)}:saturation=0.6:lightness=0.4:mix=0.5`;
    case 3:
      return `gradients=${half}:c0=${colour(rng)}:c1=${colour(rng)}:c2=${colour(rng)}:c3=${colour(rng)}:n=${rng.int(2, 4)}:speed=${rng.range(0.005, 0.05).toFixed(3)}:seed=${rng.int(0, 1e6)}:type=${rng.pick(['linear', 'radial', 'circular', 'spiral'])},${up}`;
    default:
      // A "still photograph" with a slow pan and zoom: one frozen fractal frame under zoompan.
      return `mandelbrot=s=${w}x${h}:r=${fps}:maxiter=64:start_x=${rng.range(-1.5, 0.2).toFixed(4)}:start_y=${rng.range(-0.6, 0.6).toFixed(4)}:start_scale=${rng.range(0.05, 2).toFixed(3)},trim=end_frame=1,loop=loop=${Math.ceil(dur * fps) + 2}:size=1,setpts=N/${fps}/TB,zoompan=z='min(zoom+${rng.range(0.0005, 0.003).toFixed(4)},1.6)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${w}x${h}:fps=${fps}`;
  }
}

function overlays(rng: Rng, w: number, h: number): string {
  const boxes = Array.from({ length: rng.int(1, 3) }, () => {
    const bw = rng.int(w / 16, w / 5);
    const speed = rng.range(20, 160).toFixed(0);
    const y = rng.int(0, h - bw);
    return `drawbox=x='mod(${rng.int(0, w)}+t*${speed},${w})':y=${y}:w=${bw}:h=${bw}:color=${colour(rng)}@0.8:t=fill`;
  });
  const words = Array.from({ length: rng.int(2, 4) }, () => rng.pick(WORDS)).join(' ');
  const size = Math.round((h / 360) * rng.int(22, 40));
  const text = `drawtext=fontfile=${FONT}:text='${words}':fontsize=${size}:fontcolor=${colour(rng)}:x=${rng.int(10, w / 3)}:y=${rng.int(10, h - size - 20)}:box=1:boxcolor=black@0.4:boxborderw=8`;
  return [...boxes, text].join(',');
}

/** ffmpeg filter_complex producing `[v]` of the given duration; inputs are none (all lavfi inside). */
export function videoFilter(rng: Rng, w: number, h: number, fps: number, duration: number): string {
  const cuts = rng.int(2, 4);
  const weights = Array.from({ length: cuts }, () => rng.range(1, 3));
  const total = weights.reduce((a, b) => a + b, 0);
  const frames = Math.round(duration * fps);
  let used = 0;
  const parts = weights.map((wt, i) => {
    const n = i === cuts - 1 ? frames - used : Math.round((wt / total) * frames);
    used += n;
    const d = n / fps;
    return `${source(rng, w, h, fps, d)},trim=end_frame=${n},setpts=N/${fps}/TB,setsar=1,${overlays(rng, w, h)},format=yuv420p[s${i}]`;
  });
  const concat = parts.map((_, i) => `[s${i}]`).join('') + `concat=n=${cuts}:v=1:a=0[v]`;
  return [...parts, concat].join(';');
}
