// Uploads analysed per hour with 1, 2 and 4 `undub worker` processes on this machine (issue 8). Each
// round queues the same short uploads (the benchmark's own, cut to a few seconds) on an embedded
// PostgreSQL of the suite's own, then starts the workers; the rate is counted from the first job's
// start to the last job's end (Job rows), so worker start-up is left out and model loading is not.
// Options: --opt throughput.workers=1,2,4 --opt throughput.uploads=10 --opt throughput.seconds=4
import os from 'node:os';
import path from 'node:path';
import {
  clip,
  indexCatalog,
  openBatchServices,
  pickBatch,
  ScratchPostgres,
  sleep,
  submitFile,
  unfinishedJobs,
  WorkerPool,
} from '../../../scripts/fault/batch';
import type { BenchContext, SuiteResult } from '../context';
import { linePlot } from '../plot';
import { markdownTable, median } from '../score';

interface Round {
  workers: number;
  uploads: number;
  succeeded: number;
  makespanSeconds: number;
  uploadsPerHour: number;
  mediaHoursPerHour: number;
  medianJobSeconds: number;
  loadAverage: number;
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const workerCounts = (ctx.options['throughput.workers'] ?? '1,2,4').split(',').map(Number);
  const count = Number(ctx.options['throughput.uploads'] ?? 10);
  const seconds = Number(ctx.options['throughput.seconds'] ?? 4);
  const pg = await ScratchPostgres.start(ctx.tmpDir);
  const services = await openBatchServices(pg.url, ctx.tmpDir);
  try {
    const batch = pickBatch(ctx.manifest, count);
    await indexCatalog(services, ctx.dataDir, batch, ctx.log);
    const clips: string[] = [];
    for (const u of batch.uploads)
      clips.push(await clip(ctx.resolve(u.file), path.join(ctx.tmpDir, 'in', `${u.id}.mp4`), seconds));

    const rounds: Round[] = [];
    for (const workers of workerCounts) {
      // The same files again, under a new external reference each round, so no upload is a duplicate.
      const jobIds: string[] = [];
      for (const [i, file] of clips.entries()) {
        const s = await submitFile(services, file, `throughput-${workers}-${i}`);
        if (s.error) throw new Error(`${file}: ${s.error.code} ${s.error.message}`);
        jobIds.push(s.result!.job!.id);
      }
      ctx.log(`${workers} worker(s): ${jobIds.length} uploads queued`);
      const pool = new WorkerPool(services.workerEnv, workers);
      const loads: number[] = [];
      pool.start();
      try {
        while ((await unfinishedJobs(services, jobIds)) !== 0) {
          loads.push(os.loadavg()[0]);
          await sleep(1000);
        }
      } finally {
        await pool.stop();
      }
      const jobs = await services.db.prisma.job.findMany({ where: { id: { in: jobIds } } });
      const starts = jobs.flatMap((j) => (j.startedAt ? [j.startedAt.getTime()] : []));
      const ends = jobs.flatMap((j) => (j.finishedAt ? [j.finishedAt.getTime()] : []));
      const makespan = (Math.max(...ends) - Math.min(...starts)) / 1000;
      const succeeded = jobs.filter((j) => j.status === 'succeeded').length;
      rounds.push({
        workers,
        uploads: jobs.length,
        succeeded,
        makespanSeconds: Number(makespan.toFixed(1)),
        uploadsPerHour: Math.round((succeeded / makespan) * 3600),
        mediaHoursPerHour: Number(((succeeded * seconds) / makespan).toFixed(2)),
        medianJobSeconds: Number(
          median(
            jobs.flatMap((j) =>
              j.startedAt && j.finishedAt ? [(j.finishedAt.getTime() - j.startedAt.getTime()) / 1000] : [],
            ),
          ).toFixed(1),
        ),
        loadAverage: Number(median(loads).toFixed(1)),
      });
      ctx.log(`${workers} worker(s): ${rounds.at(-1)!.uploadsPerHour} uploads/h`);
    }

    const table = [
      `${count} uploads of ${seconds} s (720p H.264 + AAC, the benchmark's re-uploads) per round, catalog of ` +
        `${batch.music.length} music tracks and ${batch.originals.length} original works, on ${os.cpus().length} cores ` +
        `(${os.cpus()[0]?.model ?? 'cpu'}) shared with other work: the median 1-minute load average during each round is shown.`,
      '',
      markdownTable(
        [
          'workers',
          'uploads',
          'succeeded',
          'makespan s',
          'uploads/hour',
          'media hours/hour',
          'median job s',
          'load avg',
        ],
        rounds.map((r) => [
          String(r.workers),
          String(r.uploads),
          String(r.succeeded),
          r.makespanSeconds,
          String(r.uploadsPerHour),
          String(r.mediaHoursPerHour),
          r.medianJobSeconds,
          r.loadAverage,
        ]),
      ),
    ].join('\n');
    const plots = [
      await linePlot(path.join(ctx.outDir, 'throughput.png'), {
        title: `Uploads of ${seconds} s analysed per hour`,
        xLabel: 'worker processes',
        yLabel: 'uploads per hour',
        series: [{ name: 'uploads/hour', points: rounds.map((r) => [r.workers, r.uploadsPerHour]) }],
      }),
    ];
    return {
      name: 'throughput',
      plots,
      figures: { uploadSeconds: seconds, uploadsPerRound: count, cores: os.cpus().length, rounds },
      table,
      notes: [
        'uploads/hour = succeeded uploads / (last job end − first job start) × 3600: a short batch extrapolated to an hour at a constant rate. ' +
          'Each worker loads its separation model on its first job, which is inside the window. ' +
          'Workers are CPU-bound (ffmpeg decoding, STFT, ONNX inference), so more workers than cores add no throughput.',
      ],
    };
  } finally {
    await services.close().catch(() => {});
    await pg.stop().catch(() => {});
  }
}
