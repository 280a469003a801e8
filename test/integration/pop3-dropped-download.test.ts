/**
 * POP3 downloads that drop the session (dropped-downloads.ts), against a scripted source: a
 * message is blamed (skipped as SOURCE_UNREADABLE) only after it dropped a fresh session on
 * which it was sent alone, and a later run that finds only such a message pending skips it
 * again instead of failing the account as a connection problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { encodeMultiline } from '../../bridge/engine/pop3/multiline';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startFakePop3, type Reply } from '../unit/pop3-fake-server';

const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Pop3-dropped-tgt-Bd1' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Pop3-dropped-tgt-Cd2' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Pop3-dropped-tgt-Dd3' };

/**
 * A maildrop (RETR only). `retr(n, k)` says what the k-th RETR of message n (1-based, over
 * all sessions) gets: 'cut' (30 bytes, then the connection drops), an -ERR line, or the message.
 * `pass(k)`: the answer to the k-th PASS, undefined for +OK.
 */
function maildrop(messages: Buffer[], retr: (n: number, k: number) => 'cut' | string | undefined, pass: (k: number) => string | undefined = () => undefined) {
  const asked = new Map<number, number>();
  let passes = 0;
  return (line: string): Reply | undefined => {
    const [verb, arg] = line.split(' ');
    const n = Number(arg);
    if (verb === 'CAPA') return ['+OK\r\nUSER\r\nUIDL\r\n.\r\n'];
    if (verb === 'PASS') {
      const said = pass(++passes);
      return said ? [said] : undefined;
    }
    if (verb === 'UIDL') return [`+OK\r\n${messages.map((_, i) => `${i + 1} uid-${i + 1}\r\n`).join('')}.\r\n`];
    if (verb === 'LIST') return [`+OK\r\n${messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join('')}.\r\n`];
    if (verb === 'RETR' && messages[n - 1]) {
      const k = (asked.get(n) ?? 0) + 1;
      asked.set(n, k);
      const wire = Buffer.concat([Buffer.from(`+OK ${messages[n - 1]!.length} octets\r\n`), encodeMultiline(messages[n - 1]!)]);
      const what = retr(n, k);
      if (what === 'cut') return { pieces: [wire.subarray(0, 30)], then: 'close' };
      if (what) return [what];
      return [wire];
    }
    return undefined;
  };
}

const rawOf = async (user: DovecotUser) => (await readFolder(tgt, user, 'INBOX', { withRaw: true })).map((m) => m.raw!.toString('latin1')).sort();
let tgt: DovecotServer;

describe('POP3 downloads that drop the session (scripted source)', () => {
  const messages = bulkMessages(6, 97, { prefix: 'dropped' }).map((m) => m.raw);
  const all = messages.map((m) => m.toString('latin1')).sort();

  beforeAll(async () => {
    tgt = await startDovecot({ name: 'pop3-dropped-tgt', users: [bob, carol, dave] });
  });
  afterAll(async () => {
    await tgt?.stop();
  });

  it('a message cut once in each of two passes, and readable on a fresh session, is copied, not skipped', async () => {
    // RETR 4: cut the 1st time (read again on a fresh session), cut again the 3rd time (a
    // second pass, on a session that carried the other messages first), readable after that.
    // RETR 5's first answer fails pass 1 before its chunk is APPENDed.
    const fake = await startFakePop3({ handle: maildrop(messages, (n, k) => (n === 4 && (k === 1 || k === 3) ? 'cut' : n === 5 && k === 1 ? '-ERR [SYS/TEMP] try again later\r\n' : undefined)) });
    const state = tempStore();
    try {
      const result = await migrate(job(fake.endpoint(), plainEndpoint(tgt, bob), { pop3Retr: true, maxAttempts: 3 }), state.store);
      expect(result.error).toBeNull();
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(6);
      expect(await rawOf(bob)).toEqual(all);
    } finally {
      state.cleanup();
      await fake.close();
    }
  });

  it('a message that cannot be read: skipped by the first run, and skipped again (not a failed account) by a run that has nothing else to copy', async () => {
    const fake = await startFakePop3({ handle: maildrop(messages, (n) => (n === 4 ? 'cut' : undefined)) });
    const state = tempStore();
    try {
      const options = { pop3Retr: true, maxAttempts: 3 };
      const first = await migrate(job(fake.endpoint(), plainEndpoint(tgt, carol), options), state.store);
      expect(first.error).toBeNull();
      expect(first.messagesCopied).toBe(5);
      expect(first.skipped).toHaveLength(1);
      const second = await migrate(job(fake.endpoint(), plainEndpoint(tgt, carol), options), state.store);
      expect(second.error).toBeNull();
      expect(second.status).toBe('done');
      expect(second.messagesCopied).toBe(0);
      expect(second.skipped).toHaveLength(1);
      expect(second.skipped[0]!.reason).toContain('the source server could not read this message');
      expect(await rawOf(carol)).toEqual(all.filter((m) => m !== messages[3]!.toString('latin1')));
    } finally {
      state.cleanup();
      await fake.close();
    }
  });

  it('a maildrop still locked by the dropped session at the fresh login: the pass is retried, every message arrives once', async () => {
    const fake = await startFakePop3({
      handle: maildrop(messages, (n, k) => (n === 4 && k === 1 ? 'cut' : undefined), (k) => (k === 2 ? '-ERR [IN-USE] maildrop already locked\r\n' : undefined)),
    });
    const state = tempStore();
    const retries: string[] = [];
    try {
      const result = await migrate(job(fake.endpoint(), plainEndpoint(tgt, dave), { pop3Retr: true, chunkMessages: 2 }), state.store, { onRetry: (e) => retries.push(e.code) });
      expect(result.error).toBeNull();
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(6);
      expect(retries).toEqual(['THROTTLED']);
      expect(await rawOf(dave)).toEqual(all);
    } finally {
      state.cleanup();
      await fake.close();
    }
  });
});
