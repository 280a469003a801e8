/**
 * A POP3 source where another client deleted one message after our UIDL: the server refuses
 * TOP for it (Dovecot 2.3 answers "-ERR Message 2 expunged."). That refusal is about that
 * message, not about TOP: the other messages are still read with TOP, never with RETR (which
 * marks a message read on servers such as Dovecot, whose pop3_no_flag_updates defaults to
 * no), and the deleted one is reported as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { pop3Endpoint } from './pop3-support';

const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Top-refused-src-pw-1' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Top-refused-tgt-pw-2' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Top-refused-tgt-pw-3' };

describe('POP3: one message deleted by another client between UIDL and TOP', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'top-refused-src', users: [alice] }), startDovecot({ name: 'top-refused-tgt', users: [bob, carol] })]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(6, 21, { prefix: 'toperr' }).map((m) => ({ ...m, flags: [] })));
    proxy = await startRecordingProxy(src.pop3Port, {
      answerInstead: (line) =>
        // Dovecot's CAPA without STLS (so the session stays readable to the proxy); TOP and RETR of message 2 as for a deleted message.
        /^CAPA$/i.test(line)
          ? '+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\nSASL PLAIN LOGIN\r\n.'
          : /^(TOP|RETR) 2\b/i.test(line)
            ? '-ERR Message 2 expunged.'
            : undefined,
    });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
  });

  it.each([
    ['with --pop3-retr', true, bob],
    ['without --pop3-retr', false, carol],
  ] as const)('%s: the five others are copied by TOP, none is marked read, the deleted one is reported', async (_name, pop3Retr, into) => {
    const state = tempStore();
    try {
      const endpoint = { ...pop3Endpoint(src, alice), port: proxy.port };
      const result = await migrate(job(endpoint, plainEndpoint(tgt, into), { pop3Retr, chunkMessages: 2 }), state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(5);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]!.reason).toMatch(/deleted on the source while the migration ran: TOP said "-ERR Message 2 expunged\."/);
      expect(proxy.events().filter((e) => e.kind === 'line' && /^RETR /i.test(e.text))).toEqual([]);
      expect((await readFolder(src, alice, 'INBOX')).filter((m) => m.flags.includes('\\Seen'))).toEqual([]);
      expect(await readFolder(tgt, into, 'INBOX')).toHaveLength(5);
    } finally {
      state.cleanup();
    }
  }, 60_000);
});
