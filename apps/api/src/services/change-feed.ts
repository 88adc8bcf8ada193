// Job and verdict changes as they happen, from PostgreSQL's LISTEN/NOTIFY (the triggers of the
// migration `sessions_and_change_notifications` fire on every write, whichever process makes it), and
// credential changes (`undub_auth`, migration `review_queue_version_and_auth_changes`).
// One connection per API process; it reconnects after the database restarts. While it is down,
// notifications are lost: `connected` says whether it listens, and reset listeners hear each loss
// and each return, so that what is kept in memory on the strength of the feed can be dropped.
import pg from 'pg';

export type ChangeChannel = 'undub_job' | 'undub_verdict' | 'undub_auth';
export interface ChangeEvent {
  id: string;
  tenantId: string | null;
}
type Listener = (event: ChangeEvent) => void;

const CHANNELS: ChangeChannel[] = ['undub_job', 'undub_verdict', 'undub_auth'];
const RECONNECT_MS = 1000;

export class ChangeFeed {
  private listeners = new Map<ChangeChannel, Set<Listener>>(CHANNELS.map((c) => [c, new Set()]));
  private resetListeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => this.dispatch(msg.channel as ChangeChannel, msg.payload));
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    this.client = client;
    this.reset();
  }

  /** Whether notifications are being heard now. */
  get connected(): boolean {
    return this.client !== null;
  }

  private reconnect(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.reset();
    client.end().catch(() => {});
    const attempt = () => {
      this.retry = null;
      if (this.closed) return;
      this.start().catch(() => (this.retry = setTimeout(attempt, RECONNECT_MS)));
    };
    this.retry = setTimeout(attempt, RECONNECT_MS);
  }

  private dispatch(channel: ChangeChannel, payload: string | undefined): void {
    let event: ChangeEvent;
    try {
      event = JSON.parse(payload ?? '') as ChangeEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners.get(channel) ?? []) listener(event);
  }

  private reset(): void {
    for (const listener of this.resetListeners) listener();
  }

  /** Calls `listener` whenever notifications may have been missed; returns the unsubscribe function. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** Calls `listener` for each change on `channel`; returns the unsubscribe function. */
  on(channel: ChangeChannel, listener: Listener): () => void {
    this.listeners.get(channel)!.add(listener);
    return () => this.listeners.get(channel)!.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}

/**
 * An async iterator over the changes of a channel that `accept` keeps, mapped by `load` (which may
 * return null to skip one). Events that arrive while `load` runs queue up; `return()` unsubscribes.
 */
export function changeStream<T>(
  feed: ChangeFeed,
  channel: ChangeChannel,
  accept: (event: ChangeEvent) => boolean,
  load: (event: ChangeEvent) => Promise<T | null>,
): AsyncIterableIterator<T> {
  const pending: ChangeEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const off = feed.on(channel, (event) => {
    if (!accept(event)) return;
    pending.push(event);
    wake?.();
  });
  const finish = () => {
    done = true;
    off();
    wake?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T>> {
      while (!done) {
        const event = pending.shift();
        if (event) {
          const value = await load(event);
          if (value !== null) return { value, done: false };
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      finish();
      return { value: undefined, done: true };
    },
  };
}
