/**
 * An APPEND the target stores seconds after the client lost its connection (late-appends.ts):
 * the server read the command whole, the answer never came back, and the message appears in
 * the folder only after the retry, or the next run, has looked there. Courier-IMAP does this
 * on its own when a killed client's session waits for the folder's lock; here a proxy hands
 * the command's last bytes (the end of its last literal) to the server 3 s after it closed the
 * client's connection, so the same happens, at a known moment, on each target kind.
 *
 * Before late-appends.ts the retry (1 s after the cut) and the next run both copied those
 * messages again: each ended on the target twice. From an IMAP source and from a POP3 one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { MigrationOptionsSchema } from '../../shared/migration';
import { seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import type { ServerKind } from '../harness/server-common';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { startLateDeliveryProxy } from '../support/late-delivery-proxy';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
const CASES = ['retry', 'next-run', 'pop3-retry'] as const;
const COUNT = 30;
const LATE_MS = 3000;

const alice = (kind: ServerKind, c: string): MailUser => ({ user: `alice-${kind}-${c}@old.example.com`, password: 'Late-src-pw-5Rq' });
const bob = (c: string): MailUser => ({ user: `bob-${c}@new.example.com`, password: 'Late-tgt-pw-8Tz' });
const ids = (kind: ServerKind, c: string): string[] => Array.from({ length: COUNT }, (_, i) => `${kind}-${c}-${String(i + 1).padStart(2, '0')}`);
const message = (id: string) => ({ raw: textMessage({ id, subject: id, body: `${id}\r\n${'x'.repeat(1500)}\r\n` }), flags: ['\\Seen'], internalDate: new Date('2022-03-04T05:06:07Z') });

/** A pair whose messages are big: each APPEND command carries two of about 300 KB. */
const bigAlice: MailUser = { user: 'alice-big@old.example.com', password: 'Late-src-pw-5Rq' };
const bigBob: MailUser = { user: 'bob-big@new.example.com', password: 'Late-tgt-pw-8Tz' };
const bigIds = Array.from({ length: 6 }, (_, i) => `big-${i + 1}`);
const bigMessageOf = (id: string) => ({ raw: textMessage({ id, subject: id, body: `${id}\r\n${'y'.repeat(300_000)}\r\n` }), flags: [], internalDate: new Date('2022-03-04T05:06:07Z') });

let source: AnyMailServer;
const targets = new Map<ServerKind, AnyMailServer>();

beforeAll(async () => {
  source = await startMailServer('dovecot', { name: 'late-src', users: [...KINDS.flatMap((k) => CASES.map((c) => alice(k, c))), bigAlice] });
  for (const kind of KINDS) targets.set(kind, await startMailServer(kind, { name: `late-${kind}`, users: [...CASES.map((c) => bob(c)), ...(kind === 'dovecot' ? [bigBob] : [])] }));
  await seedFolder(source, bigAlice, 'INBOX', bigIds.map(bigMessageOf));
  for (const kind of KINDS) for (const c of CASES) await seedFolder(source, alice(kind, c), 'INBOX', ids(kind, c).map(message));
}, 120_000);

afterAll(async () => {
  for (const t of targets.values()) await t.stop();
  await source?.stop();
});

