import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { seedFolder, snapshotMailbox } from '../harness/mailbox';
import { describeRun, runCli, runCliInProcess, scratchDir, serverUrl } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

/**
 * A migration whose target is its own source (the same mailbox on the same server), or a batch
 * in which a mailbox is the target of one row and the source of another on the same server, is
 * refused before anything connects: copied onto itself, a mailbox gains copies of its own mail
 * (unified mode puts a copy of everything under the address's folder, and every later run copies
 * that folder into itself again); copied through, a mailbox's mail lands in a third one.
 */
const A: DovecotUser = { user: 'same-a@example.com', password: 'Same-a-pw-1' };
const B: DovecotUser = { user: 'same-b@example.com', password: 'Same-b-pw-2' };
const C: DovecotUser = { user: 'same-c@example.com', password: 'Same-c-pw-3' };

describe('cli migrate: a mailbox copied onto itself', () => {
  let server: DovecotServer;
  const scratch = scratchDir('same-mailbox');

  beforeAll(async () => {
    server = await startDovecot({ name: 'same-mbx', users: [A, B, C] });
    await seedFolder(server, A, 'INBOX', bulkMessages(5, 51, { prefix: 'a' }));
    await seedFolder(server, B, 'INBOX', bulkMessages(4, 52, { prefix: 'b' }));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    scratch.cleanup();
  });

  it('the same mailbox as --source and --target: exit 2 naming it, the mailbox unchanged', async () => {
    const before = await snapshotMailbox(server, A);
    const r = await runCli(
      ['--source', serverUrl(server, { user: A.user }), '--target', serverUrl(server, { user: A.user }), '--allow-plaintext', '--mode', 'unified', '--source-password-env', 'PW', '--target-password-env', 'PW', '--state-dir', scratch.path('st1')],
      { env: { PW: A.password } },
    );
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/same-a@example\.com is both the source and the target/);
    expect(await snapshotMailbox(server, A)).toEqual(before);
  });

  it('a batch where a mailbox is one row\'s target and another row\'s source on the same server: exit 2 naming both lines', async () => {
    const file = scratch.write('chain.csv', `source,target,source_password,target_password\r\n${A.user},${B.user},${A.password},${B.password}\r\n${B.user},${C.user},${B.password},${C.password}\r\n`);
    const r = await runCliInProcess(['--source', `imap://${server.host}:${server.imapPort}`, '--target', `imap://${server.host}:${server.imapPort}`, '--allow-plaintext', '--accounts', file, '--state-dir', scratch.path('st2')]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/line 3.*line 2|line 2.*line 3/);
  });

  it('a batch with several such rows names every one in a single run', async () => {
    const D = 'same-d@example.com';
    const file = scratch.write('chain-and-self.csv', `source,target,source_password,target_password\r\n${A.user},${B.user},${A.password},${B.password}\r\n${B.user},${C.user},${B.password},${C.password}\r\n${D},${D},pw-d,pw-d\r\n`);
    const r = await runCliInProcess(['--source', `imap://${server.host}:${server.imapPort}`, '--target', `imap://${server.host}:${server.imapPort}`, '--allow-plaintext', '--accounts', file, '--state-dir', scratch.path('st4')]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain('--accounts: 2 rows cannot run; nothing was started:');
    expect(r.stderr).toMatch(/line 3 copies into same-c@example\.com, which --accounts line 2 copies from|line 2 copies into same-b@example\.com, which --accounts line 3 copies from/);
    expect(r.stderr).toContain('--accounts line 4: same-d@example.com is both the source and the target');
  });

  it('the same server under two names (localhost and 127.0.0.1) is the same server: the chain is refused too', async () => {
    expect(server.host).toBe('127.0.0.1');
    const file = scratch.write('chain-names.csv', `source,target,source_password,target_password\r\n${A.user},${B.user},${A.password},${B.password}\r\n${B.user},${C.user},${B.password},${C.password}\r\n`);
    const before = [await snapshotMailbox(server, B), await snapshotMailbox(server, C)];
    const r = await runCliInProcess(['--source', `imap://localhost:${server.imapPort}`, '--target', `imap://127.0.0.1:${server.imapPort}`, '--allow-plaintext', '--accounts', file, '--state-dir', scratch.path('st3')]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/line 2 copies into same-b@example\.com, which --accounts line 3 copies from, on the same server/);
    expect([await snapshotMailbox(server, B), await snapshotMailbox(server, C)]).toEqual(before);
  });
});
