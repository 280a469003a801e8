import type { AccountRecord } from './accounts-repo';

/**
 * Decides which accounts run now. It owns no state of its own that must survive
 * a restart: what to run is read from the accounts table (status + phase +
 * next_run_at), so after a restart the same accounts are picked up again.
 *
 * Limits:
 * - `maxAccounts` accounts at once over all jobs;
 * - `maxConnectionsPerHost` connections to one source host (providers block an IP
 *   that opens too many): an account holds `concurrency` source connections, so it
 *   starts only when they fit; an account wider than the cap runs narrowed to it.
 *   Candidates come longest-waiting first, and one that does not fit yet keeps its
 *   host's freed connections from those after it (from syncs only while it waits for
 *   syncs alone, not for a first pass of days);
 * - first passes (hours, days) hold at most `maxAccounts - 1` places (with more than one)
 *   while a sync waits or falls due within LEND_MIN_MS. Otherwise the last place is lent to a first pass, and
 *   when a sync then finds every place held by first passes, the one started last stops
 *   between chunks and goes back to the queue (it resumes from its checkpoint): the syncs
 *   never wait for a first pass to end, and no place stands idle while none is due.
 *
 * And one rule that is not a limit: candidates with the same `exclusiveKey` (one mailbox pair,
 * mailbox-pair.ts) never run at the same time. The one that waits is not looked at until the
 * other ended: it holds no place, no connections, and no first pass is stopped for it.
 */
export interface SchedulerLimits {
  maxAccounts: number;
  maxConnectionsPerHost: number;
}

/** `make-room`: a first pass stopped so that a sync can run (see SchedulerLimits). */
export type StopReason = 'pause' | 'stop' | 'shutdown' | 'job-paused' | 'make-room';

/**
 * A first pass is lent the place kept for syncs only when no sync falls due sooner: it then
 * copies for at least this long before a sync takes the place back, far more than what its
 * stop and restart cost (a chunk finished, a login, the folder list).
 */
export const LEND_MIN_MS = 60_000;

export interface Candidate {
  account: AccountRecord;
  /** A first pass (hours or days for a big mailbox), as opposed to a sync or the copy after a target change. */
  firstPass: boolean;
  /** Source host (lower case), for the per-host cap. */
  host: string;
  /** Source connections the account wants. */
  connections: number;
  /** At most one running account per key (its mailbox pair): another one with the key waits until it ended. */
  exclusiveKey?: string;
}

export interface SchedulerDeps {
  /** Accounts that may run now (due, job active, credentials present), oldest first. */
  candidates(now: number): Candidate[];
  /** Runs one account to its end; must not reject. `connections` is what it may open. */
  run(candidate: Candidate, connections: number, signal: AbortSignal, stopReason: () => StopReason | undefined): Promise<void>;
  limits: SchedulerLimits;
  /**
   * When the next pass of an account past its first pass falls due (a sync, a retry of one),
   * null when there is none: until then the place kept for syncs may be lent to a first pass.
   */
  nextSyncAt?(now: number): number | null;
  tickMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
  /** A candidate not started because `holder` runs with its exclusiveKey; called at each look for work while it waits. */
  onHeldBack?(candidate: Candidate, holder: string): void;
  /** A run has ended and no longer counts as running (isRunning is false from here). */
  onEnded?(accountId: string): void;
}

