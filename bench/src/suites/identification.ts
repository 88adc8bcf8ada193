// Identification, matching and speed (issue 3): top-1 music identification by ratio and under speed
// change, false identifications on non-catalog music, original-work matching per video transform,
// fingerprinting and video hashing speed. Lookup time at catalog scale is the scale suite's.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fingerprint, SAMPLE_RATE } from '@undub/inference/fingerprint';
import { decodeAudio, decodeFrames } from '@undub/inference/media';
import { loadSeparator, type Separator } from '@undub/inference/separation';
import { DECODE_HEIGHT, DECODE_WIDTH, HASH_FPS, hashVideoFile } from '@undub/inference/videohash';
import { identifyMusic, matchOriginals } from '../../../apps/api/src/catalog';
import { MATCH_CONFIDENCE } from '../../../apps/api/src/catalog/identify';
import { identifyMusicSeparated } from '../../../apps/api/src/catalog/separated-lookup';
import { MIN_PRESENCE_Z } from '../../../apps/api/src/catalog/waveform-check';
import { ensureBenchCatalog } from '../catalog';
import type { BenchContext, SuiteResult } from '../context';
import type { Upload } from '../manifest';
import { diagnoseMiss, type MissDiagnosis } from '../miss-diagnosis';
import { linePlot } from '../plot';
import { median } from '../score';
import { splitOf } from '../split';

const pct = (n: number, d: number) => (d ? Math.round((1000 * n) / d) / 10 : Number.NaN);
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

async function monoAt(
  sampleRate: number,
  file: string,
  startSeconds?: number,
  durationSeconds?: number,
): Promise<Float32Array> {
  return (await decodeAudio(file, { sampleRate, channels: 1, startSeconds, durationSeconds }))[0];
}
const mono8k = (file: string, start?: number, duration?: number) =>
  monoAt(SAMPLE_RATE, file, start, duration);
/** Music identification hears what the pipeline hears: the separation model wants its own 16 kHz band. */
const ID_RATE = 16000;
const monoId = (file: string, start?: number, duration?: number) => monoAt(ID_RATE, file, start, duration);

