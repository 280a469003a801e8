/**
 * The cut-over of each job, run inside the bridge service: the DNS check of its domains every
 * `intervalMs` (default 5 minutes: DNS changes propagate in minutes, and checking more often only
 * loads the resolvers) and on demand. When every domain's MX is first seen on the target it
 * records when, takes each account's count of incrementally synced messages as a baseline and
 * extends every syncing account's window to at least `keepSyncDays` from then: resolvers that
 * still cache the old MX (for at least its TTL, often much longer) keep delivering to the old
 * servers, and only the incremental passes bring that mail over. From then on the messages that
 * the passes copy are the mail that reached the old servers after the switch; when none arrived
 * for `quietHours`, and every account with a window had a sync pass read its old mailbox after
 * that quiet time began, closing the sync window is proposed (never done by itself).
 */
import { CutoverConfigSchema, CutoverViewSchema, type CutoverChecklistItem, type CutoverConfig, type CutoverView } from '../../shared/protocol/cutover';
import type { DnsCheckReport } from '../../shared/protocol/dns-check';
import { AccountsRepo } from '../service/accounts-repo';
import type { ServiceDb } from '../service/db';
import { ServiceError } from '../service/service-error';
import { DnsQueryError, DomainNotFoundError } from './dns-client';
import { CutoverStore, type CutoverState } from './cutover-store';
import { expectationsOrThrow, runDnsCheck } from './run-dns-check';

export interface CutoverMonitorOptions {
  db: ServiceDb;
  /** Job status, undefined for a job that does not exist. */
  jobStatus: (jobId: string) => string | undefined;
  emit: (view: CutoverView) => void;
  /** Between periodic checks; default 5 minutes. */
  intervalMs?: number;
  /** HOST:PORT of the DNS server to ask (tests, split horizon); default the system's. */
  dnsServer?: string;
  keepSyncDays?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export const DEFAULT_CUTOVER_INTERVAL_MS = 5 * 60_000;

export class CutoverMonitor {
  private readonly store: CutoverStore;
  private readonly accounts: AccountsRepo;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;
  /** One check per job at a time: a periodic tick and a request may meet. */
  private readonly inFlight = new Map<string, Promise<CutoverView>>();

