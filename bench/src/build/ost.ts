// Original soundtracks: augmented speech over an ambient bed with occasional effects, and for some works
// their own music at a lower level. Everything is 48 kHz stereo.
import { join } from 'node:path';
import { decodeAudio } from '../ffmpeg';
import type { MusicTrack } from '../manifest';
import type { Rng } from './rng';
import { addInto, loopSlice, rmsOf, scale, zeros, type Channels } from './shape';
import type { SourceFile } from './sources';

export const RATE = 48000;

export interface OstPools {
  sourcesRoot: string;
  dataDir: string;
  speech: SourceFile[];
  beds: SourceFile[];
  events: SourceFile[];
  /** Non-catalog music the original works may carry as their own. */
  music: MusicTrack[];
}

export interface Ost {
  audio: Channels;
  speech: { source: string; start: number; end: number }[];
  ambient: string[];
  originalMusicId?: string;
  /** The work's own music as mixed into `audio` (same gain), when it has some. */
  music?: Channels;
}

interface Voice {
  pitch: number;
  tempo: number;
  eqFreq: number;
  eqGain: number;
  reverb: boolean;
  pan: number;
}

function voice(rng: Rng): Voice {
  return {
    pitch: rng.range(0.94, 1.06),
    tempo: rng.range(0.95, 1.05),
    eqFreq: rng.pick([300, 800, 1500, 3000]),
    eqGain: rng.range(-5, 5),
    reverb: rng.chance(0.35),
    pan: rng.range(-0.5, 0.5),
  };
}

function voiceFilter(v: Voice, rng: Rng): string {
  const chain = [
    `aresample=${RATE}`,
    `asetrate=${Math.round(RATE * v.pitch)}`,
    `aresample=${RATE}`,
    `atempo=${(v.tempo / v.pitch).toFixed(4)}`,
    `equalizer=f=${v.eqFreq}:t=q:w=1:g=${v.eqGain.toFixed(1)}`,
    'highpass=f=70',
    `volume=${rng.range(-4, 4).toFixed(1)}dB`,
  ];
  if (v.reverb)
    chain.push(
      `aecho=0.9:0.6:${rng.int(25, 45)}|${rng.int(60, 110)}:${rng.range(0.2, 0.4).toFixed(2)}|${rng.range(0.1, 0.25).toFixed(2)}`,
    );
  return chain.join(',');
}

const cache = new Map<string, Promise<Channels>>();

/** Decoded source, cached: beds and effects are few and reused across works. */
function decoded(root: string, key: string): Promise<Channels> {
  let p = cache.get(key);
  if (!p) {
    p = decodeAudio(join(root, key));
    cache.set(key, p);
  }
  return p;
}

function normalise(ch: Channels, targetRms: number): Channels {
  const r = rmsOf(ch);
  if (r > 0) scale(ch, targetRms / r);
  return ch;
}

export async function buildOst(rng: Rng, pools: OstPools, seconds: number, withMusic: boolean): Promise<Ost> {
  const frames = Math.round(seconds * RATE);
  const speechTrack = zeros(2, frames);
  const voices = [voice(rng), voice(rng)];
  const speech: Ost['speech'] = [];
  let t = rng.range(0.2, 1.5);
  while (t < seconds - 1) {
    const src = rng.pick(pools.speech);
    const v = rng.pick(voices);
    const [mono] = await decodeAudio(join(pools.sourcesRoot, src.key), {
      channels: 1,
      filters: voiceFilter(v, rng),
    });
    const len = Math.min(mono.length, frames - Math.round(t * RATE));
    if (len < RATE * 0.2) break;
    const clip = mono.subarray(0, len);
    const g = 10 ** (rng.range(-3, 3) / 20);
    addInto(
      speechTrack,
      [
        clip.map((x) => x * Math.cos((Math.PI / 4) * (1 + v.pan)) * g),
        clip.map((x) => x * Math.sin((Math.PI / 4) * (1 + v.pan)) * g),
      ],
      Math.round(t * RATE),
    );
    speech.push({ source: src.key, start: t, end: t + len / RATE });
    t += len / RATE + rng.range(0.15, 1.5);
  }
  const ost = normalise(speechTrack, 1);
  const ambient: string[] = [];
  const bedSrc = rng.pick(pools.beds);
  const bed = await decoded(pools.sourcesRoot, bedSrc.key);
  addInto(
    ost,
    normalise(loopSlice(bed, rng.int(0, bed[0].length - 1), frames), 10 ** (rng.range(-22, -10) / 20)),
    0,
  );
  ambient.push(bedSrc.key);
  for (let i = rng.int(0, 3); i > 0; i--) {
    const src = rng.pick(pools.events);
    const fx = await decoded(pools.sourcesRoot, src.key);
    const piece = fx.map((c) => c.subarray(0, Math.min(c.length, 3 * RATE)));
    addInto(
      ost,
      normalise(
        piece.map((c) => c.slice()),
        10 ** (rng.range(-16, -6) / 20),
      ),
      rng.int(0, frames - 1),
    );
    ambient.push(src.key);
  }
  let originalMusicId: string | undefined;
  let music: Channels | undefined;
  if (withMusic) {
    const track = rng.pick(pools.music);
    const start = rng.range(0, Math.max(0, track.durationSeconds - seconds - 0.1));
    const audio = await decodeAudio(join(pools.dataDir, track.file), { start, duration: seconds });
    music = normalise(loopSlice(audio, 0, frames), 10 ** (rng.range(-14, -8) / 20));
    addInto(ost, music, 0);
    originalMusicId = track.id;
  }
  return { audio: ost, speech, ambient, originalMusicId, music };
}
