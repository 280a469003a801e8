/**
 * A POP3 server that stores LF line ends may count each as one byte in LIST: TOP and RETR then
 * send more bytes than LIST says, and with --pop3-retr the RETR body is taken as the message
 * (pop3-source.ts, download). Its size is then not the LIST size. A message without Message-ID
 * is recognised on the target only with the same body (content-match.ts), and the target bodies
 * were read for the LIST sizes only: the copy already there, of the RETR size, had no body hash,
 * the message was never recognised, and was copied again (twice on the target), while its
 * look-alike (same Date, From, Subject and size, another body) must still be copied, not taken
 * for it.
 *
 * The source is Dovecot's POP3 behind a proxy that answers LIST as such a server does; the
 * targets are each kind of the matrix.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { imapEndpoint } from './matrix-engine-support';
import { pop3Endpoint } from './pop3-support';

const date = new Date('2025-01-06T08:00:00Z');
/** A report without Message-ID: same Date, From, Subject and size whatever `tag` (4 characters) says. */
const report = (tag: string): Buffer => textMessage({ id: null, from: 'alerts@old.example.com', subject: 'Disk report', date, body: `no message id ${tag}` });
const at = (raw: Buffer): CorpusMessage => ({ raw, flags: [], internalDate: date });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const lfSize = (raw: Buffer): number => raw.length - raw.toString('latin1').split('\r\n').length + 1;

const onSource = [report('AAAA'), report('BBBB'), textMessage({ id: 'with-id@old.example.com', subject: 'Disk report', date, body: 'with an id' })];

describe.each(MATRIX.map((c) => [c.describe, c] as const))('POP3 with LIST counting line ends as one byte, --pop3-retr: %s', (_name, config) => {
  const alice: MailUser = { user: 'alice@old.example.com', password: 'Retr-size-src-pw-7Kd' };
  const bob: MailUser = { user: 'bob@new.example.com', password: 'Retr-size-tgt-pw-2Wc' };
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `retr-size-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `retr-size-tgt-${config.id}`, users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', onSource.map(at));
    // The first report is on the target already (copied by hand, or by a run whose state was lost).
    await seedFolder(target, bob, 'INBOX', [at(onSource[0]!)]);
    const listing = ['+OK', ...onSource.map((raw, i) => `${i + 1} ${lfSize(raw)}`), '.'].join('\r\n');
    proxy = await startRecordingProxy(source.pop3Port, {
      answerInstead: (line) =>
        // Dovecot's CAPA without STLS (the session stays readable); LIST with every CRLF counted as one byte.
        /^CAPA$/i.test(line) ? '+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nUSER\r\nSASL PLAIN LOGIN\r\n.' : /^LIST$/i.test(line) ? listing : undefined,
    });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the message already on the target is found by its body; its look-alike and the rest are copied once', async () => {
    const state = tempStore();
    try {
      const result = await migrate(job({ ...pop3Endpoint(source, alice), port: proxy.port }, imapEndpoint(target, bob), { pop3Retr: true }), state.store);
      expect(result.error).toBeNull();
      // RETR it was, with bodies longer than LIST said.
      expect(result.warnings.filter((w) => /the server counts line ends as one byte/.test(w.message))).toHaveLength(3);
      expect(result.messagesAlreadyPresent).toBe(1);
      expect(result.messagesCopied).toBe(2);
      const got = (await readFolder(target, bob, 'INBOX')).map((m) => m.sha256).sort();
      expect(got).toEqual(onSource.map(sha).sort());
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
