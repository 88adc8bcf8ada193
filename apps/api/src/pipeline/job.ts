// The worker's analyze_upload job: the analysis of a stored Upload, then its results stored
// idempotently (one Stem row per kind and format, one Verdict per Upload, one audit event), so a
// retried or recovered job never duplicates anything.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadSeparator, type Separator } from '@undub/inference/separation';
import type { Prisma, StemKind } from '../generated/prisma/client';
import type { MediaStorage } from '../storage';
import { JobError, registerJobHandler, type JobContext } from '../worker/registry';
import { analyzeFile, type Analysis } from './analyze';
import { analysisReport } from './report';

interface AnalyzeState {
  workDir?: string;
  analysis?: Analysis;
}

// One model session per worker process, loaded on first use.
let separator: Promise<Separator> | null = null;
function sharedSeparator(): Promise<Separator> {
  separator ??= loadSeparator();
  return separator;
}

async function localPath(storage: MediaStorage, key: string, dir: string): Promise<string> {
  if (storage.path) return storage.path(key);
  const file = path.join(dir, 'input');
  await pipeline(await storage.createReadStream(key), createWriteStream(file));
  return file;
}

async function analyze(ctx: JobContext<AnalyzeState>): Promise<void> {
  const { prisma } = ctx.db;
  const upload = ctx.job.uploadId
    ? await prisma.upload.findUnique({ where: { id: ctx.job.uploadId } })
    : null;
  if (!upload) throw new JobError('UPLOAD_NOT_FOUND', `job ${ctx.job.id} has no upload to analyse`, false);
  ctx.state.workDir = await mkdtemp(path.join(os.tmpdir(), `undub-job-${ctx.job.id}-`));
  const input = await localPath(ctx.storage, upload.storageKey, ctx.state.workDir);
  try {
    ctx.state.analysis = await analyzeFile(
      input,
      {
        db: ctx.db,
        config: ctx.config,
        separator: await sharedSeparator(),
        // The upload's own tenant: its catalog, never another tenant's.
        catalog: {
          tenantId: ctx.job.tenantId,
          storage: ctx.storage,
          maxDurationSeconds: ctx.config.maxDurationSeconds,
        },
      },
      {
        outDir: path.join(ctx.state.workDir, 'out'),
        outputs: 'all',
        onProgress: (p) => ctx.setProgress(p.progress),
      },
    );
  } catch (err) {
    // Bad media cannot get better with a retry.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('MEDIA_')) throw new JobError(code, (err as Error).message, false);
    throw err;
  }
}

const STEM_FILES: { kind: StemKind; format: string; pick: (a: Analysis) => string | null }[] = [
  { kind: 'ost', format: 'wav', pick: (a) => a.outputs.ost },
  { kind: 'bgm', format: 'wav', pick: (a) => a.outputs.bgm },
  { kind: 'speech', format: 'wav', pick: (a) => a.outputs.speech },
  { kind: 'ost', format: 'm4a', pick: (a) => a.outputs.browser.ost },
  { kind: 'bgm', format: 'm4a', pick: (a) => a.outputs.browser.bgm },
  { kind: 'speech', format: 'm4a', pick: (a) => a.outputs.browser.speech },
  { kind: 'ost', format: 'mp4', pick: (a) => a.outputs.restoredVideo },
];

async function storeResults(ctx: JobContext<AnalyzeState>): Promise<void> {
  const analysis = ctx.state.analysis;
  const uploadId = ctx.job.uploadId;
  if (!analysis || !uploadId) throw new JobError('JOB_STATE_LOST', 'analysis results are missing');
  const { prisma } = ctx.db;
  const durationSeconds = analysis.media.durationSeconds;
  const channels = analysis.media.audio ? Math.min(2, analysis.media.audio.channels) : 0;

  for (const stem of STEM_FILES) {
    const file = stem.pick(analysis);
    if (!file || !analysis.sampleRate) continue;
    const stored = await ctx.storage.put({ file });
    const data = { storageKey: stored.key, sampleRate: analysis.sampleRate, channels, durationSeconds };
    await prisma.stem.upsert({
      where: { uploadId_kind_format: { uploadId, kind: stem.kind, format: stem.format } },
      create: { uploadId, kind: stem.kind, format: stem.format, ...data },
      update: data,
    });
  }

  const report = analysisReport(analysis);
  // Local paths of this worker's scratch directory mean nothing to anyone else.
  const evidence = {
    ...report,
    stems: undefined,
    restoredVideo: undefined,
  } as unknown as Prisma.InputJsonValue;
  const v = analysis.verdict;
  const original = v.originalId
    ? await prisma.originalWork.findFirst({ where: { tenantId: ctx.job.tenantId, externalId: v.originalId } })
    : null;
  const data = {
    verdict: v.verdict,
    confidence: v.confidence,
    routing: v.routing,
    originalWorkId: original?.id ?? null,
    musicIdentified: analysis.musicMatches.length > 0,
    evidence,
    modelVersions: analysis.versions as unknown as Prisma.InputJsonValue,
    configVersion: analysis.versions.config,
  };
  const verdict = await prisma.verdict.upsert({
    where: { uploadId },
    create: { uploadId, ...data },
    update: data,
  });
  await ctx.audit(
    'verdict.created',
    `upload:${uploadId}`,
    {
      verdictId: verdict.id,
      verdict: v.verdict,
      confidence: v.confidence,
      routing: v.routing,
      originalId: v.originalId,
    },
    'verdict',
  );
  if (ctx.state.workDir) await rm(ctx.state.workDir, { recursive: true, force: true });
}

export function registerAnalyzeUploadHandler(): void {
  registerJobHandler<AnalyzeState>({
    kind: 'analyze_upload',
    stages: [
      { name: 'analyze', weight: 9, run: analyze },
      { name: 'store_results', weight: 1, run: storeResults },
    ],
  });
}
