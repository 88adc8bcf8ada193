// What the fault test asserts after a batch: one outcome per upload (a verdict or a coded error),
// nothing duplicated (jobs, stems, verdicts, audit events), nothing lost or left over (queue entries,
// stored files without a row, rows without a file), and the audit chain intact.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AuditChainReport } from '../../apps/api/src/audit/verify';
import type { BatchServices, Submission } from './batch';
import type { HostileFile } from './hostile';

export interface UploadOutcome {
  file: string;
  hostileKind?: string;
  /** `verdict`, `error` (job failed with a code), or `refused` (rejected at submission with a code). */
  outcome: 'verdict' | 'error' | 'refused' | 'inconsistent';
  verdict?: string;
  code?: string;
  message?: string;
  attempts?: number;
}

export interface BatchCheck {
  passed: boolean;
  failures: string[];
  outcomes: UploadOutcome[];
  counts: Record<string, number>;
  verdicts: Record<string, number>;
  errorCodes: Record<string, number>;
  attempts: Record<string, number>;
  hostile: { kind: string; what: string; results: Record<string, number> }[];
  queueStates: Record<string, number>;
  auditChain: { ok: boolean; checked: number; broken: number };
}

interface Row {
  id: string;
  jobs: number;
  status: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  verdicts: number;
  verdict: string | null;
  stems: number;
  submittedEvents: number;
  verdictEvents: number;
}

export const tally = (xs: (string | undefined)[]) =>
  xs.reduce<Record<string, number>>(
    (acc, x) => (x === undefined ? acc : ((acc[x] = (acc[x] ?? 0) + 1), acc)),
    {},
  );

async function storedKeys(mediaDir: string): Promise<string[]> {
  const keys: string[] = [];
  for (const sub of await readdir(mediaDir).catch(() => [])) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    keys.push(...(await readdir(path.join(mediaDir, sub))));
  }
  return keys;
}

