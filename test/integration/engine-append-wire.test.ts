import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_SYNC_LITERAL_MAX, appendBatch, type AppendItem } from '../../bridge/engine/append-batch';
import { appendMessages } from '../../bridge/engine/append-messages';
import { connectImap, closeQuietly } from '../../bridge/engine/connect';
import type { ImapClient } from '../../bridge/engine/imap-client';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, withImap } from '../harness/mailbox';
import { bigMessage, bulkMessages } from '../support/corpus';
import { plainEndpoint } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';

const ann = { user: 'ann@new.example.com', password: 'ann-pw' };
const ben = { user: 'ben@new.example.com', password: 'ben-pw' };
const cat = { user: 'cat@new.example.com', password: 'cat-pw' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Messages over 4 KB: imapflow by itself would send each as a synchronizing literal (LITERAL- limit). */
function items(count: number, seed: number): AppendItem[] {
  return bulkMessages(count, seed, { minBody: 6000, maxBody: 20000 }).map((m) => ({ raw: Buffer.from(m.raw), flags: m.flags ?? [], internalDate: m.internalDate ?? new Date('2020-01-01T00:00:00Z') }));
}

/** The literal markers the client sent, e.g. ['{812+}', '~{30+}', '{2097152}']. */
function literalMarkers(wire: Buffer): string[] {
  return [...wire.toString('latin1').matchAll(/~?\{\d+\+?\}\r\n/g)].map((m) => m[0].trimEnd());
}
const continuations = (wire: Buffer) => wire.toString('latin1').split('\r\n').filter((l) => l.startsWith('+ ')).length;

async function viaProxy(server: DovecotServer, user: typeof ann, fn: (client: ImapClient, proxy: RecordingProxy) => Promise<void>): Promise<void> {
  // A target without STARTTLS: --allow-plaintext would otherwise upgrade and the wire could not be read.
  const proxy = await startRecordingProxy(server.imapPort, { hideStartTls: true });
  const client = await connectImap({ ...plainEndpoint(server, user), port: proxy.port }, { side: 'target' });
  try {
    // only what the test's own commands put on the wire (not the login exchange)
    const c0 = proxy.clientBytes().length;
    const s0 = proxy.serverBytes().length;
    await fn(client, { ...proxy, clientBytes: () => proxy.clientBytes().subarray(c0), serverBytes: () => proxy.serverBytes().subarray(s0) });
  } finally {
    await closeQuietly(client);
    await proxy.close();
  }
}

describe('APPEND on the wire: non-synchronizing literals, no copies, big messages ask first', () => {
  let target: DovecotServer;
  let oldTarget: DovecotServer;

  beforeAll(async () => {
    [target, oldTarget] = await Promise.all([
      startDovecot({ name: 'wire-tgt', users: [ann, ben], maxMailSize: 3 * 1024 * 1024 }),
      // A target without LITERAL+ (Dovecot with its capability list overridden)
      startDovecot({ name: 'wire-old', users: [cat], extraConfig: 'imap_capability = IMAP4rev1 SASL-IR ID ENABLE IDLE MULTIAPPEND UIDPLUS BINARY NAMESPACE UNSELECT\n' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([target?.stop(), oldTarget?.stop()]);
  });

  it('sends a whole MULTIAPPEND without waiting for "+", and stores every message byte-exact', async () => {
    const batch = items(30, 71);
    await viaProxy(target, ann, async (client, proxy) => {
      expect(client.capabilities.has('LITERAL+')).toBe(true);
      const res = await appendBatch(client, 'INBOX', batch);
      expect(res.uids).toHaveLength(30);
      expect(res.uids.every((u) => typeof u === 'number')).toBe(true);
      expect(literalMarkers(proxy.clientBytes())).toEqual(batch.map((i) => `{${i.raw.length}+}`));
      expect(continuations(proxy.serverBytes())).toBe(0);
    });
    const stored = await readFolder(target, ann, 'INBOX');
    expect(stored.map((m) => m.sha256)).toEqual(batch.map((i) => sha(i.raw)));
    expect(stored.map((m) => m.internalDate.getTime())).toEqual(batch.map((i) => i.internalDate.getTime()));
    expect(stored.map((m) => m.flags)).toEqual(batch.map((i) => [...i.flags].sort()));
  });

  it('keeps the order, sends a message over the non-sync limit on its own with a synchronizing literal, and a NUL as literal8', async () => {
    const small = items(4, 72);
    const big: AppendItem = { raw: bigMessage(NON_SYNC_LITERAL_MAX + 4096, 'over-the-limit'), flags: ['\\Flagged'], internalDate: new Date('2021-05-05T05:05:05Z') };
    const nul: AppendItem = { raw: Buffer.from('Subject: nul\r\n\r\nbefore\0after\r\n'), flags: [], internalDate: new Date('2021-06-06T06:06:06Z') };
    const all = [small[0]!, small[1]!, big, nul, small[2]!, small[3]!];
    await viaProxy(target, ben, async (client, proxy) => {
      const outcomes = await appendMessages(client, 'INBOX', all);
      expect(outcomes.every((o) => 'targetUid' in o && typeof o.targetUid === 'number')).toBe(true);
      const uids = outcomes.map((o) => ('targetUid' in o ? o.targetUid! : 0));
      expect([...uids].sort((a, b) => a - b)).toEqual(uids);
      expect(literalMarkers(proxy.clientBytes())).toEqual([
        `{${small[0]!.raw.length}+}`,
        `{${small[1]!.raw.length}+}`,
        `{${big.raw.length}}`,
        `~{${nul.raw.length}+}`,
        `{${small[2]!.raw.length}+}`,
        `{${small[3]!.raw.length}+}`,
      ]);
      expect(continuations(proxy.serverBytes())).toBe(1);
    });
    const stored = await readFolder(target, ben, 'INBOX');
    expect(stored).toHaveLength(6);
    // BODY[] shows a stored NUL as 0x80 (see nul-bytes.ts); BINARY[] gives the stored bytes
    const binary = await withImap(target, ben, async (c) => {
      await c.mailboxOpen('INBOX', { readOnly: true });
      const msg = await c.fetchOne(String(stored[3]!.uid), { source: true }, { uid: true, binary: true });
      return msg ? msg.source : undefined;
    });
    expect(binary && sha(binary)).toBe(sha(nul.raw));
    expect(stored.filter((_, i) => i !== 3).map((m) => m.sha256)).toEqual(all.filter((_, i) => i !== 3).map((i) => sha(i.raw)));
  });

  it('after a refused MULTIAPPEND, stores the others once and skips only the refused message, on the same connection', async () => {
    const small = items(3, 73);
    const tooBig: AppendItem = { raw: bigMessage(3 * 1024 * 1024 + 10, 'too-big'), flags: [], internalDate: new Date('2022-01-01T00:00:00Z') };
    await viaProxy(target, ann, async (client) => {
      await client.mailboxCreate('Refused');
      const outcomes = await appendMessages(client, 'Refused', [small[0]!, tooBig, small[1]!, small[2]!]);
      expect(outcomes.map((o) => ('reason' in o ? o.reason.split(':')[0] : 'copied'))).toEqual(['copied', 'MESSAGE_TOO_LARGE', 'copied', 'copied']);
      // the connection is still in step with the server
      const status = await client.status('Refused', { messages: true });
      expect(status && status.messages).toBe(3);
    });
    expect((await readFolder(target, ann, 'Refused')).map((m) => m.sha256)).toEqual(small.map((i) => sha(i.raw)));
  });

  it('falls back to synchronizing literals on a target without LITERAL+', async () => {
    const batch = items(5, 74).map((i, n) => (n === 2 ? { ...i, raw: Buffer.concat([i.raw, Buffer.alloc(5000, 'x')]) } : i));
    await viaProxy(oldTarget, cat, async (client, proxy) => {
      expect(client.capabilities.has('LITERAL+')).toBe(false);
      const res = await appendBatch(client, 'INBOX', batch);
      expect(res.uids).toHaveLength(5);
      const markers = literalMarkers(proxy.clientBytes());
      expect(markers).toEqual(batch.map((i) => `{${i.raw.length}}`));
      expect(continuations(proxy.serverBytes())).toBe(5);
    });
    expect((await readFolder(oldTarget, cat, 'INBOX')).map((m) => m.sha256)).toEqual(batch.map((i) => sha(i.raw)));
  });
});
