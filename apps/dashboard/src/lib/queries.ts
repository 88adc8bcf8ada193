// Every GraphQL operation the dashboard sends, and the mapping of API shapes (upper-case enums) onto the
// dashboard's types. Pages call these; nothing else builds GraphQL strings.
import { parseEvidence } from './evidence';
import { DECISION_FIELDS, REVIEW_QUERY } from './fields';
import { gql, gqlWithFile } from './graphql';
import { sameOrigin } from './media';
import type { Session } from './session';
import type {
  DecisionAction,
  DecisionInput,
  DecisionRecord,
  QueueItem,
  ReviewItem,
  Role,
  Routing,
  StemMedia,
  VerdictKind,
} from './types';

const lower = <T extends string>(s: string) => s.toLowerCase() as T;
const upper = (s: string) => s.toUpperCase();

export interface Page<T> {
  nodes: T[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

interface ApiPage<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}
const page = <A, T>(p: ApiPage<A>, map: (a: A) => T): Page<T> => ({
  nodes: p.nodes.map(map),
  totalCount: p.totalCount,
  endCursor: p.pageInfo.endCursor,
  hasNextPage: p.pageInfo.hasNextPage,
});
const PAGE = 'totalCount pageInfo { endCursor hasNextPage }';

export async function signIn(email: string, password: string): Promise<Session> {
  const d = await gql<{ signIn: { token: string; user: { email: string; name: string; role: string } } }>(
    `mutation SignIn($email: String!, $password: String!) {
      signIn(email: $email, password: $password) { token user { email name role } }
    }`,
    { email, password },
  );
  const { token, user } = d.signIn;
  return { token, email: user.email, name: user.name, role: lower<Role>(user.role) };
}

export async function signOut(): Promise<void> {
  await gql(`mutation { signOut }`);
}

// ---- review queue ----

export interface QueueQuery {
  routing: Routing[];
  verdict: VerdictKind[];
  status: ('pending' | 'escalated' | 'decided')[];
  confidenceMin?: number;
  confidenceMax?: number;
  musicIdentified?: boolean;
  sort: 'confidence_asc' | 'confidence_desc' | 'oldest_first' | 'newest_first';
}

interface ApiQueueVerdict {
  id: string;
  verdict: string;
  confidence: number;
  routing: string;
  musicIdentified: boolean;
  createdAt: string;
  reviewStatus: string;
  originalWork: { title: string } | null;
  upload: { id: string; originalFileName: string; durationSeconds: number | null };
}

const QUEUE_FIELDS = `id verdict confidence routing musicIdentified createdAt reviewStatus
  originalWork { title } upload { id originalFileName durationSeconds }`;

function queueItem(v: ApiQueueVerdict): QueueItem {
  return {
    verdictId: v.id,
    uploadId: v.upload.id,
    fileName: v.upload.originalFileName,
    createdAt: v.createdAt,
    verdict: lower<VerdictKind>(v.verdict),
    confidence: v.confidence,
    routing: lower<Routing>(v.routing),
    musicIdentified: v.musicIdentified,
    originalTitle: v.originalWork?.title ?? null,
    durationSeconds: v.upload.durationSeconds,
    // The API has no thumbnails; the queue draws a placeholder frame.
    thumbnailUrl: null,
    decided: v.reviewStatus === 'DECIDED',
  };
}

function queueFilter(q: Partial<QueueQuery>) {
  return {
    ...(q.routing ? { routing: q.routing.map(upper) } : {}),
    ...(q.verdict?.length ? { verdict: q.verdict.map(upper) } : {}),
    ...(q.status ? { status: q.status.map(upper) } : {}),
    ...(q.confidenceMin !== undefined ? { confidenceMin: q.confidenceMin } : {}),
    ...(q.confidenceMax !== undefined ? { confidenceMax: q.confidenceMax } : {}),
    ...(q.musicIdentified !== undefined ? { musicIdentified: q.musicIdentified } : {}),
  };
}

export async function reviewQueue(
  q: Partial<QueueQuery>,
  first = 50,
  after?: string | null,
): Promise<Page<QueueItem>> {
  const d = await gql<{ reviewQueue: ApiPage<ApiQueueVerdict> }>(
    `query Queue($filter: ReviewQueueFilter, $sort: ReviewQueueSort, $first: Int, $after: String) {
      reviewQueue(filter: $filter, sort: $sort, first: $first, after: $after) { nodes { ${QUEUE_FIELDS} } ${PAGE} }
    }`,
    { filter: queueFilter(q), sort: upper(q.sort ?? 'confidence_asc'), first, after: after ?? null },
  );
  return page(d.reviewQueue, queueItem);
}

/** The first pending item of the default queue other than `exceptId`, for "decide and open next". */
export async function nextInQueue(exceptId: string): Promise<string | null> {
  const d = await gql<{ reviewQueue: { nodes: { id: string }[] } }>(
    `query Next { reviewQueue(first: 2) { nodes { id } } }`,
  );
  return d.reviewQueue.nodes.find((n) => n.id !== exceptId)?.id ?? null;
}

// ---- one verdict under review ----

interface ApiDecision {
  id: string;
  action: string;
  reasonCode: string;
  note: string | null;
  createdAt: string;
  moderator: { name: string; email: string };
}
const decision = (d: ApiDecision): DecisionRecord => ({
  id: d.id,
  action: lower<DecisionAction>(d.action),
  reasonCode: d.reasonCode,
  note: d.note,
  createdAt: d.createdAt,
  moderator: d.moderator.name || d.moderator.email,
});

interface ApiVerdict {
  id: string;
  verdict: string;
  confidence: number;
  routing: string;
  createdAt: string;
  evidence: unknown;
  modelVersions: Record<string, unknown>;
  configVersion: string;
  originalWork: {
    id: string;
    externalId: string;
    title: string;
    owner: string | null;
    videoUrl: string | null;
  } | null;
  upload: {
    id: string;
    originalFileName: string;
    durationSeconds: number | null;
    videoUrl: string;
    stems: { kind: string; format: string; url: string }[];
  };
  decisions: ApiDecision[];
}

/** Browser formats first: the worker stores each stem as WAV (exact) and M4A (for playback). */
const FORMAT_RANK: Record<string, number> = { m4a: 0, mp4: 1, wav: 2 };

/**
 * One playable source per stem. The original mix is the uploaded file itself (its audio track as it was
 * submitted); the stored "mixture" is the re-muxed restored video, not the original sound.
 */
function stemSources(upload: ApiVerdict['upload']): StemMedia[] {
  const out: StemMedia[] = [{ kind: 'mixture', url: sameOrigin(upload.videoUrl) }];
  for (const kind of ['ost', 'bgm', 'speech'] as const) {
    const best = upload.stems
      .filter((s) => s.kind.toLowerCase() === kind)
      .sort((a, b) => (FORMAT_RANK[a.format] ?? 9) - (FORMAT_RANK[b.format] ?? 9))[0];
    if (best) out.push({ kind, url: sameOrigin(best.url) });
  }
  return out;
}

function reviewItem(v: ApiVerdict): ReviewItem {
  return {
    verdictId: v.id,
    uploadId: v.upload.id,
    fileName: v.upload.originalFileName,
    createdAt: v.createdAt,
    verdict: lower<VerdictKind>(v.verdict),
    confidence: v.confidence,
    routing: lower<Routing>(v.routing),
    videoUrl: sameOrigin(v.upload.videoUrl),
    durationSeconds: v.upload.durationSeconds,
    stems: stemSources(v.upload),
    // The evidence names originals by their catalog (external) id.
    evidence: parseEvidence(v.evidence, v.upload.durationSeconds, v.originalWork?.externalId),
    original: v.originalWork
      ? {
          id: v.originalWork.id,
          title: v.originalWork.title,
          owner: v.originalWork.owner,
          videoUrl: v.originalWork.videoUrl ? sameOrigin(v.originalWork.videoUrl) : null,
        }
      : null,
    decisions: v.decisions.map(decision),
    modelVersions: v.modelVersions ?? {},
  };
}

export async function reviewItemById(verdictId: string): Promise<ReviewItem | null> {
  const d = await gql<{ verdict: ApiVerdict | null }>(REVIEW_QUERY, { id: verdictId });
  return d.verdict ? reviewItem(d.verdict) : null;
}

export async function decide(verdictId: string, input: DecisionInput): Promise<DecisionRecord> {
  const d = await gql<{ decide: ApiDecision }>(
    `mutation Decide($verdictId: ID!, $action: DecisionAction!, $reasonCode: String!, $note: String) {
      decide(verdictId: $verdictId, action: $action, reasonCode: $reasonCode, note: $note) { ${DECISION_FIELDS} }
    }`,
    { verdictId, action: upper(input.action), reasonCode: input.reasonCode, note: input.note || null },
  );
  return decision(d.decide);
}

// ---- the per-decision report ----

export interface DecisionReport {
  decision: DecisionRecord;
  item: ReviewItem;
  configVersion: string;
  chain: { ok: boolean; checked: number; broken: { seq: string; reason: string }[] } | null;
  auditTrail: AuditRow[];
}

export async function decisionReport(verdictId: string, decisionId: string): Promise<DecisionReport | null> {
  const d = await gql<{ verdict: ApiVerdict | null }>(REVIEW_QUERY, { id: verdictId });
  if (!d.verdict) return null;
  const item = reviewItem(d.verdict);
  const dec = item.decisions.find((x) => x.id === decisionId);
  if (!dec) return null;
  // The verdict's trail: the worker records it on the upload, moderators decide on the verdict.
  const trail = await gql<{ upload: ApiPage<AuditRow>; verdict: ApiPage<AuditRow> }>(
    `query Trail($upload: String!, $verdict: String!) {
      upload: auditEvents(filter: { subject: $upload }, first: 100) { nodes { ${AUDIT_FIELDS} } ${PAGE} }
      verdict: auditEvents(filter: { subject: $verdict }, first: 100) { nodes { ${AUDIT_FIELDS} } ${PAGE} }
    }`,
    { upload: `upload:${item.uploadId}`, verdict: `verdict:${verdictId}` },
  );
  // Chain verification is for admins; a moderator's report says it was not checked.
  let chain: DecisionReport['chain'] = null;
  try {
    chain = (
      await gql<{ auditChainStatus: NonNullable<DecisionReport['chain']> }>(
        `query Chain { auditChainStatus { ok checked broken { seq reason } } }`,
      )
    ).auditChainStatus;
  } catch {
    chain = null;
  }
  const auditTrail = [...trail.upload.nodes, ...trail.verdict.nodes].sort((a, b) =>
    Number(BigInt(a.seq) - BigInt(b.seq)),
  );
  return { decision: dec, item, configVersion: d.verdict.configVersion, chain, auditTrail };
}

// ---- audit ----

export interface AuditRow {
  seq: string;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
  hash: string;
  prevHash: string;
  createdAt: string;
}
const AUDIT_FIELDS = 'seq actor action subject payload hash prevHash createdAt';

export interface AuditQuery {
  action?: string;
  subject?: string;
  actor?: string;
  createdAfter?: string;
  createdBefore?: string;
}

export async function auditEvents(
  filter: AuditQuery,
  first = 50,
  after?: string | null,
): Promise<Page<AuditRow>> {
  const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const d = await gql<{ auditEvents: ApiPage<AuditRow> }>(
    `query Audit($filter: AuditEventFilter, $first: Int, $after: String) {
      auditEvents(filter: $filter, first: $first, after: $after) { nodes { ${AUDIT_FIELDS} } ${PAGE} }
    }`,
    { filter: clean, first, after: after ?? null },
  );
  return page(d.auditEvents, (x) => x);
}

// ---- jobs ----

export interface JobRow {
  id: string;
  kind: string;
  status: string;
  stage: string | null;
  progress: number;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
  subject: string;
}

interface ApiJob extends Omit<JobRow, 'subject'> {
  upload: { originalFileName: string } | null;
  musicTrack: { title: string } | null;
  originalWork: { title: string } | null;
}
const JOB_FIELDS = `id kind status stage progress attempts errorCode errorMessage createdAt updatedAt
  upload { originalFileName } musicTrack { title } originalWork { title }`;
const jobRow = (j: ApiJob): JobRow => ({
  ...j,
  subject: j.upload?.originalFileName ?? j.musicTrack?.title ?? j.originalWork?.title ?? '–',
});

export async function jobs(status: string[], first = 50): Promise<Page<JobRow>> {
  const d = await gql<{ jobs: ApiPage<ApiJob> }>(
    `query Jobs($filter: JobFilter, $first: Int) { jobs(filter: $filter, first: $first) { nodes { ${JOB_FIELDS} } ${PAGE} } }`,
    { filter: status.length ? { status: status.map(upper) } : {}, first },
  );
  return page(d.jobs, jobRow);
}

export async function jobAction(kind: 'retryJob' | 'cancelJob', id: string): Promise<void> {
  await gql(`mutation Job($id: ID!) { ${kind}(id: $id) { id status } }`, { id });
}

// ---- catalog ----

export interface CatalogRow {
  id: string;
  externalId: string;
  title: string;
  /** Artist of a track, owner of a work. */
  by: string | null;
  durationSeconds: number | null;
  indexedAt: string | null;
  createdAt: string;
  job: { status: string; progress: number; stage: string | null; errorMessage: string | null } | null;
}
export type CatalogKind = 'music' | 'originals';

const CATALOG = {
  music: {
    list: 'musicTracks',
    by: 'artist',
    add: 'addMusicTrack',
    input: 'AddMusicTrackInput',
    remove: 'removeMusicTrack',
  },
  originals: {
    list: 'originalWorks',
    by: 'owner',
    add: 'addOriginalWork',
    input: 'AddOriginalWorkInput',
    remove: 'removeOriginalWork',
  },
} as const;

export async function catalog(kind: CatalogKind, search: string, first = 100): Promise<Page<CatalogRow>> {
  const c = CATALOG[kind];
  const d = await gql<Record<string, ApiPage<Omit<CatalogRow, 'by'> & Record<string, string | null>>>>(
    `query Catalog($search: String, $first: Int) {
      ${c.list}(search: $search, first: $first) {
        nodes { id externalId title ${c.by} durationSeconds indexedAt createdAt job { status progress stage errorMessage } }
        ${PAGE}
      }
    }`,
    { search: search || null, first },
  );
  return page(d[c.list], (r) => ({ ...r, by: r[c.by] ?? null }));
}

export interface CatalogInput {
  /** A file from the admin's machine, or else `path` on the server (inside UNDUB_INGEST_DIR). */
  file: File | null;
  path: string;
  externalId: string;
  title: string;
  by: string;
}

export async function addToCatalog(kind: CatalogKind, input: CatalogInput): Promise<void> {
  const c = CATALOG[kind];
  const query = `mutation Add($input: ${c.input}!) { ${c.add}(input: $input) { id } }`;
  const fields = { externalId: input.externalId, title: input.title, [c.by]: input.by || null };
  if (input.file) await gqlWithFile(query, { input: { ...fields, file: null } }, 'input.file', input.file);
  else await gql(query, { input: { ...fields, path: input.path } });
}

export async function removeFromCatalog(kind: CatalogKind, id: string): Promise<void> {
  await gql(`mutation Remove($id: ID!) { ${CATALOG[kind].remove}(id: $id) }`, { id });
}
