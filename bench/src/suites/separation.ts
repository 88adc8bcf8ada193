// Unknown-music removal by the trained separation model (@undub/inference/separation) on the eval
// uploads whose music is not in the catalog, beside a non-learned baseline (median-filter HPSS) and
// the codec ceiling; plus speed and peak memory at 15, 60 and 300 s of 48 kHz stereo, each measured
// in a child process so the peak RSS is the separation's own.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeparator, modelInfo, separateHpss } from '@undub/inference/separation';
import { downmix } from '@undub/inference/dsp';
import { restore } from '@undub/inference/restore';
import { reusedSoundtrack } from '../../../apps/api/src/catalog/under-original';
import { improvementPlot, speedPlot } from '../audio-plots';
import { ensureBenchCatalog } from '../catalog';
import type { BenchContext, SuiteResult } from '../context';
import { decodeAudio } from '../ffmpeg';
import { type RatioRow, bySiSdrRatio, siSdrStereo } from '../score';
import { everyNthPerRatio, ordinal } from '../sample';
import { readWav } from '../wav';
import { reportSpeed, SPEED_NOTE, speedInChild, speedTable } from '../speed';

const SPEED_SECONDS = [15, 60, 300];
const RATE = 48000;
const CHILD_FLAG = '--separation-speed-child';

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const all = ctx.options['separation.all'] === '1';
  const every = Number(ctx.options['separation.every'] ?? 1);
  const items = ctx.manifest.uploads
    .filter((u) => u.hasAudio && u.ost && u.musicId && u.ratioDb !== undefined && (all || !u.musicInCatalog))
    .filter(everyNthPerRatio(every));
  ctx.log(`separating ${items.length} uploads with ${all ? 'any' : 'non-catalog'} music`);
  const separator = await loadSeparator();
  const db = await ensureBenchCatalog(ctx);
  const model: RatioRow[] = [];
  const baseline: RatioRow[] = [];
  // restore() as the pipeline calls it when no catalog music is found: the model where it hears music,
  // without and with the soundtrack of the catalog work the upload re-uses set aside first.
  const alone: RatioRow[] = [];
  const setAside: RatioRow[] = [];
  try {
    for (const [i, u] of items.entries()) {
      if (i % 16 === 0) ctx.log(`${i}/${items.length}`);
      const mix = await decodeAudio(ctx.resolve(u.file));
      const ost = (await readWav(ctx.resolve(u.ost!))).channels;
      const mixtureSiSdr = siSdrStereo(mix, ost);
      const common = { ratioDb: u.ratioDb!, mixtureSiSdr, ceilingSiSdr: u.ceilingSiSdr };
      model.push({ ...common, siSdr: siSdrStereo((await separator.separate(mix, RATE)).ost, ost) });
      baseline.push({ ...common, siSdr: siSdrStereo(separateHpss(mix, RATE).ost, ost) });
      const soundtrack = await reusedSoundtrack(db, downmix(mix), RATE, { channels: mix.length });
      if (soundtrack) {
        const restored = (s?: typeof soundtrack) =>
          restore(
            { channels: mix, sampleRate: RATE, references: [] },
            { separator, reusedSoundtrack: async () => s },
          );
        alone.push({ ...common, siSdr: siSdrStereo((await restored()).ost, ost) });
        setAside.push({ ...common, siSdr: siSdrStereo((await restored(soundtrack)).ost, ost) });
      }
    }
  } finally {
    await separator.release();
  }
  const m = bySiSdrRatio(model);
  const b = bySiSdrRatio(baseline);
  const a = bySiSdrRatio(alone);
  const w = bySiSdrRatio(setAside);
  const speed = [];
  const source = items[0] ? ctx.resolve(items[0].file) : undefined;
  for (const seconds of SPEED_SECONDS) {
    if (!source) break;
    ctx.log(`speed at ${seconds} s`);
    speed.push(await speedInChild(fileURLToPath(import.meta.url), [CHILD_FLAG, source, String(seconds)]));
  }
  const plots = [
    await improvementPlot(join(ctx.outDir, 'separation-by-ratio.png'), 'Unknown music removed by the model', [
      { name: 'model', rows: model },
      { name: 'HPSS baseline', rows: baseline },
    ]),
    ...(speed.length
      ? [await speedPlot(join(ctx.outDir, 'separation-speed.png'), 'Separation model speed', speed)]
      : []),
  ];
  return {
    name: 'separation',
    plots,
    figures: {
      model: { ...modelInfo },
      items: items.length,
      scope: all ? 'all music uploads' : 'non-catalog music uploads',
      separator: m.figures,
      baselineHpss: b.figures,
      restoreAlone: { items: alone.length, ...a.figures },
      restoreSoundtrackSetAside: { items: setAside.length, ...w.figures },
      speed,
    },
    table:
      `Model ${modelInfo.name} v${modelInfo.version} (sha256 ${modelInfo.sha256.slice(0, 12)}), ` +
      `${items.length} uploads${every > 1 ? ` (every ${ordinal(every)} of each ratio)` : ''}, restored-OST SI-SDR against the true OST.\n\n**Model**\n\n${m.table}\n` +
      `**Baseline: median-filter HPSS (non-learned)**\n\n${b.table}\n` +
      `**restore(), re-uploads of a catalog work** (${alone.length} uploads whose soundtrack matches a catalog work, as the pipeline finds it; the model where it hears music)\n\n${a.table}\n` +
      `**The same with the work's soundtrack set aside first** (removed with its aligned reference before the model runs, returned after)\n\n${w.table}\n` +
      `**Speed** (2 ORT threads)\n\n${speedTable(speed)}`,
    notes: [
      'SI-SDRi: improvement over the unprocessed mixture; ceiling: decoded upload minus the true BGM.',
      SPEED_NOTE,
    ],
  };
}

/** Child: tiles the upload's audio to `seconds`, separates it once, reports time and peak RSS. */
async function speedChild(file: string, seconds: number): Promise<void> {
  const audio = await decodeAudio(file);
  const n = seconds * RATE;
  const input = audio.map((c) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += c.length) out.set(c.subarray(0, Math.min(c.length, n - i)), i);
    return out;
  });
  const separator = await loadSeparator();
  await reportSpeed(seconds, () => separator.separate(input, RATE));
}

if (process.argv[2] === CHILD_FLAG) await speedChild(process.argv[3], Number(process.argv[4]));
