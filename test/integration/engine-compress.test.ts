/**
 * --compress: COMPRESS=DEFLATE (RFC 4978) on both sides when the servers offer it, and the
 * target still stores every message byte for byte; without it no COMPRESS is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy } from '../support/recording-proxy';

const zlib = 'mail_plugins = $mail_plugins zlib\nprotocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n';
const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const plain = { user: 'plain@new.example.com', password: 'pw' };
const packed = { user: 'packed@new.example.com', password: 'pw' };

describe('COMPRESS=DEFLATE (--compress)', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'zip-src', users: [alice], extraConfig: zlib }),
      startDovecot({ name: 'zip-tgt', users: [plain, packed], extraConfig: zlib }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(60, 71, { minBody: 2000, maxBody: 20000 }));
    await seedFolder(source, alice, 'Work', bulkMessages(15, 72, { prefix: 'w' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  for (const [label, user, compress] of [['asked for', packed, true], ['not asked for', plain, false]] as const) {
    it(`${label}: ${compress ? 'both sides compress' : 'no COMPRESS is sent'}, and every message arrives byte-exact`, async () => {
      const sp = await startRecordingProxy(source.imapPort, { hideStartTls: true });
      const tp = await startRecordingProxy(target.imapPort, { hideStartTls: true });
      const state = tempStore();
      try {
        const result = await migrateAccount(job({ ...plainEndpoint(source, alice), port: sp.port }, { ...plainEndpoint(target, user), port: tp.port }, { compress }), state.store);
        expect(result.error).toBeNull();
        expect(result.messagesCopied).toBe(75);
        for (const p of [sp, tp]) expect(/ COMPRESS DEFLATE\r\n/.test(p.clientBytes().toString('latin1'))).toBe(compress);
        for (const folder of ['INBOX', 'Work']) {
          expect(identities(await readFolder(target, user, folder)), folder).toEqual(identities(await readFolder(source, alice, folder)));
        }
      } finally {
        state.cleanup();
        await sp.close();
        await tp.close();
      }
    }, 120_000);
  }
});
