// Every setting of the product in one place: read from the environment once, validated, typed.
// Add new settings here (with a default and a line in the README's settings table), never read
// process.env elsewhere.
import path from 'node:path';
import { z } from 'zod';

const int = (def: number) => z.coerce.number().int().default(def);
const num = (def: number) => z.coerce.number().default(def);

const schema = z.object({
  /** Postgres connection string; when unset an embedded PostgreSQL runs inside dataDir. */
  databaseUrl: z.string().url().optional(),
  /** Where the embedded database and media files live. */
  dataDir: z.string().default('./.undub'),
  /** Port of the embedded PostgreSQL. */
  embeddedDbPort: int(54329),
  apiPort: int(4000),
  /** Address the API listens on (0.0.0.0 to serve other machines). */
  apiHost: z.string().default('127.0.0.1'),
  dashboardPort: int(3000),
  /** How `undub start` runs the dashboard: prod when built (`npm run build -w @undub/dashboard`), else dev; or off. */
  dashboardMode: z.enum(['auto', 'dev', 'prod', 'off']).default('auto'),
  /** Worker processes started by `undub start`. */
  workers: int(1),
  /** Retries of a failed job (exponential backoff from jobRetryDelaySeconds, at most 5 min apart). */
  jobRetryLimit: int(3),
  jobRetryDelaySeconds: int(5),
  /** A running job whose worker stops sending heartbeats this long is retried elsewhere (>= 10). */
  jobHeartbeatSeconds: z.coerce.number().int().min(10).default(30),
  /** Longest a job may run before it is failed and retried. */
  jobTimeoutSeconds: int(3600),
  /** How often an idle worker looks for jobs. */
  queuePollSeconds: z.coerce.number().min(0.5).default(1),
  /** How often the queue checks for expired jobs and lost heartbeats. */
  queueMonitorSeconds: z.coerce.number().int().min(1).default(10),
  /** Largest accepted upload, bytes. */
  maxUploadBytes: int(2 * 1024 * 1024 * 1024),
  /** Longest accepted media, seconds. */
  maxDurationSeconds: num(3600),
  /** Server folder from which admins may ingest files by path (submitUploadFromPath); unset: none. */
  ingestDir: z.string().optional(),
  /** Lifetime of a moderator session, hours. */
  sessionTtlHours: num(12),
  /** Key of the media URLs' HMAC signatures; unset: a random one per API process. */
  mediaUrlSecret: z.string().min(16).optional(),
  /** Lifetime of a signed media URL, seconds. */
  mediaUrlTtlSeconds: int(900),
  /** Base of the media URLs the API hands out (e.g. https://undub.example.com); unset: the request's host. */
  publicUrl: z.string().url().optional(),
  /** Sustained requests per second allowed to one API key or session, and the burst above it. */
  rateLimitPerSecond: num(50),
  rateLimitBurst: int(100),
  /** Deepest GraphQL selection nesting accepted. */
  maxQueryDepth: int(12),
  /** Largest GraphQL query cost accepted (one per field, times `first` under lists). */
  maxQueryCost: int(5000),
  /** When set, each verdict is POSTed there, signed with webhookSecret (HMAC-SHA256). */
  webhookUrl: z.string().url().optional(),
  webhookSecret: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Re-upload score (0..1) from which an upload is judged a re-upload of the best-matching original. */
  reuploadScore: num(0.5),
  /** Below this score the upload is judged original; between the two it is uncertain. */
  originalScore: num(0.2),
  /** Confidence from which a re-upload verdict is flagged without review (when audio and video agree). */
  autoFlagConfidence: num(0.97),
  /** Confidence from which an original verdict is cleared without review. */
  autoClearConfidence: num(0.97),
});

export type Config = z.infer<typeof schema>;

const envNames: Record<keyof Config, string> = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'UNDUB_DATA_DIR',
  embeddedDbPort: 'UNDUB_EMBEDDED_DB_PORT',
  apiPort: 'UNDUB_API_PORT',
  apiHost: 'UNDUB_API_HOST',
  dashboardPort: 'UNDUB_DASHBOARD_PORT',
  dashboardMode: 'UNDUB_DASHBOARD',
  workers: 'UNDUB_WORKERS',
  jobRetryLimit: 'UNDUB_JOB_RETRY_LIMIT',
  jobRetryDelaySeconds: 'UNDUB_JOB_RETRY_DELAY_SECONDS',
  jobHeartbeatSeconds: 'UNDUB_JOB_HEARTBEAT_SECONDS',
  jobTimeoutSeconds: 'UNDUB_JOB_TIMEOUT_SECONDS',
  queuePollSeconds: 'UNDUB_QUEUE_POLL_SECONDS',
  queueMonitorSeconds: 'UNDUB_QUEUE_MONITOR_SECONDS',
  maxUploadBytes: 'UNDUB_MAX_UPLOAD_BYTES',
  maxDurationSeconds: 'UNDUB_MAX_DURATION_SECONDS',
  ingestDir: 'UNDUB_INGEST_DIR',
  sessionTtlHours: 'UNDUB_SESSION_TTL_HOURS',
  mediaUrlSecret: 'UNDUB_MEDIA_URL_SECRET',
  mediaUrlTtlSeconds: 'UNDUB_MEDIA_URL_TTL_SECONDS',
  publicUrl: 'UNDUB_PUBLIC_URL',
  rateLimitPerSecond: 'UNDUB_RATE_LIMIT_PER_SECOND',
  rateLimitBurst: 'UNDUB_RATE_LIMIT_BURST',
  maxQueryDepth: 'UNDUB_MAX_QUERY_DEPTH',
  maxQueryCost: 'UNDUB_MAX_QUERY_COST',
  webhookUrl: 'UNDUB_WEBHOOK_URL',
  webhookSecret: 'UNDUB_WEBHOOK_SECRET',
  logLevel: 'UNDUB_LOG_LEVEL',
  reuploadScore: 'UNDUB_REUPLOAD_SCORE',
  originalScore: 'UNDUB_ORIGINAL_SCORE',
  autoFlagConfidence: 'UNDUB_AUTO_FLAG_CONFIDENCE',
  autoClearConfidence: 'UNDUB_AUTO_CLEAR_CONFIDENCE',
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Reads the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const key = i.path[0] as keyof Config;
      return `${envNames[key] ?? String(key)}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
