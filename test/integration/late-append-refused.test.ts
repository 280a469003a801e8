/**
 * A message held back for the late-APPEND check (late-appends.ts) must not change how the
 * rest of its chunk is judged. A refusal that does not name the message is a skip when other
 * messages of the same call were taken, and fails the pass only when nothing got through
 * (append-messages.ts). Holding the marked message back took it out of that call: the message
 * after it, refused so, became "nothing got through", every pass failed on it, and the held
 * message, waiting for the rest of its folder to be settled, was never copied at all.
 *
 * A proxy stands in for the target: it ends the connection under the APPEND of one message
 * (never passed on: nothing stored, the message marked), and refuses the message after it
 * every time with words that are not about the message. MULTIAPPEND is hidden so each
 * message is a command of its own (as on Courier, which has none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import type { ServerKind } from '../harness/server-common';
import { startAnsweringProxy } from '../support/answering-proxy';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { imapEndpoint } from './matrix-engine-support';

const KINDS: readonly ServerKind[] = ['dovecot', 'courier'];
const alice = (kind: ServerKind): MailUser => ({ user: `alice-${kind}@old.example.com`, password: 'Held-src-pw-3Kd' });
const carol = (kind: ServerKind): MailUser => ({ user: `carol-${kind}@old.example.com`, password: 'Held-src-pw-5Pn' });
const bob = (chunkMessages: number): MailUser => ({ user: `bob-${chunkMessages}@new.example.com`, password: 'Held-tgt-pw-7Wm' });
const OTHER = new Date('2022-03-04T05:06:07Z');
/** The message whose APPEND the connection ends under, and the one the target refuses: told apart by their dates on the APPEND line. */
const CUT = new Date('2021-01-01T00:00:00Z');
const REFUSED = new Date('2021-02-02T00:00:00Z');
/** Refused for now every time ("Server Unavailable. 15", Exchange), and the one cut after it. */
const FOR_NOW = new Date('2021-03-03T00:00:00Z');
const CUT_AFTER = new Date('2021-04-04T00:00:00Z');
const at = (id: string, internalDate: Date) => ({ raw: textMessage({ id, subject: id, body: `${id}\r\n${'x'.repeat(800)}\r\n` }), flags: ['\\Seen'], internalDate });

let source: AnyMailServer;
const targets = new Map<ServerKind, AnyMailServer>();

beforeAll(async () => {
  source = await startMailServer('dovecot', { name: 'held-src', users: [...KINDS.map(alice), ...KINDS.map(carol)] });
  for (const kind of KINDS) targets.set(kind, await startMailServer(kind, { name: `held-${kind}`, users: [bob(10), bob(1), bob(0)] }));
  for (const kind of KINDS) await seedFolder(source, alice(kind), 'INBOX', [at('m1', OTHER), at('m2', OTHER), at('cut', CUT), at('refused', REFUSED)]);
  for (const kind of KINDS) await seedFolder(source, carol(kind), 'INBOX', [at('m1', OTHER), at('for-now', FOR_NOW), at('cut', CUT_AFTER)]);
}, 120_000);

afterAll(async () => {
  for (const t of targets.values()) await t.stop();
  await source?.stop();
});

/**
 * `chunkMessages`: 10, the held message and the refused one share a chunk (without the hold
 * the refused one was skipped, the run done); 1, each is a chunk of its own (without the hold
 * the held message was copied, and the refused one, alone in its call, failed the run).
 */
/**
 * A proxy in front of `tgt` (MULTIAPPEND hidden: a command per message) that ends the connection
 * under the first APPEND dated `cutDate` and answers every APPEND dated `refusedDate` with `refusal`.
 */
async function cutOnceAndRefuse(tgt: AnyMailServer, cutDate: string, refusedDate: string, refusal: string) {
  let cut = false;
  const proxy = await startAnsweringProxy(
    tgt.imapPort,
    (cmd) => {
      if (cmd.verb !== 'APPEND') return undefined;
      if (cmd.line.includes(refusedDate)) return { reply: refusal };
      if (cmd.line.includes(cutDate) && !cut) {
        cut = true;
        return { bye: 'Connection lost' };
      }
      return undefined;
    },
    { hide: ['MULTIAPPEND'] },
  );
  return { proxy, wasCut: () => cut };
}

const CASES = [
  { chunkMessages: 10, name: 'in one chunk', skipOnly: true },
  { chunkMessages: 1, name: 'in chunks of their own', skipOnly: false },
] as const;

describe.concurrent.each(KINDS)('a held message and a refusal of the message after it: dovecot -> %s', (kind) => {
  it.each(CASES)('$name: the held message is copied', async ({ chunkMessages, skipOnly }) => {
    const tgt = targets.get(kind)!;
    const { proxy, wasCut } = await cutOnceAndRefuse(tgt, '01-Jan-2021', '02-Feb-2021', 'NO [SERVERBUG] Internal server error');
    const state = tempStore();
    try {
      const into = bob(chunkMessages);
      const result = await migrate(job(imapEndpoint(source, alice(kind)), imapEndpoint(tgt, into, proxy.port), { chunkMessages, concurrency: 1, fixedConcurrency: true, maxAttempts: 3, includeFolders: ['INBOX'] }), state.store);
      expect(wasCut(), 'the connection ended under the APPEND').toBe(true);
      expect(await idsByFolder(tgt, into), passSummary(result)).toEqual({ INBOX: ['cut', 'm1', 'm2'] });
      // In one chunk the refusal was a skip before the hold too; alone, it failed the run then.
      if (skipOnly) {
        expect(result.status, passSummary(result)).toBe('done');
        expect(result.skipped.map((s) => s.reason), passSummary(result)).toEqual([expect.stringContaining('Internal server error')]);
      }
    } finally {
      state.cleanup();
      await proxy.close();
    }
  });
});

/**
 * The same on a run's last chance, with a refusal for now: such a refusal is a skip there when
 * the target takes the next message of the call, and fails the pass when none comes after it
 * (append-messages.ts; Exchange refuses a message it cannot convert so every time). The last
 * chance of a first run refuses one message for now and is cut under the next one's APPEND; the
 * next run holds that one back, so the refused one was the last of its call in every pass: the
 * run failed, and so did every later one, with the held message never copied.
 */
describe.concurrent.each(KINDS)('a held message after a message refused for now on the last chance: dovecot -> %s', (kind) => {
  it('the next run copies the held message and gives the refused one up for now', async () => {
    const tgt = targets.get(kind)!;
    const { proxy, wasCut } = await cutOnceAndRefuse(tgt, '04-Apr-2021', '03-Mar-2021', 'NO [UNAVAILABLE] Server Unavailable. 15');
    const state = tempStore();
    const into = bob(0);
    const run = () => migrate(job(imapEndpoint(source, carol(kind)), imapEndpoint(tgt, into, proxy.port), { chunkMessages: 10, concurrency: 1, fixedConcurrency: true, maxAttempts: 3, includeFolders: ['INBOX'] }), state.store);
    try {
      const first = await run();
      expect(wasCut(), `the connection ended under the APPEND: ${passSummary(first)}`).toBe(true);
      const second = await run();
      expect(await idsByFolder(tgt, into), passSummary(second)).toEqual({ INBOX: ['cut', 'm1'] });
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.skipped.map((s) => s.reason), passSummary(second)).toEqual([expect.stringContaining('Server Unavailable. 15')]);
    } finally {
      state.cleanup();
      await proxy.close();
    }
  });
});
