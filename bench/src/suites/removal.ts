// Catalog-music removal with its reference (@undub/inference/removal) on the eval re-uploads whose
// music is in the catalog: restored-OST SI-SDR by OST-to-BGM ratio beside the codec ceiling, also
// through restore() end to end (reference removal plus the model on the rest), how much of an OST's
// own music survives restoration, and speed with peak memory at 15, 60 and 300 s of 48 kHz stereo,
// each measured in a child process. Options: --opt removal.every=N (every Nth upload, for a quicker
// run), --opt removal.restoreEvery=6, --opt removal.survival=0 (skip the own-music figure, which needs
// the benchmark catalog in the database), --opt removal.survivalEvery=N, --opt removal.speed=0 (no
// speed runs), --opt removal.identifiedEvery=3 (restoration after the upload's own identification; 0: none).
// Parts can run as separate processes and be read side by side.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrames } from '@undub/inference/media';
import { removeReference, type ReferenceSegment } from '@undub/inference/removal';
import { restore } from '@undub/inference/restore';
import { loadSeparator, type Separator } from '@undub/inference/separation';
import { DECODE_HEIGHT, DECODE_WIDTH, HASH_FPS } from '@undub/inference/videohash';
import { downmix } from '@undub/inference/dsp';
import { resample } from '@undub/inference/fingerprint';
import { identifyMusicSeparated, SEPARATION_RATE } from '../../../apps/api/src/catalog/separated-lookup';
import { originalMusicSpans } from '../../../apps/api/src/pipeline/analyze';
import { improvementPlot, speedPlot } from '../audio-plots';
import type { Database } from '../../../apps/api/src/db';
import { ensureBenchCatalog } from '../catalog';
import type { BenchContext, SuiteResult } from '../context';
import { decodeAudio } from '../ffmpeg';
import type { MusicTrack, Upload } from '../manifest';
import { type RatioRow, bySiSdrRatio, markdownTable, median, percentile, siSdrStereo } from '../score';
import { everyNthPerRatio, ordinal } from '../sample';
import { readWav } from '../wav';
import { reportSpeed, SPEED_NOTE, speedInChild, speedTable } from '../speed';

const SPEED_SECONDS = [15, 60, 300];
const RATE = 48000;
const CHILD_FLAG = '--removal-speed-child';

/**
 * The matcher's view of the overlay: the true span, offset and speed, moved by deterministic errors of
 * up to ±50 ms (offset and start) and ±0.3% (speed), the matcher's precision.
 */