  constructor(private readonly opts: CutoverMonitorOptions) {
    this.store = new CutoverStore(opts.db);
    this.accounts = new AccountsRepo(opts.db);
    this.intervalMs = Math.max(200, opts.intervalMs ?? DEFAULT_CUTOVER_INTERVAL_MS);
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.nextAt = this.now() + this.intervalMs;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  /** Waits for checks under way (so the database is not closed under them). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async tick(): Promise<void> {
    this.nextAt = this.now() + this.intervalMs;
    for (const jobId of this.store.jobIds()) {
      const status = this.opts.jobStatus(jobId);
      if (!status || status === 'closed') continue;
      try {
        await this.check(jobId);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private requireJob(jobId: string): void {
    if (!this.opts.jobStatus(jobId)) throw new ServiceError('NOT_FOUND', `No job ${jobId}.`);
  }

  async configure(jobId: string, input: unknown): Promise<CutoverView> {
    this.requireJob(jobId);
    const config: CutoverConfig = CutoverConfigSchema.parse(input);
    // Unknown ids are refused here rather than at the first periodic check.
    try {
      expectationsOrThrow(config.targetProvider, 'targetProvider');
      if (config.oldProvider) expectationsOrThrow(config.oldProvider, 'oldProvider');
    } catch (err) {
      throw new ServiceError('INVALID_PARAMS', (err as Error).message);
    }
    this.store.configure(jobId, config);
    return this.check(jobId);
  }

  get(jobId: string): CutoverView | null {
    this.requireJob(jobId);
    const state = this.store.get(jobId);
    return state ? this.view(jobId, state) : null;
  }

  setChecklist(jobId: string, item: CutoverChecklistItem, done: boolean): CutoverView {
    this.requireJob(jobId);
    const state = this.store.get(jobId);
    if (!state) throw new ServiceError('CONFLICT', `Job ${jobId} has no cut-over domains yet (cutover.set).`);
    state.checklist[item] = done ? new Date(this.now()).toISOString() : null;
    this.store.put(jobId, state);
    const view = this.view(jobId, state);
    this.opts.emit(view);
    return view;
  }

  check(jobId: string): Promise<CutoverView> {
    const running = this.inFlight.get(jobId);
    if (running) return running;
    const p = this.runCheck(jobId).finally(() => this.inFlight.delete(jobId));
    this.inFlight.set(jobId, p);
    return p;
  }

  private async runCheck(jobId: string): Promise<CutoverView> {
    this.requireJob(jobId);
    const state = this.store.get(jobId);
    if (!state) throw new ServiceError('CONFLICT', `Job ${jobId} has no cut-over domains yet (cutover.set).`);
    const { config } = state;
    const reports: DnsCheckReport[] = [];
    let checkError: string | null = null;
    try {
      for (const domain of config.domains) {
        reports.push(
          await runDnsCheck({ domain, targetProvider: config.targetProvider, oldProvider: config.oldProvider, dkimSelector: config.dkimSelector ?? undefined, dnsServer: this.opts.dnsServer }, () => new Date(this.now())),
        );
      }
    } catch (err) {
      if (!(err instanceof DnsQueryError || err instanceof DomainNotFoundError)) throw err;
      // Keep the last good reports: a failing resolver says nothing about the zone, and a domain
      // gone from DNS (expired, a typo in cutover.set) is named in checkError instead.
      checkError = err.message;
    }
    const fresh = this.store.get(jobId) ?? state; // a checklist tick may have landed meanwhile
    const next: CutoverState = { ...fresh, checkError, lastCheckedAt: new Date(this.now()).toISOString(), ...(checkError ? {} : { reports }) };
    const nowIso = new Date(this.now()).toISOString();
    if (!checkError && !next.mxOnTargetAt) {
      // Before the switch the MX found is the old one: its TTL is how long caches may keep it.
      for (const r of reports) {
        const ttl = r.records.find((x) => x.kind === 'MX')?.ttl;
        if (!r.mxOnTarget && typeof ttl === 'number') next.oldMxTtl = Math.max(next.oldMxTtl ?? 0, ttl);
      }
    }
    const accounts = this.accounts.listByJob(jobId).accounts;
    if (!checkError && reports.length > 0 && reports.every((r) => r.mxOnTarget) && !next.mxOnTargetAt) {
      next.mxOnTargetAt = nowIso;
      next.baseline = Object.fromEntries(accounts.map((a) => [a.id, a.counters.messagesSyncedSinceFirstPass]));
      // At least a week, and never less than the old MX TTL (a resolver may hold it that long).
      const keepUntil = this.now() + Math.max((this.opts.keepSyncDays ?? 7) * 86_400_000, (next.oldMxTtl ?? 0) * 1000);
      for (const a of accounts) {
        // Every account with a sync window, also one paused, failed or waiting for a password just now: it may sync again before the old MX is forgotten.
        if (a.status !== 'closed' && a.syncUntil !== null && a.syncUntil < keepUntil) this.accounts.update(a.id, { syncUntil: keepUntil });
      }
    }
    if (next.mxOnTargetAt) {
      for (const a of accounts) {
        // An account added after the switch starts its count from its own first pass.
        const base = next.baseline[a.id] ?? (next.baseline[a.id] = a.counters.messagesSyncedSinceFirstPass);
        const count = Math.max(0, a.counters.messagesSyncedSinceFirstPass - base);
        const prev = next.arrivals[a.id];
        next.arrivals[a.id] = { count, at: prev && count <= prev.count ? prev.at : count > 0 ? nowIso : null };
      }
    }
    this.store.put(jobId, next);
    const view = this.view(jobId, next);
    this.opts.emit(view);
    return view;
  }

  private view(jobId: string, s: CutoverState): CutoverView {
    const accounts = this.accounts.listByJob(jobId).accounts;
    const pendingFirstPass = accounts.filter((a) => !a.firstPassDoneAt && a.status !== 'closed').length;
    const mxOnTarget = s.reports.length > 0 && s.reports.every((r) => r.mxOnTarget);
    const lastActivity = Math.max(
      s.mxOnTargetAt ? Date.parse(s.mxOnTargetAt) : 0,
      ...Object.values(s.arrivals).map((a) => (a.at ? Date.parse(a.at) : 0)),
    );
    const quietMs = s.config.quietHours * 3_600_000;
    // Quiet is only known of an old mailbox a sync pass read after the quiet period began: one
    // paused, failing (a changed old password) or waiting for a password brings nothing in
    // however much mail reaches it, and closing then would leave that mail on the old system.
    const unobserved = accounts.filter((a) => a.status !== 'closed' && a.syncUntil !== null && (a.lastSyncAt === null || Date.parse(a.lastSyncAt) < lastActivity + quietMs)).length;
    const closeProposed = !!s.mxOnTargetAt && pendingFirstPass === 0 && unobserved === 0 && this.now() - lastActivity >= quietMs;
    const stage = closeProposed ? 'quiet' : s.mxOnTargetAt ? 'switched' : pendingFirstPass > 0 ? 'prepare' : 'ready-to-switch';
    return CutoverViewSchema.parse({
      jobId,
      config: s.config,
      reports: s.reports,
      lastCheckedAt: s.lastCheckedAt,
      nextCheckAt: this.nextAt ? new Date(this.nextAt).toISOString() : null,
      checkError: s.checkError,
      mxOnTarget,
      mxOnTargetAt: s.mxOnTargetAt,
      oldMxTtl: s.oldMxTtl,
      pendingFirstPass,
      earlyMx: mxOnTarget && pendingFirstPass > 0,
      stage,
      accounts: accounts.map((a) => ({ accountId: a.id, source: a.source, arrivedAfterSwitch: s.arrivals[a.id]?.count ?? 0, lastArrivalAt: s.arrivals[a.id]?.at ?? null })),
      closeProposed,
      checklist: s.checklist,
    });
  }
}