// All at once: each case spends most of its time waiting for the late APPEND.
describe.concurrent('an APPEND the target stores after the client lost the connection', () => {
  it.each(KINDS.flatMap((kind) => CASES.map((c) => [kind, c] as const)))('dovecot -> %s, %s: every message once on the target', async (kind, c) => {
    const tgt = targets.get(kind)!;
    const a = alice(kind, c);
    const b = bob(c);
    const proxy = await startLateDeliveryProxy(tgt.imapPort, { afterBytes: 20_000, cuts: 1, lateMs: LATE_MS });
    const state = tempStore();
    try {
      // The product's wait for late APPENDs, not the test fixture's.
      const options = { chunkMessages: 5, concurrency: 1, fixedConcurrency: true, lateAppendMs: MigrationOptionsSchema.parse({}).lateAppendMs };
      let last;
      if (c !== 'next-run') {
        // The cut, then the account's own retry, on a new connection.
        const from = c === 'retry' ? imapEndpoint(source, a) : pop3Endpoint(source, a);
        last = await migrate(job(from, imapEndpoint(tgt, b, proxy.port), { ...options, maxAttempts: 5 }), state.store);
      } else {
        // The run ends with the cut (as a killed one would), and the next run starts at once.
        const cut = await migrate(job(imapEndpoint(source, a), imapEndpoint(tgt, b, proxy.port), { ...options, maxAttempts: 1 }), state.store);
        expect(cut.status, passSummary(cut)).toBe('failed');
        // Through the proxy again (it cuts once): the same target address, the same state.
        last = await migrate(job(imapEndpoint(source, a), imapEndpoint(tgt, b, proxy.port), options), state.store);
      }
      // The premise: the held APPEND reached the server late and was stored.
      await proxy.answered(1);
      expect(proxy.lateAnswers(), 'the late APPEND').toEqual([expect.stringMatching(/^\S+ OK \[APPENDUID \d+ [\d:,]+\]/)]);
      expect(last.status, passSummary(last)).toBe('done');
      expect(last.messagesSkipped, passSummary(last)).toBe(0);
      expect(await idsByFolder(tgt, b), passSummary(last)).toEqual({ INBOX: ids(kind, c) });
      if (c === 'next-run') expect(last.messagesCopied + last.messagesAlreadyPresent, passSummary(last)).toBe(COUNT);
      else expect(last.messagesCopied, passSummary(last)).toBe(COUNT);
      // Nothing left to look for: a third run copies nothing.
      const again = await migrate(job(c === 'pop3-retry' ? pop3Endpoint(source, a) : imapEndpoint(source, a), imapEndpoint(tgt, b, proxy.port), options), state.store);
      expect([again.status, again.messagesCopied], passSummary(again)).toEqual(['done', 0]);
      expect(await idsByFolder(tgt, b)).toEqual({ INBOX: ids(kind, c) });
    } finally {
      state.cleanup();
      await proxy.close();
    }
  });
});

/**
 * A killed process's command still in its kernel's send buffer reaches the server at the speed
 * of the uplink, after the process is gone: a big one may arrive well after the wait. Here the
 * wait is short (300 ms, the test fixture's) and the 600 KB command arrives 3 s late: the look
 * waits as long as such a command takes over the product's slowest uplink, 1 Mbit/s (about 5 s).
 */
it('a big command is waited for as long as a slow uplink takes to carry it', async () => {
  const tgt = targets.get('dovecot')!;
  const proxy = await startLateDeliveryProxy(tgt.imapPort, { afterBytes: 700_000, cuts: 1, lateMs: LATE_MS });
  const state = tempStore();
  try {
    const r = await migrate(job(imapEndpoint(source, bigAlice), imapEndpoint(tgt, bigBob, proxy.port), { chunkMessages: 2, concurrency: 1, fixedConcurrency: true, maxAttempts: 5, includeFolders: ['INBOX'], lateAppendUplinkBytesPerS: MigrationOptionsSchema.parse({}).lateAppendUplinkBytesPerS }), state.store);
    await proxy.answered(1);
    expect(proxy.lateAnswers(), 'the late APPEND').toEqual([expect.stringMatching(/^\S+ OK \[APPENDUID \d+ \d+:\d+\]/)]);
    expect(r.status, passSummary(r)).toBe('done');
    expect(await idsByFolder(tgt, bigBob), passSummary(r)).toEqual({ INBOX: bigIds });
    expect(r.messagesCopied, passSummary(r)).toBe(bigIds.length);
  } finally {
    state.cleanup();
    await proxy.close();
  }
});