function matcherSegment(u: Upload, index: number): ReferenceSegment {
  const err = (k: number) => (((index * k) % 11) - 5) / 5;
  const start = Math.max(0, u.musicStart! + 0.05 * err(37));
  return {
    start,
    end: u.musicEnd!,
    refStart: u.musicRefStart! + (start - u.musicStart!) * u.speed + 0.05 * err(53),
    speed: u.speed * (1 + 0.003 * err(71)),
  };
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const every = Number(ctx.options['removal.every'] ?? 1);
  const items = ctx.manifest.uploads
    .filter(
      (u) =>
        u.hasAudio &&
        u.ost &&
        u.musicId &&
        u.musicInCatalog &&
        u.ratioDb !== undefined &&
        u.musicStart !== undefined,
    )
    .filter(everyNthPerRatio(every));
  const endToEndEvery = Number(ctx.options['removal.restoreEvery'] ?? 6);
  const identifiedEvery = Number(ctx.options['removal.identifiedEvery'] ?? 3);
  const catalog = identifiedEvery > 0 ? await ensureBenchCatalog(ctx) : undefined;
  ctx.log(`removing catalog music from ${items.length} uploads`);
  const tracks = new Map(ctx.manifest.music.map((m) => [m.id, m]));
  const separator = await loadSeparator();
  const reference: RatioRow[] = [];
  const endToEnd: RatioRow[] = [];
  const identified: RatioRow[] = [];
  const byTransform = new Map<string, number[]>();
  const byBitrate = new Map<number, number[]>();
  const speedErrors: number[] = [];
  let survival: Awaited<ReturnType<typeof ownMusicSurvival>> | undefined;
  try {
    for (const [i, u] of items.entries()) {
      if (i % 16 === 0) ctx.log(`${i}/${items.length}`);
      const mix = await decodeAudio(ctx.resolve(u.file));
      const ost = (await readWav(ctx.resolve(u.ost!))).channels;
      const ref = (await readWav(ctx.resolve(tracks.get(u.musicId!)!.file))).channels;
      const segment = matcherSegment(u, i);
      const common = {
        ratioDb: u.ratioDb!,
        mixtureSiSdr: siSdrStereo(mix, ost),
        ceilingSiSdr: u.ceilingSiSdr,
      };
      const removed = removeReference(mix, RATE, ref, [segment]);
      const sdr = siSdrStereo(removed.ost, ost);
      reference.push({ ...common, siSdr: sdr });
      if (removed.segments[0]) speedErrors.push(Math.abs(removed.segments[0].speed - u.speed));
      byTransform.set(u.transform, [...(byTransform.get(u.transform) ?? []), sdr - common.mixtureSiSdr]);
      byBitrate.set(u.bitrateKbps, [...(byBitrate.get(u.bitrateKbps) ?? []), sdr - common.mixtureSiSdr]);
      if (i % endToEndEvery === 0) {
        const restored = await restore(
          {
            channels: mix,
            sampleRate: RATE,
            references: [{ musicId: u.musicId!, channels: ref, segments: [segment] }],
          },
          { separator },
        );
        endToEnd.push({ ...common, siSdr: siSdrStereo(restored.ost, ost) });
      }
      if (identifiedEvery > 0 && i % identifiedEvery === 0) {
        const restored = await restoreAsIdentified(ctx, catalog!, mix, separator, tracks);
        identified.push({ ...common, siSdr: siSdrStereo(restored.ost, ost) });
      }
    }
    if (ctx.options['removal.survival'] !== '0') survival = await ownMusicSurvival(ctx, separator, tracks);
  } finally {
    await separator.release();
  }
  const r = bySiSdrRatio(reference);
  const e = bySiSdrRatio(endToEnd);
  const id = bySiSdrRatio(identified);
  const transformRows = [...byTransform].map(([t, xs]) => [t, String(xs.length), median(xs)]);
  const bitrateRows = [...byBitrate]
    .sort((a, b) => a[0] - b[0])
    .map(([b, xs]) => [`${b} kb/s`, xs.length, median(xs)]);
  const speed = [];
  const source = items[0];
  for (const seconds of ctx.options['removal.speed'] === '0' ? [] : SPEED_SECONDS) {
    if (!source) break;
    ctx.log(`speed at ${seconds} s`);
    speed.push(
      await speedInChild(fileURLToPath(import.meta.url), [
        CHILD_FLAG,
        ctx.resolve(source.file),
        ctx.resolve(tracks.get(source.musicId!)!.file),
        String(seconds),
      ]),
    );
  }
  const plots = [
    await improvementPlot(
      join(ctx.outDir, 'removal-by-ratio.png'),
      'Catalog music removed with its reference',
      [
        { name: 'reference removal', rows: reference },
        { name: 'restore() end to end', rows: endToEnd },
      ],
    ),
    ...(speed.length
      ? [await speedPlot(join(ctx.outDir, 'removal-speed.png'), 'Reference-guided removal speed', speed)]
      : []),
  ];
  return {
    name: 'removal',
    plots,
    figures: {
      items: items.length,
      reference: r.figures,
      endToEnd: { items: endToEnd.length, ...e.figures },
      asIdentified: { items: identified.length, ...id.figures },
      improvementByTransform: Object.fromEntries(
        transformRows.map(([t, n, m]) => [t, { n: Number(n), median: m }]),
      ),
      improvementByBitrate: Object.fromEntries(
        bitrateRows.map(([b, n, m]) => [b, { n: Number(n), median: m }]),
      ),
      speedErrorMedian: median(speedErrors),
      ownMusicKept: survival?.figures,
      speed,
    },
    table:
      `${items.length} eval re-uploads with catalog music${every > 1 ? ` (every ${ordinal(every)} of each ratio)` : ''}; the remover gets the true span and offset moved by up ` +
      `to ±50 ms and its speed by up to ±0.3%. Restored-OST SI-SDR against the true OST.\n\n**Reference-guided removal**\n\n${r.table}\n` +
      `**restore() end to end** (every ${ordinal(endToEndEvery)} upload: reference removal, the model on the rest)\n\n${e.table}\n` +
      (identified.length
        ? `**As the pipeline: the upload's own identification, then restore()** (every ${ordinal(identifiedEvery)} upload: no true span or offset given; the music the lookups find, at the places and segments they report, grown by the remover while the reference is heard; what they miss goes to the model)\n\n${id.table}\n`
        : '') +
      `**SI-SDR improvement by transform**\n\n${markdownTable(['transform', 'n', 'SI-SDRi median'], transformRows)}\n` +
      `**SI-SDR improvement by AAC bitrate**\n\n${markdownTable(['bitrate', 'n', 'SI-SDRi median'], bitrateRows)}\n` +
      `Median speed error of the alignment: ${median(speedErrors).toExponential(1)}.\n\n` +
      (survival ? `**Original music in the OST** (${survival.note})\n\n${survival.table}\n` : '') +
      `**Speed** (reference removal alone, one segment covering the input)\n\n${speedTable(speed)}`,
    notes: [
      'ceiling: decoded upload minus the true BGM (the best any remover can do after AAC).',
      SPEED_NOTE,
    ],
  };
}

