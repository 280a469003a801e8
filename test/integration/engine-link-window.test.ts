import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../bench/latency-proxy';
import { ByteBudget } from '../../bridge/engine/byte-budget';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const carol = { user: 'carol@new.example.com', password: 'carol-pw' };
const dave = { user: 'dave@new.example.com', password: 'dave-pw' };
const erin = { user: 'erin@new.example.com', password: 'erin-pw' };
const FOLDERS = ['INBOX', 'Archive'];
const MB = 1024 * 1024;
const BUDGET = 16 * MB;

/** A shared budget (as a batch passes one) that keeps what each pass widened it by, and whether it was narrowed again. */
class WatchedBudget extends ByteBudget {
  readonly widenings: Array<{ bytes: number; narrowed: boolean }> = [];
  override widen(bytes: number): () => void {
    const entry = { bytes, narrowed: false };
    this.widenings.push(entry);
    const narrow = super.widen(bytes);
    return () => {
      entry.narrowed = true;
      narrow();
    };
  }
}

/** The target's LIST commands: the discovery's, and the one with STATUS a pass with something to copy adds (target-statuses.ts). */
/**
 * The target's whole-mailbox listings (LIST with a wildcard), plain or with STATUS. Not imapflow's
 * `LIST "" <folder>` before a SELECT of a folder its connection has not listed (a folder this run
 * created after the listing a worker adopted): whether a worker opens such a folder first depends
 * on timing, and it is not a listing of the target.
 */