interface Running {
  host: string;
  exclusiveKey?: string;
  firstPass: boolean;
  connections: number;
  controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

export class Scheduler {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private kicked = false;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? 1000);
    this.kick();
  }

  /** Looks for work soon (after the current synchronous changes are done). */
  kick(): void {
    if (this.kicked || this.stopping) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.tick();
    });
  }

  isRunning(accountId: string): boolean {
    return this.running.has(accountId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** The running account that holds `key` (Candidate.exclusiveKey), if any. */
  holderOf(key: string): string | undefined {
    for (const [id, r] of this.running) if (r.exclusiveKey === key) return id;
    return undefined;
  }

  /** Connections currently open (or about to be) per source host. */
  hostLoad(): Map<string, number> {
    const load = new Map<string, number>();
    for (const r of this.running.values()) load.set(r.host, (load.get(r.host) ?? 0) + r.connections);
    return load;
  }

  /** Asks a running account to stop between chunks; resolves when it has. */
  async abort(accountId: string, reason: StopReason): Promise<void> {
    const r = this.running.get(accountId);
    if (!r) return;
    r.reason ??= reason;
    r.controller.abort();
    await r.done;
  }

  tick(): void {
    if (this.stopping) return;
    const { maxAccounts, maxConnectionsPerHost } = this.deps.limits;
    // Full, and no place lent to a first pass that a sync could take back: nothing to look for.
    const allFirstPasses = [...this.running.values()].every((r) => r.firstPass);
    if (this.running.size >= maxAccounts && (maxAccounts === 1 || !allFirstPasses)) return;
    const now = (this.deps.now ?? Date.now)();
    const load = this.hostLoad();
    let candidates: Candidate[];
    let nextSync: number | null;
    try {
      candidates = this.withoutHeldKeys(this.deps.candidates(now));
      nextSync = this.deps.nextSyncAt?.(now) ?? null;
    } catch (err) {
      this.deps.onError?.(err);
      return;
    }
    // Keys taken by an account started in this look for work: another candidate with it waits too.
    const taken = new Map<string, string>();
    // Hosts whose freed connections are kept for an earlier candidate that does not fit yet: an
    // account wider than the others would otherwise wait for good behind narrower ones. The value
    // says whether syncs are held too: only while the candidate waits for syncs alone (seconds).
    // While it waits for a first pass to end (hours, days), syncs that fit run meanwhile; they
    // would otherwise get nothing for as long, and they end long before that first pass does.
    const held = new Map<string, boolean>();
    const firstPassLoad = new Map<string, number>();
    for (const r of this.running.values()) if (r.firstPass) firstPassLoad.set(r.host, (firstPassLoad.get(r.host) ?? 0) + r.connections);
    const syncWaits = candidates.some((c) => !c.firstPass && !this.running.has(c.account.id));
    const lend = !syncWaits && (nextSync === null || nextSync - now >= LEND_MIN_MS);
    // With a single place none is kept: first passes would wait for good behind syncs due every few minutes.
    const firstPassPlaces = lend || maxAccounts === 1 ? maxAccounts : maxAccounts - 1;
    let firstPasses = [...this.running.values()].filter((r) => r.firstPass).length;
    // The first sync that only lacks a place, for which a lent place is taken back.
    let wantsPlace: { host: string; connections: number } | undefined;
    for (const c of candidates) {
      if (this.running.has(c.account.id)) continue;
      const taker = c.exclusiveKey === undefined ? undefined : taken.get(c.exclusiveKey);
      if (taker !== undefined) {
        this.heldBack(c, taker);
        continue;
      }
      const hold = held.get(c.host);
      if (hold !== undefined && (c.firstPass || hold)) continue;
      if (this.running.size >= maxAccounts) {
        if (!c.firstPass && !wantsPlace) wantsPlace = { host: c.host, connections: Math.max(1, Math.min(c.connections, maxConnectionsPerHost)) };
        continue;
      }
      if (c.firstPass && firstPasses >= firstPassPlaces) continue;
      const connections = Math.max(1, Math.min(c.connections, maxConnectionsPerHost));
      const used = load.get(c.host) ?? 0;
      if (used + connections > maxConnectionsPerHost) {
        if (hold === undefined) held.set(c.host, (firstPassLoad.get(c.host) ?? 0) + connections <= maxConnectionsPerHost);
        continue;
      }
      load.set(c.host, used + connections);
      if (c.firstPass) {
        firstPasses++;
        firstPassLoad.set(c.host, (firstPassLoad.get(c.host) ?? 0) + connections);
      }
      if (c.exclusiveKey !== undefined) taken.set(c.exclusiveKey, c.account.id);
      this.launch(c, connections);
    }
    if (wantsPlace && firstPasses > firstPassPlaces) this.makeRoom(wantsPlace, load);
  }

  /**
   * The candidates without those whose exclusiveKey a running account holds: left out before
   * anything is counted, so that a waiting one keeps no place, no host connections and no sync
   * place for itself, and stops no first pass to make room (it could not start anyway).
   */
  private withoutHeldKeys(candidates: Candidate[]): Candidate[] {
    const holders = new Map<string, string>();
    for (const [id, r] of this.running) if (r.exclusiveKey !== undefined) holders.set(r.exclusiveKey, id);
    if (!holders.size) return candidates;
    return candidates.filter((c) => {
      const holder = c.exclusiveKey === undefined ? undefined : holders.get(c.exclusiveKey);
      if (holder === undefined || holder === c.account.id) return true;
      this.heldBack(c, holder);
      return false;
    });
  }

  /**
   * Every place is held and first passes hold more than their share (one was lent the place kept
   * for syncs): the first pass started last whose connections let the sync fit stops between
   * chunks; its place goes to the sync when it has. One at a time.
   */
  private makeRoom(sync: { host: string; connections: number }, load: Map<string, number>): void {
    const entries = [...this.running.entries()];
    if (entries.some(([, r]) => r.reason === 'make-room')) return;
    const cap = this.deps.limits.maxConnectionsPerHost;
    for (const [id, r] of entries.reverse()) {
      if (!r.firstPass || r.reason) continue;
      const freed = r.host === sync.host ? r.connections : 0;
      if ((load.get(sync.host) ?? 0) - freed + sync.connections > cap) continue;
      void this.abort(id, 'make-room');
      return;
    }
  }

  /** Says a candidate waits for `holder`; what the saying throws (a store write) must not stop the look for work. */
  private heldBack(c: Candidate, holder: string): void {
    try {
      this.deps.onHeldBack?.(c, holder);
    } catch (err) {
      this.deps.onError?.(err);
    }
  }

  private launch(c: Candidate, connections: number): void {
    const controller = new AbortController();
    const entry: Running = { host: c.host, exclusiveKey: c.exclusiveKey, firstPass: c.firstPass, connections, controller, done: Promise.resolve() };
    this.running.set(c.account.id, entry);
    entry.done = this.deps
      .run(c, connections, controller.signal, () => entry.reason)
      .catch((err: unknown) => this.deps.onError?.(err))
      .finally(() => {
        this.running.delete(c.account.id);
        try {
          this.deps.onEnded?.(c.account.id);
        } catch (err) {
          this.deps.onError?.(err);
        }
        this.kick();
      });
  }

  /** Stops starting accounts, asks the running ones to stop, waits for them. */
  async stop(reason: StopReason = 'shutdown'): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running.keys()].map((id) => this.abort(id, reason)));
  }
}