/**
 * The restored OST as the pipeline makes it: catalog music identified in the upload itself (16 kHz mono,
 * identifyMusicSeparated), each match removed with its recording at the segments reported, the model on the
 * rest.
 */
async function restoreAsIdentified(
  ctx: BenchContext,
  db: Database,
  mix: Float32Array[],
  separator: Separator,
  tracks: Map<string, MusicTrack>,
): Promise<{ ost: Float32Array[] }> {
  const mono = resample(downmix(mix), RATE, SEPARATION_RATE);
  const matches = await identifyMusicSeparated(db, mono, SEPARATION_RATE, separator);
  const references = await Promise.all(
    matches.map(async (m) => ({
      musicId: m.musicId,
      channels: (await readWav(ctx.resolve(tracks.get(m.musicId)!.file))).channels,
      segments: m.segments.map((x) => ({ ...x, speed: m.speed })),
    })),
  );
  return restore({ channels: mix, sampleRate: RATE, references }, { separator });
}

/** Share of `own` (the OST's own music) found in `estimate`: projection coefficient over both channels, %. */
function keptPercent(estimate: Float32Array[], own: Float32Array[]): number {
  let dot = 0;
  let energy = 0;
  for (let c = 0; c < own.length; c++) {
    const e = estimate[c];
    const m = own[c];
    for (let i = 0; i < m.length; i++) {
      dot += e[i] * m[i];
      energy += m[i] * m[i];
    }
  }
  return (100 * dot) / energy;
}

/**
 * Uploads whose OST holds the original's own music: how much of that music the restored OST keeps,
 * through restore() as the pipeline calls it (catalog references, frames, and separated music matched
 * against the originals' soundtracks in the catalog).
 */
