import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { connectImap, seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer } from '../harness/servers';
import { describeRun, runCli, scratchDir, serverUrl } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

/**
 * `verify` of a source folder made after the migration's last run, so not on the target yet.
 * One with messages: every one of them is missing, as the folder's note says. An empty one: no
 * message is missing, and its note said "every message of ... is missing" all the same; it now
 * says the folder is empty and the next run creates it. Both are differences (the target lacks
 * a folder), on a Dovecot and a Cyrus target.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Vmf-src-pw-6Ty1' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Vmf-tgt-pw-2Lw8' };
const env = { SRC_PW: alice.password, TGT_PW: bob.password };

interface FolderReport {
  source: string;
  missing: unknown[];
  error?: { code: string; message: string };
}

describe('verify: a source folder not on the target yet', () => {
  let source: DovecotServer;
  const targets: Record<'dovecot' | 'cyrus', AnyMailServer | undefined> = { dovecot: undefined, cyrus: undefined };
  const scratch = scratchDir('verify-missing-folder');

  beforeAll(async () => {
    [source, targets.dovecot, targets.cyrus] = await Promise.all([
      startDovecot({ name: 'vmf-src', users: [alice] }),
      startMailServer('dovecot', { name: 'vmf-tgt', users: [bob] }),
      startMailServer('cyrus', { name: 'vmf-cyrus', users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(4, 61, { prefix: 'vmf' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), targets.dovecot?.stop(), targets.cyrus?.stop()]);
    scratch.cleanup();
  });

  it.each(['dovecot', 'cyrus'] as const)('into %s: the empty folder is not said to miss messages; the other misses its two', async (kind) => {
    const target = targets[kind]!;
    const args = [
      '--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW',
      '--target', `imap://${encodeURIComponent(bob.user)}@${target.host}:${target.imapPort}`, '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path(kind),
    ];
    const migrated = await runCli(args, { env });
    expect(migrated.code, describeRun(migrated)).toBe(0);
    const empty = `Empty${kind}`;
    const late = `Late${kind}`;
    const client = await connectImap(source, alice);
    try {
      await client.mailboxCreate(empty);
    } finally {
      await client.logout();
    }
    await seedFolder(source, alice, late, bulkMessages(2, 62, { prefix: `late-${kind}` }));

    const r = await runCli([...args, '--json'], { env, command: 'verify' });
    expect(r.code, describeRun(r)).toBe(1);
    const account = (JSON.parse(r.stdout) as { accounts: Array<{ status: string; folders: FolderReport[] }> }).accounts[0]!;
    expect(account.status).toBe('differences');
    const folder = (name: string) => account.folders.find((f) => f.source === name)!;
    expect(folder(empty).missing).toEqual([]);
    expect(folder(empty).error?.code).toBe('FOLDER_NOT_FOUND');
    expect(folder(empty).error?.message).toMatch(/is empty: no message is missing; the next migration run creates the folder/);
    expect(folder(empty).error?.message).not.toMatch(/every message/);
    expect(folder(late).missing).toHaveLength(2);
    expect(folder(late).error?.message).toMatch(/every message of "Late\w+" is missing/);
  });
});
