// Callers of recently used tokens, kept in memory so that most requests authenticate without a
// database query. Entries are kept only while the change feed listens, and all are dropped when a
// credential changes (a key or session revoked or deleted, a role changed: `undub_auth`, whichever
// process writes it), when this process revokes one itself (before its mutation answers), and when
// the feed loses or regains its connection (notifications may have been missed). Each entry also
// lapses after MAX_AGE_MS and at its session's expiry.
import type { Caller } from './caller';
import type { ChangeFeed } from './change-feed';

const MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 10_000;

export class CallerCache {
  private entries = new Map<string, { caller: Caller; until: number }>();
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly now: () => number = () => Date.now(),
  ) {
    feed.on('undub_auth', () => this.clear());
    feed.onReset(() => this.clear());
  }

  /** The caller of a token hash, when known and still valid. */
  get(hash: string): Caller | null {
    if (!this.feed.connected) return null;
    const entry = this.entries.get(hash);
    if (!entry) return null;
    if (entry.until > this.now()) return entry.caller;
    this.entries.delete(hash);
    return null;
  }

  /** Taken before a lookup and given to `set`: a caller looked up while the cache was cleared is not kept. */
  stamp(): number {
    return this.generation;
  }

  set(hash: string, caller: Caller, stamp: number, expiresAt?: Date): void {
    if (stamp !== this.generation || !this.feed.connected) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const until = Math.min(this.now() + MAX_AGE_MS, expiresAt?.getTime() ?? Infinity);
    this.entries.set(hash, { caller, until });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
