/**
 * The incremental-sync window through the bridge service, the engine in-process, with each server
 * kind of the matrix as the old server (Dovecot, Cyrus, Courier; IMAP and POP3) into Dovecot:
 * new mail in the INBOX and in an existing folder, and a folder made on the old server during the
 * window, reach the new mailbox by the sync passes; mail that arrives while the bridge is down
 * does after it starts again on the same state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeService } from '../../bridge/service/bridge-service';
import { openServiceDb, type ServiceDb } from '../../bridge/service/db';
import { SecretScrubber } from '../../bridge/service/secret-scrubber';
import { paramsSchema } from '../../shared/protocol/requests';
import type { AccountView } from '../../shared/protocol/account';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, startMailServer, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { until } from '../support/held-service';

const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
const PROTOCOLS = ['imap', 'pop3'] as const;
const oldUser = (kind: ServerKind, protocol: string): MailUser => ({ user: `win-${kind}-${protocol}@old.example.com`, password: 'Window-src-pw-3Kd' });
const newUser = (kind: ServerKind, protocol: string): MailUser => ({ user: `win-${kind}-${protocol}@new.example.com`, password: 'Window-tgt-pw-8Zp' });

/** New mail in a folder that exists (seedFolder creates it first, which Cyrus and Courier refuse for one that exists). */
const deliver = (server: AnyMailServer, user: MailUser, folder: string, messages: ReturnType<typeof bulkMessages>) =>
  withImap(server, user, async (client) => {
    for (const m of messages) await client.append(folder, m.raw, m.flags ?? [], m.internalDate);
  });

const sources = new Map<ServerKind, AnyMailServer>();
let target: AnyMailServer;

beforeAll(async () => {
  const olds = KINDS.flatMap((k) => PROTOCOLS.map((p) => oldUser(k, p)));
  const news = KINDS.flatMap((k) => PROTOCOLS.map((p) => newUser(k, p)));
  const started = await Promise.all([
    ...KINDS.map((kind) => startConfig(MATRIX.find((m) => m.kind === kind)!, { name: `win-${kind}`, users: olds })),
    startMailServer('dovecot', { name: 'win-tgt', users: news }),
  ]);
  KINDS.forEach((k, i) => sources.set(k, started[i]!));
  target = started[KINDS.length]!;
});

afterAll(async () => {
  await Promise.allSettled([...sources.values(), target].map((s) => s?.stop()));
});

/** A bridge service on `stateDir` running passes in-process, ticking every 100 ms. */
function openService(stateDir: string): { service: BridgeService; db: ServiceDb } {
  const db = openServiceDb(stateDir);
  const service = new BridgeService({ stateDir, db, logger: pino({ level: 'silent' }), scrubber: new SecretScrubber(), tickMs: 100, engineRetryBaseMs: 20, cutover: { intervalMs: 3_600_000 } });
  service.start();
  return { service, db };
}

describe.each(KINDS.flatMap((k) => PROTOCOLS.map((p) => [`${k} ${p}`, k, p] as const)))('sync window from %s', (_label, kind, protocol) => {
  it('new mail, a folder made during the window, and mail that arrived while the bridge was down all reach the new mailbox', async () => {
    const src = sources.get(kind)!;
    const a = oldUser(kind, protocol);
    const b = newUser(kind, protocol);
    const work = folderPath(src, 'Work');
    await seedFolder(src, a, 'INBOX', bulkMessages(2, 41, { prefix: `${kind}-${protocol}-in` }));
    if (protocol === 'imap') await seedFolder(src, a, work, bulkMessages(2, 42, { prefix: `${kind}-${protocol}-w` }));
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-win-'));
    let { service, db } = openService(dir);
    try {
      const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
      const csv = Buffer.from(`source,source_password,target,target_password\n${a.user},${a.password},${b.user},${b.password}\n`).toString('base64');
      const created = service.jobs.createJobWithAccounts(
        paramsSchema('job.createWithAccounts').parse({
          name: `win ${kind} ${protocol}`,
          source: { protocol, ...plain(protocol === 'imap' ? src.imapPort : src.pop3Port) },
          target: plain(target.imapPort),
          incremental: { intervalMinutes: 1 / 60, windowDays: 1 },
          accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: csv }],
        }) as never,
      );
      const id = created.imports[0]!.accounts[0]!.id;
      const view = (): AccountView => service.accounts.getAccount({ accountId: id }).account;
      const firstCount = protocol === 'imap' ? 4 : 2;
      expect(await until(() => view().status === 'syncing' && view().counters.messagesCopied === firstCount, 60_000)).toBe(true);

      // During the window: new mail in the INBOX, in an existing folder, and a folder made since.
      await deliver(src, a, 'INBOX', bulkMessages(1, 43, { prefix: `${kind}-${protocol}-in2` }));
      if (protocol === 'imap') {
        await deliver(src, a, work, bulkMessages(1, 44, { prefix: `${kind}-${protocol}-w2` }));
        await seedFolder(src, a, folderPath(src, 'Later'), bulkMessages(2, 45, { prefix: `${kind}-${protocol}-l` }));
      }
      const synced = protocol === 'imap' ? 4 : 1;
      expect(await until(() => view().counters.messagesSyncedSinceFirstPass === synced, 60_000)).toBe(true);

      // The bridge stops; mail arrives meanwhile; it starts again on the same state.
      await service.stop();
      db.close();
      await deliver(src, a, 'INBOX', bulkMessages(1, 46, { prefix: `${kind}-${protocol}-down` }));
      ({ service, db } = openService(dir));
      expect(await until(() => view().counters.messagesSyncedSinceFirstPass === synced + 1, 60_000)).toBe(true);
      expect(view().status).toBe('syncing');

      expect(await readFolder(target, b, 'INBOX')).toHaveLength(4);
      if (protocol === 'imap') {
        expect(await readFolder(target, b, 'Work')).toHaveLength(3);
        expect(await readFolder(target, b, 'Later')).toHaveLength(2);
      }
    } finally {
      await service.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
