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

const noops = (p: RecordingProxy) => p.events().filter((e) => e.kind === 'line' && /^\S+ NOOP\b/i.test(e.text)).length;

describe('bytes in flight follow the round trip', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let links: LatencyProxy[] = [];
  let recorders: RecordingProxy[] = [];

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'window-src', users: [alice] }),
      startDovecot({ name: 'window-tgt', users: [bob, carol] }),
    ]);
    for (const [i, folder] of FOLDERS.entries()) await seedFolder(source, alice, folder, bulkMessages(120, 80 + i, { prefix: folder }));
  });
  afterAll(async () => {
    await Promise.all([...links, ...recorders].map((p) => p.close()));
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** Migrates alice into `into` through recording proxies, behind a link of `rttMs` when given; twice, the second time with nothing new. */
  async function migrateTwice(into: typeof bob, rttMs?: number) {
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
    const theJob = job({ ...plainEndpoint(source, alice), port: src.port }, { ...plainEndpoint(target, into), port: tgt.port }, { concurrency: 4, budgetBytes: BUDGET });
    try {
      const first = await migrateAccount(theJob, state.store, { budget });
      const noopsFirst = [noops(src.recorder), noops(tgt.recorder)];
      const second = await migrateAccount(theJob, state.store, { budget });
      return { first, second, widenings: budget.widenings, noopsFirst, noopsAfter: [noops(src.recorder), noops(tgt.recorder)] };
    } finally {
      state.cleanup();
    }
  }

  it('over a 50 ms link: twice the budget while copying, back to the budget after; a re-run with nothing new measures nothing', async () => {
    const run = await migrateTwice(bob, 50);
    expect(run.first.error).toBeNull();
    expect(run.first.messagesCopied).toBe(240);
    for (const folder of FOLDERS) expect(identities(await readFolder(target, bob, folder)), folder).toEqual(identities(await readFolder(source, alice, folder)));
    // One NOOP on each side measured the link (40 ms or more doubles the budget); 240 messages
    // want two workers, whose chunks fill 16 MB more.
    expect(run.noopsFirst).toEqual([1, 1]);
    expect(run.widenings).toEqual([{ bytes: BUDGET, narrowed: true }]);
    // The re-run copies nothing: no NOOP, no widening.
    expect(run.second.error).toBeNull();
    expect(run.second.messagesCopied).toBe(0);
    expect(run.noopsAfter).toEqual([1, 1]);
    expect(run.widenings).toHaveLength(1);
  }, 60_000);

  it('on loopback: the budget stays about as configured', async () => {
    const run = await migrateTwice(carol);
    expect(run.first.error).toBeNull();
    expect(run.first.messagesCopied).toBe(240);
    expect(run.noopsFirst).toEqual([1, 1]);
    expect(run.widenings).toHaveLength(1);
    // A loopback round trip is well under a millisecond; 20 ms (half the budget) leaves room for a busy machine.
    expect(run.widenings[0]!.bytes).toBeLessThan(BUDGET / 2);
    expect(run.widenings[0]!.narrowed).toBe(true);
  }, 60_000);
});
