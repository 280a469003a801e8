/**
 * A worker plans its next folder while the target still takes the last chunk of the folder
 * before: the source side of planning (EXAMINE, the metadata FETCH) adds no round trip at a
 * folder change. The plan opens no target folder before that chunk's commands have ended:
 * one connection runs its commands in order, and the APPEND's own follow-up (copies with
 * 8-bit header bytes are read back, EXAMINE of their folder, then FETCH) interleaved with the
 * survey's EXAMINE and FETCH would make one of them read the other's folder. Every folder here
 * holds such messages, and its target folder copies of some of them made by hand (a survey
 * that must read the folder to find them); on every kind of target server, with the target's
 * replies 30 ms away so that the APPEND is still running when the next folder is planned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../bench/latency-proxy';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { readFolder, seedFolder } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { bulkMessages, trickyMessages, type CorpusMessage } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy, type WireEvent } from '../support/recording-proxy';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Overlap-src-pw-5Tr' };
const bob = { user: 'bob@new.example.com', password: 'Overlap-tgt-pw-7Yk' };
const LEVELS = [['INBOX'], ['Work'], ['Projects', '2024']] as const;
/** Of each folder's messages, these many are on the target already, copied by hand. */
const BY_HAND = 3;

function folderCorpus(i: number): CorpusMessage[] {
  const raw8 = trickyMessages().find((m) => m.label === 'raw 8-bit header')!;
  return [{ raw: raw8.raw, flags: raw8.flags, internalDate: raw8.internalDate }, ...bulkMessages(18, 700 + i, { prefix: `f${i}` })];
}

/** When the tagged answer of each APPEND command came (seq), in the order they were sent. */
function appends(events: readonly WireEvent[]): Array<{ answeredAt: number }> {
  const out: Array<{ answeredAt: number }> = [];
  for (const e of events) {
    if (e.kind !== 'line') continue;
    const m = /^(\S+) APPEND /i.exec(e.text);
    if (!m) continue;
    const answer = events.find((r) => r.kind === 'reply' && r.conn === e.conn && r.seq > e.seq && r.text.startsWith(`${m[1]} `));
    out.push({ answeredAt: answer?.seq ?? Infinity });
  }
  return out;
}

describe.each(MATRIX)('next folder planned while the last chunk is appended: Dovecot -> $describe', (config) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let recorders: RecordingProxy[] = [];
  let link: LatencyProxy | undefined;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `overlap-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `overlap-tgt-${config.id}`, users: [bob] }),
    ]);
    for (const [i, levels] of LEVELS.entries()) {
      const msgs = folderCorpus(i);
      await seedFolder(source, alice, folderPath(source, ...levels), msgs);
      await seedFolder(target, bob, folderPath(target, ...levels), msgs.slice(-BY_HAND));
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...recorders, ...(link ? [link] : [])].map((p) => p.close()));
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('plans on the source during the APPEND, reads the target folder only after it: every message once', async () => {
    const [src, tgt] = await Promise.all([source, target].map((s) => startRecordingProxy(s.imapPort, { hideStartTls: true })));
    recorders = [src!, tgt!];
    link = await startLatencyProxy({ host: '127.0.0.1', port: tgt!.port }, { rttMs: 30 });
    const state = tempStore();
    try {
      const theJob = job(imapEndpoint(source, alice, src!.port), imapEndpoint(target, bob, link.port), { concurrency: 1, fixedConcurrency: true });
      const result = await migrateAccount(theJob, state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(LEVELS.length * (19 - BY_HAND));
      expect(result.messagesAlreadyPresent).toBe(LEVELS.length * BY_HAND);
      // Each folder's copies are read back where the target may have changed them (8-bit header
      // bytes): on its own folder, not on the one the next folder's survey opened meanwhile.
      const changed = result.warnings.filter((w) => w.code === 'MESSAGE_CHANGED').map((w) => w.message);
      if (target.rewrites8bitHeaders) {
        expect(changed).toHaveLength(LEVELS.length);
        for (const levels of LEVELS) expect(changed.filter((m) => m.startsWith(`${19 - BY_HAND} message(s) copied from "${folderPath(source, ...levels)}"`)), levels.join('/')).toHaveLength(1);
      } else {
        expect(changed).toEqual([]);
      }
      for (const levels of LEVELS) {
        const from = await readFolder(source, alice, folderPath(source, ...levels), { withRaw: true });
        const into = await readFolder(target, bob, folderPath(target, ...levels));
        expect(identities(into), levels.join('/')).toEqual(expectedIdentities(from, target));
      }

      // The source opened the second folder before the target had answered the first folder's
      // APPEND (the first APPEND of the pass), with the target's replies 30 ms away.
      const examined = src!.events().flatMap((e) => (e.kind === 'line' && /^\S+ EXAMINE /i.test(e.text) ? [e.seq] : []));
      const appended = appends(tgt!.events());
      expect(examined.length).toBeGreaterThanOrEqual(LEVELS.length);
      expect(appended.length).toBeGreaterThanOrEqual(LEVELS.length);
      expect(examined[1]!).toBeLessThan(appended[0]!.answeredAt);
    } finally {
      state.cleanup();
    }
  }, 120_000);
});

describe("the last chunk's error reaches the next folder's plan: it stays that chunk's error", () => {
  const carol = { user: 'carol@old.example.com', password: 'Overlap-src-pw-8Qe' };
  const dave = { user: 'dave@new.example.com', password: 'Overlap-tgt-pw-3Nu' };
  let source: DovecotMailServer;
  let target: DovecotMailServer;
  let proxy: RecordingProxy | undefined;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: 'overlap-err-src', users: [carol] }),
      startMailServer('dovecot', { name: 'overlap-err-tgt', users: [dave] }),
    ]);
    for (const [i, levels] of LEVELS.entries()) {
      const msgs = folderCorpus(10 + i);
      await seedFolder(source, carol, folderPath(source, ...levels), msgs);
      await seedFolder(target, dave, folderPath(target, ...levels), msgs.slice(-BY_HAND));
    }
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('a read-back refused after the first APPEND ("Mailbox doesn\'t exist") is retried, not reported as the next source folder gone', async () => {
    // The first EXAMINE after an APPEND on a connection is the read-back of that chunk's
    // copies with 8-bit header bytes; the server's refusal of it is made up, once.
    let refused = 0;
    proxy = await startRecordingProxy(target.imapPort, {
      hideStartTls: true,
      answerInstead: (line, _conn, earlier) => {
        const examine = /^(\S+) EXAMINE (.+)$/.exec(line);
        if (!examine || refused > 0) return undefined;
        if (!earlier.some((e) => e.kind === 'line' && /^\S+ APPEND /.test(e.text))) return undefined;
        refused++;
        return `${examine[1]} NO Mailbox doesn't exist: ${examine[2]}`;
      },
    });
    const state = tempStore();
    try {
      const theJob = job(imapEndpoint(source, carol), imapEndpoint(target, dave, proxy.port), { concurrency: 1, fixedConcurrency: true });
      const result = await migrateAccount(theJob, state.store);
      expect(refused).toBe(1);
      expect(result.error).toBeNull();
      expect(result.folders.filter((f) => f.error !== null)).toEqual([]);
      expect(result.messagesCopied + result.messagesAlreadyPresent).toBe(LEVELS.length * 19);
      for (const levels of LEVELS) {
        const from = await readFolder(source, carol, folderPath(source, ...levels), { withRaw: true });
        const into = await readFolder(target, dave, folderPath(target, ...levels));
        expect(identities(into), levels.join('/')).toEqual(expectedIdentities(from, target));
      }
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
