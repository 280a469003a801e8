import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountResult } from '../../shared/migration';
import { UidlIds } from '../../bridge/engine/pop3/uidl-ids';
import type { Pop3Client } from '../../bridge/engine/pop3/client';
import { StateStore, type FolderCheckpoint } from '../../bridge/engine/state-store';
import { QueueAccountResultSchema, QUEUE_PROTOCOL_VERSION } from '../../bridge/queue/protocol';
import { handedCheckpoints, handedReopened } from '../../bridge/queue/handed-checkpoints';
import { storeVerifyRecord, verifyRecordOf } from '../../bridge/queue/verify-record';
import { readPop3Meta } from '../../bridge/verify/pop3-meta';
import { readRecordedState, skipKey } from '../../bridge/verify/recorded-state';
import { recordedFolders, recordedSkips } from '../../bridge/service/account-records';

/**
 * The records a queue worker sends with its result for the coordinator's verify: what the
 * worker's store holds reaches the coordinator's store through the queue's JSON, and verify
 * reads there what it would read from the worker's (queue-coordinator.test.ts runs it end to end).
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const open = (): { store: StateStore; dir: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-vrecord-'));
  dirs.push(dir);
  return { store: StateStore.open(dir), dir };
};
const ACCOUNT = 'account:acc_1';

function checkpoint(sourceFolder: string, targetFolder: string, uidValidity: number): FolderCheckpoint {
  return { account: ACCOUNT, sourceFolder, targetFolder, uidValidity, lastUid: 10, filterKey: '', targetUidValidity: 1, targetUidNext: 11, copied: 0, skipped: 0, alreadyPresent: 0 };
}

function resultOf(store: StateStore): AccountResult {
  return {
    source: 'a@old.example.com',
    target: 'a@new.example.com',
    status: 'done',
    messagesCopied: 8,
    messagesSkipped: 2,
    messagesAlreadyPresent: 0,
    bytesCopied: 1000,
    folders: [],
    skipped: store.skipped(ACCOUNT).map((s) => ({ folder: s.sourceFolder, uid: s.uid, reason: s.reason })),
    warnings: [],
    error: null,
  };
}

/** Moves the reports' arrival a minute back, so a checkpoint written since is newer by the store's one-second clock. */
function backdateReports(dir: string): void {
  const db = new Database(join(dir, 'mailmover.sqlite'));
  db.prepare(`UPDATE reported_folders SET reported_at = datetime('now', '-60 seconds')`).run();
  db.close();
}

/** Through the queue as BullMQ carries it: JSON, parsed by the coordinator's schema. */
const overTheQueue = (value: unknown) => QueueAccountResultSchema.parse(JSON.parse(JSON.stringify(value)));