async function ownMusicSurvival(ctx: BenchContext, separator: Separator, tracks: Map<string, MusicTrack>) {
  const every = Number(ctx.options['removal.survivalEvery'] ?? 1);
  const items = ctx.manifest.uploads
    .filter((u) => u.hasAudio && u.ost && u.originalMusic)
    .filter((_, i) => i % every === 0);
  ctx.log(`own music: ${items.length} uploads whose OST holds the original's music`);
  const db = await ensureBenchCatalog(ctx);
  const rows: { kind: string; kept: number; removedShare: number }[] = [];
  for (const [i, u] of items.entries()) {
    const mix = await decodeAudio(ctx.resolve(u.file));
    const own = (await readWav(ctx.resolve(u.originalMusic!))).channels;
    const references =
      u.musicId && u.musicInCatalog && u.musicStart !== undefined
        ? [
            {
              musicId: u.musicId,
              channels: (await readWav(ctx.resolve(tracks.get(u.musicId)!.file))).channels,
              segments: [matcherSegment(u, i)],
            },
          ]
        : [];
    const frames = await decodeFrames(ctx.resolve(u.file), {
      fps: HASH_FPS,
      width: DECODE_WIDTH,
      height: DECODE_HEIGHT,
    });
    const restored = await restore(
      { channels: mix, sampleRate: RATE, references, frames },
      { separator, attributeMusic: (music, rate) => originalMusicSpans(db, music, rate, {}) },
    );
    const kind = u.musicId
      ? u.musicInCatalog
        ? 'catalog music overlaid'
        : 'other music overlaid'
      : 'no overlay';
    rows.push({
      kind: `${u.kind === 'new_work' ? 'new work, ' : ''}${kind}`,
      kept: keptPercent(restored.ost, own),
      removedShare: keptPercent(restored.bgm, own),
    });
  }
  const groups = [...new Set(rows.map((r) => r.kind))].sort();
  const summary = (xs: typeof rows) => ({
    n: xs.length,
    keptMedian: median(xs.map((r) => r.kept)),
    keptP25: percentile(
      xs.map((r) => r.kept),
      25,
    ),
    inRemovedBgmMedian: median(xs.map((r) => r.removedShare)),
  });
  const all = summary(rows);
  const byKind = Object.fromEntries(groups.map((g) => [g, summary(rows.filter((r) => r.kind === g))]));
  const table = markdownTable(
    ['upload', 'n', 'kept % median', 'kept % p25', 'in removed BGM % median'],
    [...groups.map((g) => [g, byKind[g]] as const), ['all', all] as const].map(([g, x]) => [
      g,
      String(x.n),
      x.keptMedian,
      x.keptP25,
      x.inRemovedBgmMedian,
    ]),
  );
  return {
    figures: { ...all, byKind },
    table,
    note:
      "kept %: the own-music stem's projection onto the restored OST (100 = all of it at its level), " +
      `through restore() with frames and catalog attribution as the pipeline runs it${every > 1 ? `; every ${ordinal(every)} such upload` : ''}`,
  };
}

/**
 * Child: lays `seconds` of the catalog track over the upload's audio (tiled) at 0 dB, removes it once
 * with one segment covering the input, and reports time and peak RSS.
 */
async function speedChild(file: string, musicFile: string, seconds: number): Promise<void> {
  const audio = await decodeAudio(file);
  const ref = (await readWav(musicFile)).channels;
  const n = seconds * RATE;
  const input = audio.map((c, ci) => {
    const out = new Float32Array(n);
    const r = ref[ci % ref.length];
    for (let i = 0; i < n; i++) out[i] = c[i % c.length] + 0.5 * r[i % r.length];
    return out;
  });
  // The matcher always reports a speed (the pipeline passes it on), so the aligner searches near it.
  await reportSpeed(seconds, () =>
    removeReference(input, RATE, ref, [{ start: 0, end: seconds, refStart: 0, speed: 1 }]),
  );
}

if (process.argv[2] === CHILD_FLAG)
  await speedChild(process.argv[3], process.argv[4], Number(process.argv[5]));