export async function checkBatch(
  services: BatchServices,
  submissions: (Submission & { hostile?: HostileFile })[],
  chain: AuditChainReport,
  dataDir: string,
): Promise<BatchCheck> {
  const { pool } = services.db;
  const failures: string[] = [];
  const accepted = submissions.filter((s) => s.result);
  const uploadIds = accepted.map((s) => s.result!.upload.id);
  const { rows } = await pool.query<Row>(
    `SELECT u.id,
       (SELECT count(*)::int FROM "Job" j WHERE j."uploadId" = u.id) AS jobs,
       j.status, j."errorCode", j."errorMessage", j.attempts,
       (SELECT count(*)::int FROM "Verdict" v WHERE v."uploadId" = u.id) AS verdicts,
       (SELECT v.verdict::text FROM "Verdict" v WHERE v."uploadId" = u.id) AS verdict,
       (SELECT count(*)::int FROM "Stem" s WHERE s."uploadId" = u.id) AS stems,
       (SELECT count(*)::int FROM "AuditEvent" a WHERE a.subject = 'upload:' || u.id AND a.action = 'upload.submitted') AS "submittedEvents",
       (SELECT count(*)::int FROM "AuditEvent" a WHERE a.subject = 'upload:' || u.id AND a.action = 'verdict.created') AS "verdictEvents"
     FROM "Upload" u LEFT JOIN "Job" j ON j."uploadId" = u.id
     WHERE u.id = ANY($1::text[])`,
    [uploadIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));

  const outcomes: UploadOutcome[] = submissions.map((s) => {
    const base = { file: path.basename(s.file), hostileKind: s.hostile?.kind };
    if (s.error) return { ...base, outcome: 'refused', code: s.error.code, message: s.error.message };
    const r = byId.get(s.result!.upload.id);
    if (!r) return { ...base, outcome: 'inconsistent', message: 'accepted but no Upload row' };
    const ok =
      r.jobs === 1 &&
      r.submittedEvents === 1 &&
      ((r.status === 'succeeded' && r.verdicts === 1 && r.verdictEvents === 1) ||
        (r.status === 'failed' &&
          !!r.errorCode &&
          !!r.errorMessage &&
          r.verdicts === 0 &&
          r.verdictEvents === 0));
    if (r.status === 'queued' || r.status === 'running')
      return {
        ...base,
        outcome: 'inconsistent',
        message: `unfinished when the test ended (job ${r.status}, ${r.attempts} attempts)`,
      };
    if (!ok)
      return {
        ...base,
        outcome: 'inconsistent',
        message: `jobs=${r.jobs} status=${r.status} verdicts=${r.verdicts} verdictEvents=${r.verdictEvents} submittedEvents=${r.submittedEvents} error=${r.errorCode}`,
        attempts: r.attempts ?? undefined,
      };
    return r.status === 'succeeded'
      ? { ...base, outcome: 'verdict', verdict: r.verdict!, attempts: r.attempts! }
      : { ...base, outcome: 'error', code: r.errorCode!, message: r.errorMessage!, attempts: r.attempts! };
  });

  for (const o of outcomes.filter((o) => o.outcome === 'inconsistent'))
    failures.push(`${o.file}: ${o.message}`);
  for (const o of outcomes.filter((o) => o.outcome === 'refused' && !o.hostileKind))
    failures.push(`${o.file}: a good upload was refused (${o.code})`);
  const duplicateSubmissions = accepted.filter((s) => s.result!.duplicate).length;
  if (duplicateSubmissions)
    failures.push(`${duplicateSubmissions} submissions were taken for duplicates of another file`);

  const dup = async (what: string, sql: string) => {
    const { rows: d } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) d`);
    if (d[0].n > 0) failures.push(`${d[0].n} duplicated ${what}`);
    return d[0].n;
  };
  const duplicates = {
    stems: await dup('stems', `SELECT 1 FROM "Stem" GROUP BY "uploadId", kind, format HAVING count(*) > 1`),
    verdicts: await dup('verdicts', `SELECT 1 FROM "Verdict" GROUP BY "uploadId" HAVING count(*) > 1`),
    jobs: await dup(
      'jobs',
      `SELECT 1 FROM "Job" WHERE kind = 'analyze_upload' GROUP BY "uploadId" HAVING count(*) > 1`,
    ),
    auditEvents: await dup(
      'audit events',
      `SELECT 1 FROM "AuditEvent" WHERE action IN ('upload.submitted', 'verdict.created') GROUP BY action, subject HAVING count(*) > 1`,
    ),
  };

  // Every stored object belongs to a row, and every row's object is there.
  const mediaDir = path.join(dataDir, 'media');
  const keys = new Set(await storedKeys(mediaDir));
  const { rows: refs } = await pool.query<{ key: string }>(
    `SELECT "storageKey" AS key FROM "Upload" UNION SELECT "storageKey" FROM "Stem"
     UNION SELECT "storageKey" FROM "MusicTrack" WHERE "storageKey" IS NOT NULL
     UNION SELECT "storageKey" FROM "OriginalWork" WHERE "storageKey" IS NOT NULL`,
  );
  const referenced = new Set(refs.map((r) => r.key));
  const orphans = [...keys].filter((k) => !referenced.has(k)).length;
  const missing = [...referenced].filter((k) => !keys.has(k)).length;
  if (orphans) failures.push(`${orphans} stored files belong to no row (lost rows or refused files kept)`);
  if (missing) failures.push(`${missing} rows point at files that are not stored`);
  // Partial writes of killed workers (never renamed into place, so never visible as objects).
  const leftoverTmp = (await readdir(path.join(mediaDir, 'tmp')).catch(() => [])).length;

  const { rows: states } = await pool.query<{ state: string; n: number }>(
    `SELECT state::text, count(*)::int AS n FROM pgboss.job WHERE name = 'analyze_upload' GROUP BY state`,
  );
  const queueStates = Object.fromEntries(states.map((s) => [s.state, s.n]));
  const pending = states
    .filter((s) => ['created', 'retry', 'active'].includes(s.state))
    .reduce((a, s) => a + s.n, 0);
  if (pending) failures.push(`${pending} queue entries still pending`);
  if (!chain.ok) failures.push(`audit chain broken at ${chain.broken.length} rows`);

  const hostileKinds = [
    ...new Map(submissions.flatMap((s) => (s.hostile ? [[s.hostile.kind, s.hostile.what]] : []))).entries(),
  ];
  const hostile = hostileKinds.map(([kind, what]) => ({
    kind,
    what,
    results: tally(
      outcomes
        .filter((o) => o.hostileKind === kind)
        .map((o) =>
          o.outcome === 'verdict'
            ? `verdict ${o.verdict}`
            : o.outcome === 'inconsistent'
              ? 'INCONSISTENT'
              : `${o.outcome} ${o.code}`,
        ),
    ),
  }));

  const good = outcomes.filter((o) => !o.hostileKind);
  return {
    passed: failures.length === 0,
    failures,
    outcomes,
    counts: {
      submitted: submissions.length,
      goodUploads: good.length,
      goodWithVerdict: good.filter((o) => o.outcome === 'verdict').length,
      goodWithError: good.filter((o) => o.outcome === 'error').length,
      hostileFiles: submissions.length - good.length,
      hostileRefusedAtSubmission: outcomes.filter((o) => o.hostileKind && o.outcome === 'refused').length,
      hostileFailedInWorker: outcomes.filter((o) => o.hostileKind && o.outcome === 'error').length,
      hostileWithVerdict: outcomes.filter((o) => o.hostileKind && o.outcome === 'verdict').length,
      inconsistent: outcomes.filter((o) => o.outcome === 'inconsistent').length,
      duplicateStems: duplicates.stems,
      duplicateVerdicts: duplicates.verdicts,
      duplicateJobs: duplicates.jobs,
      duplicateAuditEvents: duplicates.auditEvents,
      orphanFiles: orphans,
      missingFiles: missing,
      leftoverTempFiles: leftoverTmp,
      jobsRetried: outcomes.filter((o) => (o.attempts ?? 0) > 1).length,
    },
    verdicts: tally(good.map((o) => o.verdict)),
    errorCodes: tally(outcomes.filter((o) => o.outcome !== 'verdict').map((o) => o.code)),
    attempts: tally(outcomes.map((o) => (o.attempts === undefined ? undefined : String(o.attempts)))),
    hostile,
    queueStates,
    auditChain: { ok: chain.ok, checked: chain.checked, broken: chain.broken.length },
  };
}