describe('the worker records for the coordinator verify', () => {
  it('IMAP: the folder map and the skips with their UIDVALIDITY reach the coordinator store, replacing stale skips and keeping its copies', () => {
    const worker = open();
    const coord = open();
    worker.store.putCheckpoint(checkpoint('INBOX', 'INBOX', 7));
    worker.store.putCheckpoint(checkpoint('v1.2', 'v1．2', 9));
    worker.store.recordFolderMap(ACCOUNT, 'INBOX', 'INBOX', null);
    worker.store.recordFolderMap(ACCOUNT, 'v1.2', 'v1．2', '[{"segment":"v1.2","value":"v1．2"}]');
    worker.store.recordMessages(ACCOUNT, 'INBOX', 7, [
      { uid: 1, fingerprint: 'f1', outcome: 'copied', targetUid: 1, size: 10 },
      { uid: 2, fingerprint: 'f2', outcome: 'skipped', targetUid: null, size: 150_000, reason: 'MESSAGE_TOO_LARGE: over the limit' },
    ]);
    worker.store.recordMessages(ACCOUNT, 'v1.2', 9, [{ uid: 4, fingerprint: 'f4', outcome: 'skipped', targetUid: null, size: 20, reason: 'MESSAGE_REJECTED: refused' }]);
    // The coordinator knew a skip a later pass copied, and copied a message itself (复制缺失邮件).
    coord.store.keepWorkerReport(ACCOUNT, { folders: [{ folder: 'INBOX', uidValidity: 7 }], skips: [{ sourceFolder: 'INBOX', uidValidity: 7, uid: 3, reason: 'stale' }] });
    coord.store.recordMessages(ACCOUNT, 'INBOX', 7, [{ uid: 5, fingerprint: 'f5', outcome: 'copied', targetUid: 9, size: 10 }]);

    const result = resultOf(worker.store);
    const sent = overTheQueue({ protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result, recorded: verifyRecordOf(worker.store, ACCOUNT, result, false) });
    expect(sent.recorded).toEqual({
      folderMap: [{ source: 'INBOX', target: 'INBOX' }, { source: 'v1.2', target: 'v1．2' }],
      uidValidity: [{ folder: 'INBOX', uidValidity: 7 }, { folder: 'v1.2', uidValidity: 9 }],
      uidls: [],
      folders: worker.store.folderSummaries(ACCOUNT),
      // Not v1.2's: its skip ("refused", not about the message) is tried again by the next pass,
      // which only rows of it can reopen: that checkpoint travels apart, with them (reopened-checkpoints.ts).
      checkpoints: [checkpoint('INBOX', 'INBOX', 7)].map(({ account: _a, ...cp }) => cp),
      // INBOX's final skip travels too, so the next worker reports it and the coordinator keeps it.
      reopened: [
        { ...checkpoint('INBOX', 'INBOX', 7), settled: '', skips: [{ uid: 2, reason: 'MESSAGE_TOO_LARGE: over the limit' }] },
        { ...checkpoint('v1.2', 'v1．2', 9), settled: '', skips: [{ uid: 4, reason: 'MESSAGE_REJECTED: refused' }] },
      ].map(({ account: _a, ...cp }) => cp),
    });
    storeVerifyRecord(coord.store, ACCOUNT, sent.result, sent.recorded!);
    // The checkpoints wait for the account's next pass, whichever worker takes it; the reopened one apart.
    expect(handedCheckpoints(coord.store, ACCOUNT)).toEqual(sent.recorded!.checkpoints);
    expect(handedReopened(coord.store, ACCOUNT)).toEqual(sent.recorded!.reopened);
    // The account view (account.get's folders, account.skipped) shows what it shows from the worker's store.
    expect(recordedFolders(coord.store, ACCOUNT)).toEqual(worker.store.folderSummaries(ACCOUNT));
    expect(recordedFolders(coord.store, ACCOUNT).map((f) => [f.source, f.target, f.copied, f.skipped])).toEqual([
      ['INBOX', 'INBOX', 1, 1],
      ['v1.2', 'v1．2', 0, 1],
    ]);
    expect(recordedSkips(coord.store, ACCOUNT)).toEqual(worker.store.skipped(ACCOUNT));

    const seen = readRecordedState(coord.dir, ACCOUNT);
    expect(seen).toEqual(readRecordedState(worker.dir, ACCOUNT));
    expect(seen.folderMap.get('v1.2')).toBe('v1．2');
    expect(seen.skips.get(skipKey('INBOX', 7))).toEqual(new Map([[2, 'MESSAGE_TOO_LARGE: over the limit']]));
    expect(seen.skips.get(skipKey('v1.2', 9))).toEqual(new Map([[4, 'MESSAGE_REJECTED: refused']]));
    expect(coord.store.outcomeCounts(ACCOUNT, 'INBOX', 7)).toEqual({ copied: 1, present: 0, skipped: 1 });
    // Another account's rows are not touched.
    expect(readRecordedState(coord.dir, 'account:acc_2').skips.size).toBe(0);
    worker.store.close();
    coord.store.close();
  });

  it("the account view: a later report replaces a folder's figures and skips, a report naming no folder keeps them, a newer local pass wins", () => {
    const coord = open();
    const summary = (source: string, copied: number, skipped: number) => ({ source, target: source, lastUid: copied + skipped, copied, alreadyPresent: 0, skipped, updatedAt: '2026-01-01 00:00:00' });
    const skip = (sourceFolder: string, uid: number) => ({ sourceFolder, uidValidity: 7, uid, reason: `MESSAGE_TOO_LARGE: ${uid}` });
    coord.store.keepWorkerReport(ACCOUNT, {
      folders: [{ folder: 'INBOX', uidValidity: 7 }, { folder: 'Sent', uidValidity: 7 }],
      skips: [skip('INBOX', 2), skip('Sent', 4)],
      summaries: [summary('INBOX', 3, 1), summary('Sent', 1, 1)],
    });
    // A later pass copied INBOX's skip (a bigger limit), and has a checkpoint for Sent no more (a fresh worker that failed early).
    coord.store.keepWorkerReport(ACCOUNT, { folders: [{ folder: 'INBOX', uidValidity: 7 }], skips: [], summaries: [summary('INBOX', 4, 0)] });
    coord.store.keepWorkerReport(ACCOUNT, { folders: [], skips: [] });
    expect(recordedFolders(coord.store, ACCOUNT).map((f) => [f.source, f.copied, f.skipped])).toEqual([['INBOX', 4, 0], ['Sent', 1, 1]]);
    expect(recordedSkips(coord.store, ACCOUNT)).toEqual([{ sourceFolder: 'Sent', uid: 4, reason: 'MESSAGE_TOO_LARGE: 4' }]);

    // The bridge ran the account here afterwards (local mode again): its own checkpoint of Sent is newer than the report.
    coord.store.putCheckpoint({ ...checkpoint('Sent', 'Sent', 8), lastUid: 6 });
    coord.store.recordMessages(ACCOUNT, 'Sent', 8, [{ uid: 6, fingerprint: 'f6', outcome: 'skipped', targetUid: null, size: 10, reason: 'local' }]);
    // The reports arrived before that checkpoint's write (SQLite's clock counts seconds: moved back, not waited for).
    backdateReports(coord.dir);
    expect(recordedFolders(coord.store, ACCOUNT).map((f) => [f.source, f.lastUid, f.copied, f.skipped])).toEqual([['INBOX', 4, 4, 0], ['Sent', 6, 0, 1]]);
    expect(recordedSkips(coord.store, ACCOUNT).map((s) => [s.sourceFolder, s.uid, s.reason])).toEqual([['Sent', 6, 'local']]);
    coord.store.close();
  });

  it('a result without records (a worker of an earlier build of protocol 2) still parses', () => {
    const parsed = overTheQueue({ protocol: QUEUE_PROTOCOL_VERSION, worker: 'w-old', result: { ...resultOf(open().store) } });
    expect(parsed.recorded).toBeUndefined();
  });

  it('POP3: the skipped message keeps the id the worker gave its UIDL, and no unrecorded message takes that id', async () => {
    const worker = open();
    const coord = open();
    // The worker saw five messages (ids 1-5) and skipped the third (UIDL u3).
    const ids = UidlIds.forStore(worker.store);
    expect(ids.idsFor(ACCOUNT, ['u1', 'u2', 'u3', 'u4', 'u5'])).toEqual([1, 2, 3, 4, 5]);
    ids.close();
    worker.store.putCheckpoint(checkpoint('INBOX', 'INBOX', 0));
    worker.store.recordMessages(ACCOUNT, 'INBOX', 0, [{ uid: 3, fingerprint: '', outcome: 'skipped', targetUid: null, size: 150_000, reason: 'MESSAGE_TOO_LARGE: over the limit' }]);
    const result = resultOf(worker.store);
    const sent = overTheQueue({ protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result, recorded: verifyRecordOf(worker.store, ACCOUNT, result, true) });
    expect(sent.recorded!.uidls).toEqual([{ id: 3, uidl: 'u3' }]);
    storeVerifyRecord(coord.store, ACCOUNT, sent.result, sent.recorded!);

    // Since then u1 and u2 left the maildrop: u3 is message 1, u5 is message 3.
    const listing = [{ msg: 1, uidl: 'u3' }, { msg: 2, uidl: 'u4' }, { msg: 3, uidl: 'u5' }];
    const header = (msg: number) => Buffer.from(`Message-ID: <m${msg}@old.example.com>\r\nSubject: m${msg}\r\n\r\n`);
    const pop = {
      list: async () => new Map(listing.map((l) => [l.msg, 100 * l.msg])),
      uidl: async () => listing,
      top: async (msg: number) => header(msg),
    } as unknown as Pop3Client;
    const meta = await readPop3Meta(pop, coord.dir, ACCOUNT);
    const uids = meta.messages.map((m) => [m.messageId, m.uid]);
    // The skipped message by its id; message 3 (u5) cannot be called 3, so it moves above every recorded id and number.
    expect(uids).toEqual([['<m2@old.example.com>', 2], ['<m1@old.example.com>', 3], ['<m3@old.example.com>', 6]]);
    expect(readRecordedState(coord.dir, ACCOUNT).skips.get(skipKey('INBOX', 0))).toEqual(new Map([[3, 'MESSAGE_TOO_LARGE: over the limit']]));
    worker.store.close();
    coord.store.close();
  });
});
