/**
 * Applies what the bridge says to the Dexie mirror. Status events replace an account's
 * view; progress events (up to two per second per account) are buffered and written in one
 * transaction every FLUSH_MS, so thousands of running accounts do not mean thousands of
 * IndexedDB transactions a second.
 */
import type { AccountView, EventData, JobView } from '../../shared/protocol';
import { db as defaultDb, type AccountRow, type EventRow, type MailmoverDb, type ProgressSnapshot } from './schema';

const FLUSH_MS = 400;
const MAX_EVENTS = 5000;

export interface StatusChange {
  account: AccountView;
  previous: AccountView | undefined;
}

export class Mirror {
  private statuses = new Map<string, AccountView>();
  private progress = new Map<string, EventData<'account.progress'>>();
  private jobs = new Map<string, JobView>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: MailmoverDb = defaultDb(),
    private readonly onChanges: (changes: StatusChange[]) => void = () => undefined,
  ) {}

  /** The subscribe snapshot: the bridge's whole truth replaces the mirror. */
  async snapshot(jobs: JobView[], accounts: AccountView[]): Promise<void> {
    await this.flushing;
    const now = new Date().toISOString();
    await this.d.transaction('rw', this.d.jobs, this.d.accounts, this.d.settings, async () => {
      const old = new Map((await this.d.accounts.toArray()).map((a) => [a.id, a]));
      await this.d.jobs.clear();
      await this.d.jobs.bulkPut(jobs.map((j) => ({ ...j, syncedAt: now })));
      await this.d.accounts.clear();
      await this.d.accounts.bulkPut(
        accounts.map((a): AccountRow => ({ ...a, progress: keepProgress(old.get(a.id), a), syncedAt: now })),
      );
      await this.d.settings.put({ key: 'lastSnapshotAt', value: now });
    });
  }

  job(job: JobView): void {
    this.jobs.set(job.id, job);
    this.schedule();
  }

  status(account: AccountView): void {
    this.statuses.set(account.id, account);
    // Progress buffered before this status is older than it: applied after it (flush writes
    // statuses first), the pass's last throttled progress would bring back the running phase,
    // rate, ETA and counters of a pass that has ended.
    this.progress.delete(account.id);
    this.schedule();
  }

  progressEvent(p: EventData<'account.progress'>): void {
    this.progress.set(p.accountId, p);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush()).catch(() => undefined);
    }, FLUSH_MS);
  }

  /** Writes everything buffered (also called before the worker may be stopped). */
  async flush(): Promise<void> {
    const statuses = [...this.statuses.values()];
    const progress = [...this.progress.values()];
    const jobs = [...this.jobs.values()];
    this.statuses.clear();
    this.progress.clear();
    this.jobs.clear();
    if (!statuses.length && !progress.length && !jobs.length) return;
    const now = new Date().toISOString();
    const changes: StatusChange[] = [];
    await this.d.transaction('rw', this.d.jobs, this.d.accounts, this.d.events, async () => {
      if (jobs.length) await this.d.jobs.bulkPut(jobs.map((j) => ({ ...j, syncedAt: now })));
      const ids = [...new Set([...statuses.map((a) => a.id), ...progress.map((p) => p.accountId)])];
      const existing = await this.d.accounts.bulkGet(ids);
      const rows = new Map<string, AccountRow>();
      ids.forEach((id, i) => {
        const row = existing[i];
        if (row) rows.set(id, row);
      });
      const events: EventRow[] = [];
      for (const a of statuses) {
        const previous = rows.get(a.id);
        rows.set(a.id, { ...a, progress: keepProgress(previous, a), syncedAt: now });
        if (previous?.status !== a.status) {
          changes.push({ account: a, previous });
          events.push({
            time: a.updatedAt,
            kind: a.status === 'failed' ? 'failed' : a.status === 'first_pass_done' ? 'first-pass-done' : 'status',
            jobId: a.jobId,
            accountId: a.id,
            from: previous?.status ?? null,
            to: a.status,
            code: a.error?.code ?? null,
          });
        }
      }
      for (const p of progress) {
        const row = rows.get(p.accountId);
        if (!row) continue; // the status event (or the next snapshot) brings it
        rows.set(p.accountId, {
          ...row,
          phase: row.status === 'in_progress' || row.status === 'syncing' ? p.phase : row.phase,
          // The bridge's progress counters are the account's cumulative ones (first pass and syncs).
          counters: {
            messagesTotal: p.messagesTotal,
            messagesCopied: p.messagesCopied,
            messagesSkipped: p.messagesSkipped,
            messagesAlreadyPresent: p.messagesAlreadyPresent,
            bytesCopied: p.bytesCopied,
            messagesSyncedSinceFirstPass: p.messagesSyncedSinceFirstPass ?? row.counters.messagesSyncedSinceFirstPass ?? 0,
          },
          progress: toSnapshot(p, now),
          syncedAt: now,
        });
      }
      await this.d.accounts.bulkPut([...rows.values()]);
      if (events.length) {
        await this.d.events.bulkAdd(events);
        const count = await this.d.events.count();
        if (count > MAX_EVENTS) {
          const old = await this.d.events.orderBy('seq').limit(count - MAX_EVENTS).primaryKeys();
          await this.d.events.bulkDelete(old);
        }
      }
    });
    if (changes.length) this.onChanges(changes);
  }
}

function toSnapshot(p: EventData<'account.progress'>, at: string): ProgressSnapshot {
  return { phase: p.phase, bytesTotal: p.bytesTotal, rate: p.rate, etaSeconds: p.etaSeconds, folders: p.folders, at };
}

/** Progress survives a status event while the account still runs; a stopped account has no rate or ETA. */
function keepProgress(previous: AccountRow | undefined, next: AccountView): ProgressSnapshot | null {
  const p = previous?.progress ?? null;
  if (!p) return null;
  const running = next.status === 'in_progress' || next.status === 'syncing';
  return running ? p : { ...p, rate: 0, etaSeconds: null };
}