/** CPU seconds of this process (JS is single-threaded: one core). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of finished child processes (ffmpeg), from /proc: cutime + cstime in clock ticks. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const { manifest } = ctx;
  const db = await ensureBenchCatalog(ctx);
  const figures: Record<string, unknown> = { loadAverage: os.loadavg()[0] };
  const tables: string[] = [];
  const notes: string[] = [];
  const plots: string[] = [];
  // --opt parts=music,false runs a subset.
  const parts = new Set((ctx.options.parts ?? 'speed,music,false,originals').split(','));
  // --opt split=train tunes thresholds on the uploads and excerpts whose id hashes to train (70%), and
  // --opt split=validation,eval reports on the rest; the benchmark's sources are all eval-split already.
  const splits = ctx.options.split ? new Set(ctx.options.split.split(',')) : undefined;
  const inSplit = (id: string) => !splits || splits.has(splitOf(id));

  // --- Fingerprinting speed (one core, decoded audio in, landmarks out).
  const catalogMusic = manifest.music.filter((m) => m.inCatalog);
  let audioSeconds = 0;
  let fpCpu = 0;
  let landmarks = 0;
  for (const m of catalogMusic) {
    const x = await mono8k(ctx.resolve(m.file));
    const c0 = cpuSeconds();
    landmarks += fingerprint(x, SAMPLE_RATE).hashes.length;
    fpCpu += cpuSeconds() - c0;
    audioSeconds += x.length / SAMPLE_RATE;
  }
  const landmarkRate = landmarks / audioSeconds;
  figures.fingerprinting = {
    audioSeconds,
    cpuSeconds: fpCpu,
    xRealTime: audioSeconds / fpCpu,
    landmarksPerSecond: landmarkRate,
  };
  ctx.log(`fingerprinting: ${f1(audioSeconds / fpCpu)}x real time`);

  if (parts.has('speed')) {
    // --- Video hashing speed (decoding included, wall clock).
    let videoSeconds = 0;
    let videoWall = 0;
    let videoCpu = 0;
    for (const o of manifest.originals.filter((x) => x.inCatalog).slice(0, 20)) {
      const t0 = performance.now();
      const c0 = cpuSeconds() + childCpuSeconds();
      await hashVideoFile(ctx.resolve(o.video));
      videoWall += (performance.now() - t0) / 1000;
      videoCpu += cpuSeconds() + childCpuSeconds() - c0;
      videoSeconds += o.durationSeconds;
    }
    // CPU time (ours + ffmpeg's) is the one-core figure; wall clock depends on how busy the machine is.
    figures.videoHashing = {
      videoSeconds,
      cpuSeconds: videoCpu,
      xRealTime: videoSeconds / videoCpu,
      wallSeconds: videoWall,
      xRealTimeWall: videoSeconds / videoWall,
    };
    ctx.log(
      `video hashing: ${f1(videoSeconds / videoCpu)}x real time (CPU), ${f1(videoSeconds / videoWall)}x (wall)`,
    );
    tables.push(
      `### Speed\n\n| measure | value |\n|---|---|\n| fingerprinting (one core) | ${f1(audioSeconds / fpCpu)}x real time |\n| landmarks per second of audio | ${f1(landmarkRate)} |\n| video hashing incl. decoding (CPU, ffmpeg included) | ${f1(videoSeconds / videoCpu)}x real time |\n| video hashing incl. decoding (wall clock, shared machine) | ${f1(videoSeconds / videoWall)}x real time |`,
    );
  }

  // As the pipeline identifies music: the mixture's lookup, then the mixture with the separated music,
  // then the waveform check (--opt separated=0: the mixture's lookup alone, for comparison).
  let separator: Separator | undefined;
  const identify = async (x: Float32Array) => {
    if (ctx.options.separated === '0') return identifyMusic(db, x, ID_RATE);
    separator ??= await loadSeparator();
    return identifyMusicSeparated(db, x, ID_RATE, separator);
  };

  if (parts.has('music')) {
    // --- Music identification on uploads.
    const withCatalogMusic = manifest.uploads.filter(
      (u) => u.musicId && u.musicInCatalog && u.hasAudio && inSplit(u.id),
    );
    const rows: {
      u: Upload;
      ok: boolean;
      top?: string;
      byWaveform: boolean;
      beneath: boolean;
      ms: number;
    }[] = [];
    for (const u of withCatalogMusic) {
      const x = await monoId(ctx.resolve(u.file));
      const t0 = performance.now();
      const found = await identify(x);
      rows.push({
        u,
        ok: found[0]?.musicId === u.musicId,
        top: found[0]?.musicId,
        byWaveform: found[0]?.evidence === 'waveform',
        beneath: found[0]?.beneath !== undefined,
        ms: performance.now() - t0,
      });
    }
    const group = (label: string, pick: (u: Upload) => boolean) => {
      const g = rows.filter((r) => pick(r.u));
      return {
        label,
        n: g.length,
        top1: pct(g.filter((r) => r.ok).length, g.length),
        wrong: g.filter((r) => r.top && !r.ok).length,
        byWaveform: g.filter((r) => r.ok && r.byWaveform).length,
        beneath: g.filter((r) => r.ok && r.beneath).length,
        medianMs: median(g.map((r) => r.ms)),
      };
    };
    const ratios = [
      ...new Set(withCatalogMusic.flatMap((u) => (u.ratioDb === undefined ? [] : [u.ratioDb]))),
    ].sort((a, b) => b - a);
    // Edge cases (e.g. very short uploads) carry catalog music without a nominal OST-to-BGM ratio.
    const unrated = withCatalogMusic.some((u) => u.ratioDb === undefined);
    const musicGroups = [
      ...ratios.map((r) =>
        group(`OST/BGM ${r > 0 ? '+' : ''}${r} dB, speed 1`, (u) => u.ratioDb === r && u.speed === 1),
      ),
      ...(unrated
        ? [group('edge cases, no nominal ratio, speed 1', (u) => u.ratioDb === undefined && u.speed === 1)]
        : []),
      group('all ratios, speed ±3%', (u) => u.speed !== 1),
      group('all ratios, AAC < 128 kb/s', (u) => u.bitrateKbps < 128),
      group('all', () => true),
    ];
    figures.musicIdentification = Object.fromEntries(musicGroups.map((g) => [g.label, g]));
    tables.push(
      `### Music identification (top-1, whole 10 s uploads; ${ctx.options.separated === '0' ? 'mixture lookup only' : 'as the pipeline: the mixture, then the mixture with the separated music, then a waveform check of the best candidates, then a lookup with the soundtrack of the original work the upload matches removed'}${splits ? `; split ${ctx.options.split}` : ''})\n\n| uploads | n | top-1 % | of which by waveform check | of which under the original's soundtrack | wrong track named | median ms per upload |\n|---|---|---|---|---|---|---|\n` +
        musicGroups
          .map(
            (g) =>
              `| ${g.label} | ${g.n} | ${f1(g.top1)} | ${g.byWaveform} | ${g.beneath} | ${g.wrong} | ${f1(g.medianMs)} |`,
          )
          .join('\n'),
    );
    ctx.log(`music identification: ${musicGroups.at(-1)!.top1}% top-1`);
    if (separator) {
      const misses: MissDiagnosis[] = [];
      for (const r of rows.filter((x) => !x.ok)) {
        misses.push(
          await diagnoseMiss(db, r.u, await monoId(ctx.resolve(r.u.file)), ID_RATE, separator, r.top),
        );
      }
      figures.musicMisses = misses;
      tables.push(
        `### Missed uploads, from the ground truth\n\nLandmark votes at the true place against the most at any other place of the same track (the track's stored landmarks re-voted with the upload's query at its true speed, no vote budget), and the waveform's presence at the true place (null spreads; the waveform check identifies from ${MIN_PRESENCE_Z}, at the places the lookups vote for).\n\n| upload | track | OST/BGM dB | speed | music s | named instead | votes, mixture | votes, with separated music | waveform presence |\n|---|---|---|---|---|---|---|---|---|\n` +
          misses
            .map(
              (m) =>
                `| ${m.upload} | ${m.musicId} | ${m.ratioDb ?? '–'} | ${m.speed.toFixed(3)} | ${f1(m.musicSeconds)} | ${m.named ?? 'none'} | ${m.mixture.join(' / ')} | ${m.withSeparated.join(' / ')} | ${f1(m.presenceZ)} |`,
            )
            .join('\n'),
      );
    }
    const byRatio = (pick: (u: Upload) => boolean): [number, number][] =>
      ratios.map((r) => [r, group('', (u) => u.ratioDb === r && pick(u)).top1]);
    plots.push(
      await linePlot(join(ctx.outDir, 'identification-by-ratio.png'), {
        title: 'Catalog music named top-1 in 10 s uploads',
        xLabel: 'OST-to-BGM (dB)',
        yLabel: 'top-1 correct (%)',
        yRange: [0, 100],
        series: [
          { name: 'speed 1', points: byRatio((u) => u.speed === 1) },
          { name: 'speed ±3%', points: byRatio((u) => u.speed !== 1) },
        ],
      }),
    );
  }

  if (parts.has('false')) {
    // --- False identification on non-catalog music (excerpts cut at run time) and uploads with such music.
    let falseIds = 0;
    // Which non-catalog track was taken for which catalog track: a cluster on one pair points at two
    // versions of the same music in the data rather than at chance.
    const falsePairs: Record<string, number> = {};
    const sharedAudio: SharedAudio[] = [];
    const excerpts = manifest.musicExcerpts
      .filter((e) => inSplit(e.id))
      .slice(0, Number(ctx.options.excerpts ?? manifest.musicExcerpts.length));
    for (const e of excerpts) {
      const track = manifest.music.find((m) => m.id === e.musicId)!;
      const x = await monoId(ctx.resolve(track.file), e.start, e.duration);
      const found = await identify(x);
      if (found.length > 0) {
        falseIds++;
        const pair = `${e.musicId} -> ${found[0].musicId}`;
        falsePairs[pair] = (falsePairs[pair] ?? 0) + 1;
        sharedAudio.push(await sharedAudioCheck(ctx, x, found[0], e.id));
      }
    }
    let falseOnUploads = 0;
    const unknownMusicUploads = manifest.uploads.filter(
      (u) => u.musicId && !u.musicInCatalog && u.hasAudio && inSplit(u.id),
    );
    // Music the catalog lacks takes every look (both lookups, the separation, the waveform checks).
    const unknownMs: number[] = [];
    for (const u of unknownMusicUploads) {
      const x = await monoId(ctx.resolve(u.file));
      const t0 = performance.now();
      if ((await identify(x)).length > 0) falseOnUploads++;
      unknownMs.push(performance.now() - t0);
    }
    figures.falseIdentification = {
      excerpts: excerpts.length,
      falseIds,
      uploadsWithUnknownMusic: unknownMusicUploads.length,
      falseOnUploads,
      unknownMusicMedianMs: median(unknownMs),
      falsePairs,
      sharedAudio,
    };
    tables.push(
      `### False identification${splits ? ` (split ${ctx.options.split})` : ''}\n\n| set | n | identified (false) | median ms per item |\n|---|---|---|---|\n| non-catalog music excerpts, 10 s | ${excerpts.length} | ${falseIds} | – |\n| uploads with non-catalog music | ${unknownMusicUploads.length} | ${falseOnUploads} | ${f1(median(unknownMs))} |` +
        (Object.keys(falsePairs).length
          ? `\n\nFalse identifications by pair (excerpt track -> catalog track): ${Object.entries(falsePairs)
              .map(([p, k]) => `${p} (${k})`)
              .join(', ')}`
          : '') +
        (sharedAudio.length
          ? `\n\nWaveform check (independent of the fingerprints): normalised correlation of each falsely identified excerpt with the named track over the reported segment, best lag within ±50 ms, and the same 10 s later in the track (unrelated audio) for comparison: ${sharedAudio
              .map(
                (a) =>
                  `${a.excerpt} (${a.evidence}) ${a.seconds.toFixed(1)} s: ${a.atMatch.toFixed(2)} (control ${a.control.toFixed(2)})`,
              )
              .join('; ')}. Far above the control, the excerpt shares audio with the catalog track.`
          : ''),
    );
  }

  if (parts.has('originals')) {
    // --- Original-work matching per transform (audio + picture).
    const transforms = [...new Set(manifest.uploads.map((u) => u.transform))];
    const origRows: { u: Upload; ok: boolean; any: boolean }[] = [];
    // --opt originals=clean_reupload,new_work leaves out the re-uploads with music (a quicker run).
    const kinds = new Set((ctx.options.originals ?? 'clean_reupload,new_work,reupload').split(','));
    for (const u of manifest.uploads.filter((x) => kinds.has(x.kind))) {
      const file = ctx.resolve(u.file);
      const audio = u.hasAudio ? { mono: await mono8k(file), sampleRate: SAMPLE_RATE } : undefined;
      const frames = await decodeFrames(file, { fps: HASH_FPS, width: DECODE_WIDTH, height: DECODE_HEIGHT });
      // Matches under MATCH_CONFIDENCE only share the sound (a stock ambience under another picture).
      const found = (await matchOriginals(db, { audio, frames })).filter(
        (m) => m.confidence >= MATCH_CONFIDENCE,
      );
      origRows.push({ u, ok: found[0]?.originalId === u.originalId, any: found.length > 0 });
    }
    const origTable = transforms.map((t) => {
      const clean = origRows.filter((r) => r.u.kind === 'clean_reupload' && r.u.transform === t);
      const withMusic = origRows.filter((r) => r.u.kind === 'reupload' && r.u.transform === t);
      const fresh = origRows.filter((r) => r.u.kind === 'new_work' && r.u.transform === t);
      return {
        transform: t,
        clean: { n: clean.length, correct: pct(clean.filter((r) => r.ok).length, clean.length) },
        withMusic: {
          n: withMusic.length,
          correct: pct(withMusic.filter((r) => r.ok).length, withMusic.length),
        },
        newWorks: { n: fresh.length, falseMatches: fresh.filter((r) => r.any).length },
      };
    });
    figures.originalMatching = Object.fromEntries(origTable.map((r) => [r.transform, r]));
    tables.push(
      '### Original-work matching (top-1)\n\n| transform | clean re-uploads n | correct % | re-uploads with music n | correct % | new works n | false matches |\n|---|---|---|---|---|---|---|\n' +
        origTable
          .map(
            (r) =>
              `| ${r.transform} | ${r.clean.n} | ${f1(r.clean.correct)} | ${r.withMusic.n} | ${f1(r.withMusic.correct)} | ${r.newWorks.n} | ${r.newWorks.falseMatches} |`,
          )
          .join('\n'),
    );
  }

  await separator?.release();
  notes.push(
    `Speed figures on a shared 2-core machine (load average ${f1(os.loadavg()[0])} at the end); fingerprinting is CPU time of one core; video hashing is CPU time of this process and ffmpeg (decoding included), with wall clock beside it.`,
    'Lookup time against catalogs of 1k, 10k and 100k tracks: the scale suite.',
  );
  return { name: 'identification', figures, table: tables.join('\n\n'), notes, plots };
}

interface SharedAudio {
  excerpt: string;
  /** What identified it (landmarks, or the product's own waveform check). */
  evidence: string;
  seconds: number;
  atMatch: number;
  control: number;
}

