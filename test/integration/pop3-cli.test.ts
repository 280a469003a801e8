import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { folderState, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl } from '../support/cli-runner';
import { bulkMessages, trickyMessages } from '../support/corpus';
import { dottedMessage, pop3Sessions } from './pop3-support';

/**
 * `migrate --source pop3s://...` / `pop3://...` through the real CLI process: implicit TLS
 * on Dovecot's pop3s port and STLS on its pop3 port (self-signed certificate: accepted
 * only with --insecure-tls), a wrong password, a dry run, and a POP3 target refused.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Pop3-cli-src-Jd8"x' };
const targets = ['tls', 'stls', 'badpw', 'dry', 'plain'].map((n): DovecotUser => ({ user: `${n}@new.example.com`, password: `Pop3-cli-tgt-${n}-Pe3` }));
const [tlsUser, stlsUser, badpwUser, dryUser, plainUser] = targets as [DovecotUser, DovecotUser, DovecotUser, DovecotUser, DovecotUser];

function pop3Url(server: DovecotServer, user: string, tls: boolean): string {
  return `${tls ? 'pop3s' : 'pop3'}://${encodeURIComponent(user)}@${server.host}:${tls ? server.pop3sPort : server.pop3Port}`;
}

describe('cli migrate with a POP3 source', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  const scratch = scratchDir('pop3');
  let sourceBefore: MailboxSnapshot;
  let count = 0;
  const env = (target: DovecotUser, srcPw = alice.password) => ({ SRC_PW: srcPw, TGT_PW: target.password });
  const args = (source: string, target: DovecotUser, ...extra: string[]) => [
    '--source', source, '--source-password-env', 'SRC_PW',
    '--target', serverUrl(tgt, { user: target.user }), '--target-password-env', 'TGT_PW',
    '--state-dir', scratch.path('state'), '--json', ...extra,
  ];
  /** pop3-login lines Dovecot logged since `from` (Login: user=..., method, ..., TLS when encrypted). */
  const logins = () => readFileSync(src.logPath, 'utf8').split('\n').filter((l) => /pop3-login: Info: Login: /.test(l));

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'pop3-cli-src', users: [alice], extraConfig: 'pop3_no_flag_updates = yes' }),
      startDovecot({ name: 'pop3-cli-tgt', users: targets }),
    ]);
    await seedFolder(src, alice, 'INBOX', [...trickyMessages(), { raw: dottedMessage() }, ...bulkMessages(30, 90, { prefix: 'cli' })]);
    sourceBefore = await snapshotMailbox(src, alice);
    count = sourceBefore.folders.INBOX!.messages.length;
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const sha = async (server: DovecotServer, user: DovecotUser) => (await readFolder(server, user, 'INBOX')).map((m) => m.sha256).sort();

  it('pop3s:// (implicit TLS, port 995 style) with --insecure-tls copies the inbox byte-exact; the report has the IMAP shape', async () => {
    const before = logins().length;
    const r = await runCli(args(pop3Url(src, alice.user, true), tlsUser, '--insecure-tls'), { env: env(tlsUser) });
    expect(r.code, describeRun(r)).toBe(0);
    expect(leakedSecrets(r, [alice.password, tlsUser.password])).toEqual([]);
    expect(r.stderr).toContain(`Migrating pop3s://${encodeURIComponent(alice.user)}@127.0.0.1:${src.pop3sPort}`);
    const [a] = parseReport(r.stdout).accounts;
    expect(a).toMatchObject({ source: alice.user, target: tlsUser.user, status: 'done', messagesCopied: count, messagesSkipped: 0, error: null });
    expect(a!.folders).toEqual([expect.objectContaining({ source: 'INBOX', target: 'INBOX', copied: count, alreadyPresent: 0, skipped: 0 })]);
    expect(await sha(tgt, tlsUser)).toEqual(await sha(src, alice));
    expect(logins().slice(before)).toEqual([expect.stringMatching(/user=<alice@old\.example\.com>, method=PLAIN, .*, TLS, session=/)]);
  });

  it('pop3:// upgrades with STLS (--insecure-tls for the self-signed certificate)', async () => {
    const before = logins().length;
    const r = await runCli(args(pop3Url(src, alice.user, false), stlsUser, '--insecure-tls'), { env: env(stlsUser) });
    expect(r.code, describeRun(r)).toBe(0);
    expect(parseReport(r.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: count });
    expect(await sha(tgt, stlsUser)).toEqual(await sha(src, alice));
    // The login came over the pop3 (not pop3s) port, and Dovecot saw it encrypted: STLS.
    expect(logins().slice(before)).toEqual([expect.stringMatching(new RegExp(`user=<alice@old\\.example\\.com>, method=PLAIN, rip=127\\.0\\.0\\.1, lip=127\\.0\\.0\\.1, mpid=\\d+, TLS, session=`))]);
  });

  it.each([
    ['pop3s://', true],
    ['pop3:// (STLS)', false],
  ])('%s verifies the certificate: a self-signed one without --insecure-tls is TLS_FAILED, nothing logged in', async (_label, tls) => {
    const before = logins().length;
    const r = await runCli(args(pop3Url(src, alice.user, tls), tlsUser, '--retries', '1'), { env: env(tlsUser) });
    expect(r.code, describeRun(r)).toBe(1);
    const [a] = parseReport(r.stdout).accounts;
    expect(a!.error?.code).toBe('TLS_FAILED');
    expect(a!.error?.message).toContain(alice.user);
    expect(logins().slice(before)).toEqual([]);
  });

  it('a wrong password is AUTH_FAILED naming the account; the source and the target are unchanged', async () => {
    const targetBefore = await folderState(tgt, badpwUser, 'INBOX');
    const r = await runCli(args(pop3Url(src, alice.user, true), badpwUser, '--insecure-tls'), { env: env(badpwUser, 'wrong-Pw-Vn3') });
    expect(r.code, describeRun(r)).toBe(1);
    expect(leakedSecrets(r, [alice.password, 'wrong-Pw-Vn3', badpwUser.password])).toEqual([]);
    const [a] = parseReport(r.stdout).accounts;
    expect(a!.status).toBe('failed');
    expect(a!.error?.code).toBe('AUTH_FAILED');
    expect(a!.error?.message).toContain(`source ${alice.user} at 127.0.0.1:${src.pop3sPort} (POP3)`);
    expect(r.stderr).toContain(`Failed ${alice.user}: [AUTH_FAILED]`);
    expect(await folderState(tgt, badpwUser, 'INBOX')).toEqual(targetBefore);
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });

  it('--dry-run counts the maildrop and writes nothing', async () => {
    const r = await runCli(args(pop3Url(src, alice.user, false), dryUser, '--dry-run', '--insecure-tls'), { env: env(dryUser) });
    expect(r.code, describeRun(r)).toBe(0);
    expect(parseReport(r.stdout).accounts[0]!.folders).toEqual([expect.objectContaining({ source: 'INBOX', target: 'INBOX', copied: 0 })]);
    expect(r.stderr).toContain(`INBOX -> INBOX: ${count} messages`);
    expect(r.stderr).not.toContain('--since is applied while copying');
    expect((await folderState(tgt, dryUser, 'INBOX')).messages).toBe(0);
  });

  it('--dry-run --since says that its count is the whole maildrop (POP3 tells no dates)', async () => {
    const r = await runCliInProcess(args(pop3Url(src, alice.user, false), dryUser, '--dry-run', '--insecure-tls', '--since', '2000-01-01'), { env: env(dryUser) });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toContain(`INBOX -> INBOX: ${count} messages (all of them: POP3 tells dates only in each message, so --since is applied while copying)`);
    expect((await folderState(tgt, dryUser, 'INBOX')).messages).toBe(0);
  });

  it('pop3:// with --allow-plaintext still upgrades with STLS when the server offers it', async () => {
    // --allow-plaintext allows a cleartext session only as the fallback, as it does for imap://.
    const before = logins().length;
    const r = await runCli(args(pop3Url(src, alice.user, false), plainUser, '--allow-plaintext'), { env: env(plainUser) });
    expect(r.code, describeRun(r)).toBe(0);
    expect(logins().slice(before)).toEqual([expect.stringMatching(/, TLS/)]);
    expect(await sha(tgt, plainUser)).toEqual(await sha(src, alice));
  });

  it('a POP3 target is a usage error naming --target', async () => {
    const r = await runCliInProcess(['--source', pop3Url(src, alice.user, true), '--source-password-env', 'SRC_PW', '--target', pop3Url(tgt, tlsUser.user, true), '--target-password-env', 'TGT_PW'], { env: env(tlsUser) });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--target: pop3s:\/\/ cannot be used here: POP3 can only be a source/);
    expect(r.stdout).toBe('');
  });

  it('no session ever deleted a message, and the source is unchanged after everything', async () => {
    const sessions = pop3Sessions(src);
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(sessions.every((s) => s.del === 0)).toBe(true);
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });
});
