/**
 * Over TLS, what the target is sent reaches Node's TLS layer at most TLS_WRITE_SLICE bytes
 * at a time (paced-tls-writes.ts): Node encrypts each write whole and keeps the ciphertext
 * until the kernel took all of it, so a chunk's MULTIAPPEND or a big message written at
 * once sat in memory twice more. The bytes the TLS layer is handed are counted at the
 * socket's handle, on Dovecot, Cyrus and Courier over STARTTLS with their certificate
 * verified. Under COMPRESS=DEFLATE (Dovecot) the compressed stream is piped into the paced
 * socket: there the check is that nothing stalls. Every message must arrive byte for byte,
 * in order.
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendItem } from '../../bridge/engine/append-batch';
import { appendMessages } from '../../bridge/engine/append-messages';
import { closeQuietly, connectImap } from '../../bridge/engine/connect';
import type { Endpoint } from '../../bridge/engine/endpoint';
import type { ImapClient } from '../../bridge/engine/imap-client';
import { TLS_WRITE_SLICE } from '../../bridge/engine/paced-tls-writes';
import { readFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { bigMessage } from '../support/corpus';
import { recordTlsHandOffs } from '../support/tls-hand-offs';

const ann: MailUser = { user: 'ann@new.example.com', password: 'ann-tls-pw' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const zlib = 'mail_plugins = $mail_plugins zlib\nprotocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n';

/** 24 messages of 40-120 KB (one MULTIAPPEND of about 2 MB where offered) and one of 3 MB (sent alone, after a "+"). */
function messages(tag: string): AppendItem[] {
  const small = Array.from({ length: 24 }, (_, i) => bigMessage(40_000 + ((i * 37_813) % 80_000), `${tag}-s${i}`));
  return [...small, bigMessage(3 * 1024 * 1024, `${tag}-big`)].map((raw, i) => ({ raw, flags: i % 2 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2021, 1, 1 + i)) }));
}

function starttls(server: AnyMailServer): Endpoint {
  return { host: server.host, port: server.imapPort, security: 'starttls', user: ann.user, auth: { kind: 'password', password: ann.password }, allowPlaintext: false, insecureTls: false, ca: server.caPem };
}

/** Sizes of every write the client's TLS socket hands to its TLS layer from now on. */
function handOffs(client: ImapClient): number[] {
  const socket = (client as unknown as { socket: TLSSocket }).socket;
  expect(socket.encrypted).toBe(true);
  return recordTlsHandOffs(socket);
}

async function appendAndCheck(server: AnyMailServer, client: ImapClient, folder: string, items: AppendItem[]): Promise<number[]> {
  await client.mailboxCreate(folder).catch(() => undefined);
  const sizes = handOffs(client);
  const outcomes = await appendMessages(client, folder, items);
  expect(outcomes.every((o) => 'targetUid' in o)).toBe(true);
  const stored = await readFolder(server, ann, folder);
  expect(stored.map((m) => m.sha256)).toEqual(items.map((m) => sha(m.raw)));
  return sizes;
}

describe.each(MATRIX)('TLS writes in slices, $describe', (config) => {
  let server: AnyMailServer;
  beforeAll(async () => {
    server = await startConfig(config, { name: `slices-${config.id}`, users: [ann] });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it(`hands the TLS layer at most ${TLS_WRITE_SLICE / 1024} KB at a time, and every message arrives byte-exact and in order`, async () => {
    const client = await connectImap(starttls(server), { side: 'target' });
    try {
      const folder = server.kind === 'dovecot' ? 'Sliced' : 'INBOX.Sliced';
      const items = messages(config.id);
      const sizes = await appendAndCheck(server, client, folder, items);
      // everything went through the counted handle, and none of it at once
      expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(items.reduce((n, m) => n + m.raw.length, 0));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(TLS_WRITE_SLICE);
      // the 3 MB message alone needs at least 12 slices
      expect(sizes.filter((n) => n === TLS_WRITE_SLICE).length).toBeGreaterThanOrEqual(12);
    } finally {
      await closeQuietly(client);
    }
  }, 120_000);
});

describe('TLS writes in slices under COMPRESS=DEFLATE (Dovecot)', () => {
  let server: AnyMailServer;
  beforeAll(async () => {
    server = await startMailServer('dovecot', { name: 'slices-zip', users: [ann], dovecot: { extraConfig: zlib } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('the compressed stream piped into the paced socket does not stall, and every message arrives byte-exact', async () => {
    const client = await connectImap(starttls(server), { side: 'target', compress: true });
    try {
      expect((client as unknown as { _deflate?: unknown })._deflate).toBeTruthy();
      const items = messages('zip');
      const sizes = await appendAndCheck(server, client, 'Zipped', items);
      // random attachments compress little: most of the bytes still crossed the socket
      expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(items.reduce((n, m) => n + m.raw.length, 0) / 2);
    } finally {
      await closeQuietly(client);
    }
  }, 120_000);
});