/** Best normalised correlation of x[from, to) with y read from `at`, over lags within ±maxLag samples. */
function bestCorrelation(x: Float32Array, y: Float32Array, at: number, maxLag: number): number {
  let best = 0;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i < x.length; i++) {
      const v = y[at + lag + i] ?? 0;
      xy += x[i] * v;
      xx += x[i] * x[i];
      yy += v * v;
    }
    best = Math.max(best, Math.abs(xy) / Math.sqrt(xx * yy + 1e-20));
  }
  return best;
}

/**
 * Whether a "false" identification is music the excerpt really shares with the named catalog track:
 * the waveforms' correlation at the matched offset, against a control 10 s further into the track.
 */
async function sharedAudioCheck(
  ctx: BenchContext,
  x: Float32Array,
  match: { musicId: string; evidence: string; segments: { start: number; end: number; refStart: number }[] },
  excerpt: string,
): Promise<SharedAudio> {
  const seg = match.segments[0];
  const track = ctx.manifest.music.find((m) => m.id === match.musicId)!;
  const y = await monoId(ctx.resolve(track.file));
  const part = x.subarray(Math.round(seg.start * ID_RATE), Math.round(seg.end * ID_RATE));
  const at = Math.round(seg.refStart * ID_RATE);
  const maxLag = Math.round(0.05 * ID_RATE);
  return {
    excerpt,
    evidence: match.evidence,
    seconds: seg.end - seg.start,
    atMatch: bestCorrelation(part, y, at, maxLag),
    control: bestCorrelation(part, y, at + 10 * ID_RATE, maxLag),
  };
}
