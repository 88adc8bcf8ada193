// docs/benchmarks/faults.md from the fault test's summary (the same object as faults.json).
import { markdownTable } from '../../bench/src/score';
import type { BatchCheck } from './checks';

export interface FaultSummary extends BatchCheck {
  command: string;
  date: string;
  machine: string;
  settings: {
    uploads: number;
    uploadSeconds: number;
    hostileFiles: number;
    workers: number;
    seed: number;
    queue: Record<string, unknown>;
    catalog: Record<string, number>;
  };
  wallSeconds: number;
  workerKills: number;
  workerRestarts: number;
  postgresRestarts: number;
  events: { at: number; event: string; detail?: string }[];
}

const kv = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function faultReportMarkdown(s: FaultSummary): string {
  const c = s.counts;
  const lines = [
    '# undub fault test',
    '',
    `\`${s.command}\` · ${s.date} · ${s.machine}`,
    '',
    `**${s.passed ? 'PASSED' : 'FAILED'}**: ${s.settings.uploads} uploads (${s.settings.uploadSeconds} s clips of the development benchmark's uploads) and ` +
      `${s.settings.hostileFiles} malformed or hostile files, submitted through the upload service (\`submitUpload\`), analysed by ` +
      `${s.settings.workers} \`undub worker\` processes against an embedded PostgreSQL of the test's own; ` +
      `${s.workerKills} worker SIGKILLs (each restarted after 1 s), ${s.postgresRestarts} PostgreSQL restart mid-batch; ${s.wallSeconds} s in all.`,
    '',
    ...(s.failures.length ? ['## Failures', '', ...s.failures.map((f) => `- ${f}`), ''] : []),
    '## Checks',
    '',
    markdownTable(
      ['check', 'result'],
      [
        ['good uploads with exactly one verdict', `${c.goodWithVerdict} / ${c.goodUploads}`],
        ['good uploads with one coded error', `${c.goodWithError} / ${c.goodUploads}`],
        ['uploads in an inconsistent state', String(c.inconsistent)],
        ['jobs that needed more than one attempt', String(c.jobsRetried)],
        [
          'duplicated jobs / stems / verdicts / audit events',
          `${c.duplicateJobs} / ${c.duplicateStems} / ${c.duplicateVerdicts} / ${c.duplicateAuditEvents}`,
        ],
        ['stored files without a row / rows without a file', `${c.orphanFiles} / ${c.missingFiles}`],
        ['partial temp files left by killed workers (never visible as objects)', String(c.leftoverTempFiles)],
        ['queue entries (pg-boss states)', kv(s.queueStates)],
        [
          'audit chain',
          `${s.auditChain.ok ? 'verifies' : 'BROKEN'} (${s.auditChain.checked} events, ${s.auditChain.broken} broken)`,
        ],
      ],
    ),
    '',
    `Verdicts of the good uploads: ${kv(s.verdicts)}. Attempts per job: ${kv(s.attempts)}. Error codes: ${kv(s.errorCodes)}.`,
    '',
    '## Malformed and hostile media',
    '',
    `${c.hostileFiles} files: ${c.hostileRefusedAtSubmission} refused at submission with a code (nothing stored), ` +
      `${c.hostileFailedInWorker} accepted and then failed in the worker with a code, ${c.hostileWithVerdict} analysed to a verdict.`,
    '',
    markdownTable(
      ['kind', 'file', 'what happened (count)'],
      s.hostile.map((h) => [h.kind, h.what, kv(h.results)]),
    ),
    '',
    '## Timeline',
    '',
    markdownTable(
      ['s', 'event', 'detail'],
      s.events.map((e) => [String(e.at), e.event, e.detail ?? '']),
    ),
    '',
    `Queue settings for the run: ${kv(s.settings.queue)}. Catalog: ${kv(s.settings.catalog)}.`,
    '',
  ];
  return lines.join('\n');
}