const targetLists = (p: RecordingProxy) =>
  p.events().flatMap((e) => (e.kind === 'line' && /^\S+ LIST \S+ "?[^"\s]*[*%][^"\s]*"?/i.test(e.text) ? [/STATUS \(/i.test(e.text) ? 'with status' : 'plain'] : []));
/** Every LIST line, for a failure's message. */
const listLines = (p: RecordingProxy) => p.events().flatMap((e) => (e.kind === 'line' && /^\S+ LIST /i.test(e.text) ? [e.text.slice(0, 120)] : []));
const noops = (p: RecordingProxy) => p.events().filter((e) => e.kind === 'line' && /^\S+ NOOP\b/i.test(e.text)).length;

describe('bytes in flight follow the round trip', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let links: LatencyProxy[] = [];
  let recorders: RecordingProxy[] = [];

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'window-src', users: [alice] }),
      startDovecot({ name: 'window-tgt', users: [bob, carol, dave, erin] }),
    ]);
    for (const [i, folder] of FOLDERS.entries()) await seedFolder(source, alice, folder, bulkMessages(120, 80 + i, { prefix: folder }));
  });
  afterAll(async () => {
    await Promise.all([...links, ...recorders].map((p) => p.close()));
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /**
   * Migrates alice into `into` through recording proxies, behind a link of `rttMs` when
   * given; twice, the second time with nothing new. `workers`: a fixed number of
   * connections, else as many as the pass wants. `stopWhenPlanning`: the first pass is
   * stopped when it starts planning (its budget about to be widened), and there is no second.
   */
  async function migrateTwice(into: typeof bob, o: { rttMs?: number; workers?: number; stopWhenPlanning?: boolean } = {}) {
    const { rttMs } = o;
    const ends = await Promise.all(
      [source, target].map(async (server) => {
        const recorder = await startRecordingProxy(server.imapPort, { hideStartTls: true });
        recorders.push(recorder);
        if (rttMs === undefined) return { recorder, port: recorder.port };
        const link = await startLatencyProxy({ host: '127.0.0.1', port: recorder.port }, { rttMs });
        links.push(link);
        return { recorder, port: link.port };
      }),
    );
    const [src, tgt] = ends as [(typeof ends)[0], (typeof ends)[0]];
    const state = tempStore();
    const budget = new WatchedBudget(BUDGET);
    const workers = o.workers ? { concurrency: o.workers, fixedConcurrency: true } : { concurrency: 4 };
    const theJob = job({ ...plainEndpoint(source, alice), port: src.port }, { ...plainEndpoint(target, into), port: tgt.port }, { ...workers, budgetBytes: BUDGET });
    const stop = new AbortController();
    // A retried pass lists the target again: what made it retry is said when a count is off.
    const retries: string[] = [];
    try {
      const first = await migrateAccount(theJob, state.store, {
        budget,
        signal: stop.signal,
        onProgress: (p) => o.stopWhenPlanning && p.phase === 'planning' && stop.abort(),
        onRetry: (err, attempt) => retries.push(`attempt ${attempt}: [${err.code}] ${err.message}`),
      });
      const capacityAfter = budget.capacity;
      const noopsFirst = [noops(src.recorder), noops(tgt.recorder)];
      const wire = [src.recorder.events(), tgt.recorder.events()].map((events) => [...events]);
      const targetListsFirst = targetLists(tgt.recorder);
      const listLinesFirst = listLines(tgt.recorder);
      const second = o.stopWhenPlanning ? undefined : await migrateAccount(theJob, state.store, { budget });
      return { first, second, capacityAfter, wire, widenings: budget.widenings, noopsFirst, noopsAfter: [noops(src.recorder), noops(tgt.recorder)], targetListsFirst, listLinesFirst, targetListsAfter: targetLists(tgt.recorder), retries };
    } finally {
      state.cleanup();
    }
  }

  it('over a 50 ms link: twice the budget while copying, back to the budget after; a re-run with nothing new measures nothing', async () => {
    const run = await migrateTwice(bob, { rttMs: 50, workers: 4 });
    expect(run.first.error).toBeNull();
    expect(run.first.messagesCopied).toBe(240);
    for (const folder of FOLDERS) expect(identities(await readFolder(target, bob, folder)), folder).toEqual(identities(await readFolder(source, alice, folder)));
    // The logins measured the link (no NOOP of its own): 40 ms or more doubles the budget,
    // which four workers' chunks (2 MB each, two per worker, charged twice) fill.
    expect(run.noopsFirst).toEqual([0, 0]);
    expect(run.widenings).toEqual([{ bytes: BUDGET, narrowed: true }]);
    expect(run.capacityAfter).toBe(BUDGET);
    // The re-run copies nothing: no widening, and no target listing with STATUS (no plan reads one).
    expect(run.second?.error).toBeNull();
    expect(run.second?.messagesCopied).toBe(0);
    expect(run.targetListsFirst, `retries of the first run: ${run.retries.join('; ') || 'none'}; LISTs: ${run.listLinesFirst.join(' | ')}`).toEqual(['plain', 'with status']);
    expect(run.targetListsAfter).toEqual(['plain', 'with status', 'plain']);
    expect(run.noopsAfter).toEqual([0, 0]);
    expect(run.widenings).toHaveLength(1);
  }, 60_000);

  it('on loopback: the budget stays about as configured', async () => {
    const run = await migrateTwice(carol, { workers: 4 });
    expect(run.first.error).toBeNull();
    expect(run.first.messagesCopied).toBe(240);
    expect(run.noopsFirst).toEqual([0, 0]);
    expect(run.widenings).toHaveLength(1);
    // A loopback round trip is well under a millisecond; 20 ms (half the budget) leaves room for a busy machine.
    expect(run.widenings[0]!.bytes).toBeLessThan(BUDGET / 2);
    expect(run.widenings[0]!.narrowed).toBe(true);
    expect(run.capacityAfter).toBe(BUDGET);
  }, 60_000);

  it('over a link, a pass whose workers fit in the budget does not widen it (a batch shares it)', async () => {
    // 240 messages want two workers: their chunks fit in 16 MB, the link changes nothing.
    const few = await migrateTwice(dave, { rttMs: 50 });
    expect(few.first.error).toBeNull();
    expect(few.widenings.map((w) => w.bytes)).toEqual([0]);
    expect(few.capacityAfter).toBe(BUDGET);
  }, 60_000);

  it('a pass stopped after widening the budget narrows it again', async () => {
    const stopped = await migrateTwice(erin, { workers: 4, stopWhenPlanning: true });
    expect(stopped.first.error?.code).toBe('CANCELLED');
    expect(stopped.widenings).toHaveLength(1);
    expect(stopped.widenings[0]!.narrowed).toBe(true);
    expect(stopped.capacityAfter).toBe(BUDGET);
  }, 60_000);
});
