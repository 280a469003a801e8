import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { createFolder, listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages, trickyMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * `migrate` for one account, end to end through the CLI process: plaintext, implicit TLS and
 * STARTTLS; --json; a second run; --dry-run; the default state dir; usage errors (exit 2).
 * Every run is checked for the distinctive passwords in stdout and stderr.
 */
const SRC_PW = 'Src-pw-Q7zX4vK2-never-print';
const alice: DovecotUser = { user: 'alice@old.example.com', password: SRC_PW };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Bob-pw-H3k9Lm1-never-print' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Carol-pw-Z8r2Tn5-never-print' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Dave-pw-W4y7Pc3-never-print' };
const erin: DovecotUser = { user: 'erin@new.example.com', password: 'Erin-pw-J6u1Bs9-never-print' };
const SECRETS = [alice, bob, carol, dave, erin].map((u) => u.password);

/** source folder -> message count (the server's special-use folders, empty, included) */
const SOURCE_FOLDERS: Record<string, number> = {};

describe('cli migrate: one account', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('basic');
  let sourceBefore: MailboxSnapshot;
  let total = 0;
  let totalBytes = 0;

  /** Runs the CLI and checks that no password shows in its output. */
  async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    const r = await runCli(args, { env });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  /** The same for a usage error, in this process (see runCliInProcess). */
  async function usage(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    const r = await runCliInProcess(args, { env });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }

  const pwEnv = { SRC_PW: alice.password, BOB_PW: bob.password, CAROL_PW: carol.password, DAVE_PW: dave.password, ERIN_PW: erin.password };

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'cli-basic-src', users: [alice] }),
      startDovecot({ name: 'cli-basic-tgt', users: [bob, carol, dave, erin] }),
    ]);
    await seedFolder(source, alice, 'INBOX', [...trickyMessages(), ...bulkMessages(60, 11)]);
    await seedFolder(source, alice, 'Sent', bulkMessages(12, 12, { prefix: 'sent' }));
    await seedFolder(source, alice, 'Work/2024', bulkMessages(15, 13, { prefix: 'work' }));
    await createFolder(source, alice, 'Empty');
    sourceBefore = await snapshotMailbox(source, alice);
    for (const [name, f] of Object.entries(sourceBefore.folders)) SOURCE_FOLDERS[name] = f.messages.length;
    expect(Object.keys(SOURCE_FOLDERS)).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Work/2024', 'Empty']));
    total = Object.values(sourceBefore.folders).reduce((s, f) => s + f.messages.length, 0);
    totalBytes = Object.values(sourceBefore.folders).reduce((s, f) => s + f.messages.reduce((b, m) => b + m.rfc822Size, 0), 0);
    expect(total).toBe(8 + 60 + 12 + 15);
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  /** Every source folder arrived under its own name on `user`'s mailbox, byte-exact with flags and dates. */
  async function expectTargetEqualsSource(user: DovecotUser): Promise<void> {
    for (const [name, f] of Object.entries(sourceBefore.folders)) {
      expect(identities(await readFolder(target, user, name)), `${name} on ${user.user}`).toEqual(identities(f.messages));
    }
  }

  it('usage and configuration errors exit 2 and name the option', async () => {
    const src = serverUrl(source, { user: alice.user });
    const tgt = serverUrl(target, { user: bob.user });
    // --dry-run everywhere: should a check be missing, the run still writes nothing to bob.
    const ok = ['--source-password-env', 'SRC_PW', '--target-password-env', 'BOB_PW', '--allow-plaintext', '--dry-run', '--state-dir', scratch.path('usage-state')];
    // `process: true`: a real CLI process, for the exit status of the process itself (one
    // commander error, one of the CLI's own UsageErrors); the others run in this process.
    const cases: Array<{ what: string; args: string[]; env?: Record<string, string | undefined>; expect: RegExp[]; process?: true }> = [
      { what: 'missing --source', args: ['--target', tgt, ...ok], expect: [/--source\b/], process: true },
      { what: 'missing --target', args: ['--source', src, ...ok], expect: [/--target\b/] },
      { what: 'pop3:// source with a path', args: ['--source', `pop3://${encodeURIComponent(alice.user)}@127.0.0.1:${source.pop3Port}/INBOX`, '--target', tgt, ...ok], expect: [/--source\b/, /unexpected path/] },
      { what: 'pop3s:// source without a user', args: ['--source', `pop3s://127.0.0.1:${source.pop3sPort}`, '--target', tgt, ...ok], expect: [/--source\b/, /pop3:\/\/user@host/] },
      { what: 'pop3:// target', args: ['--source', src, '--target', `pop3://${encodeURIComponent(bob.user)}@127.0.0.1:${target.pop3Port}`, ...ok], expect: [/--target\b/, /pop3/i] },
      { what: 'http:// source', args: ['--source', `http://127.0.0.1:${source.imapPort}`, '--target', tgt, ...ok], expect: [/--source\b/] },
      { what: 'bad --mode', args: ['--source', src, '--target', tgt, ...ok, '--mode', 'merged'], expect: [/--mode\b/] },
      { what: 'bad --since format', args: ['--source', src, '--target', tgt, ...ok, '--since', '2024/01/01'], expect: [/--since\b/] },
      { what: 'impossible --since date', args: ['--source', src, '--target', tgt, ...ok, '--since', '2023-02-29'], expect: [/--since\b/] },
      { what: 'month 13 in --since', args: ['--source', src, '--target', tgt, ...ok, '--since', '2024-13-01'], expect: [/--since\b/] },
      {
        what: 'password in the source URL',
        args: ['--source', `imap://${encodeURIComponent(alice.user)}:${SRC_PW}@127.0.0.1:${source.imapPort}`, '--target', tgt, '--target-password-env', 'BOB_PW', '--allow-plaintext', '--dry-run'],
        expect: [/--source\b/, /password/i],
      },
      {
        what: 'password in the target URL',
        args: ['--source', src, '--source-password-env', 'SRC_PW', '--target', `imap://${encodeURIComponent(bob.user)}:${bob.password}@127.0.0.1:${target.imapPort}`, '--allow-plaintext', '--dry-run'],
        expect: [/--target\b/, /password/i],
      },
      { what: 'no source password', args: ['--source', src, '--target', tgt, '--target-password-env', 'BOB_PW', '--allow-plaintext', '--dry-run'], expect: [/--source-password/], process: true },
      { what: 'no target password', args: ['--source', src, '--source-password-env', 'SRC_PW', '--target', tgt, '--allow-plaintext', '--dry-run'], expect: [/--target-password/] },
      { what: 'password env var not set', args: ['--source', src, '--target', tgt, ...ok], env: { SRC_PW: undefined }, expect: [/--source-password-env\b/, /SRC_PW/] },
      { what: 'password file missing', args: ['--source', src, '--source-password-file', scratch.path('no-such-file'), '--target', tgt, '--target-password-env', 'BOB_PW', '--allow-plaintext', '--dry-run'], expect: [/--source-password-file\b/] },
      { what: 'no source user', args: ['--source', `imap://127.0.0.1:${source.imapPort}`, '--target', tgt, ...ok], expect: [/--source/] },
      { what: 'bad --concurrency', args: ['--source', src, '--target', tgt, ...ok, '--concurrency', 'lots'], expect: [/--concurrency\b/] },
      { what: 'zero --concurrency', args: ['--source', src, '--target', tgt, ...ok, '--concurrency', '0'], expect: [/--concurrency\b/] },
      { what: 'zero --batch-messages', args: ['--source', src, '--target', tgt, ...ok, '--batch-messages', '0'], expect: [/--batch-messages\b/] },
      { what: 'unknown option', args: ['--source', src, '--target', tgt, ...ok, '--frobnicate'], expect: [/--frobnicate\b/] },
    ];
    const results = await Promise.all(cases.map((c) => (c.process ? cli : usage)(c.args, { ...pwEnv, ...c.env })));
    cases.forEach((c, i) => {
      const r = results[i]!;
      expect(r.code, `${c.what}: ${describeRun(r)}`).toBe(2);
      for (const re of c.expect) expect(r.stderr, `${c.what}: ${describeRun(r)}`).toMatch(re);
      expect(r.stdout, c.what).toBe('');
    });
    // Nothing was written by any of them.
    expect((await readFolder(target, bob, 'INBOX')).length).toBe(0);
  });

  it('--dry-run lists folders and counts and writes nothing to the target (default state dir under MAILMOVER_HOME)', async () => {
    const folderListBefore = await listFolders(target, bob);
    const targetBefore = await snapshotMailbox(target, bob);
    const home = scratch.path('home');
    const r = await cli(
      ['--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW', '--target', serverUrl(target, { user: bob.user }), '--target-password-env', 'BOB_PW', '--allow-plaintext', '--dry-run', '--json'],
      { ...pwEnv, MAILMOVER_HOME: home },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(1);
    const a = report.accounts[0]!;
    expect(a.status).toBe('done');
    expect(a.messagesCopied).toBe(0);
    expect(a.bytesCopied).toBe(0);
    expect(a.folders.map((f) => f.source).sort()).toEqual(Object.keys(SOURCE_FOLDERS).sort());
    // Folders and counts for a person on stderr: one line per folder with source, target and count.
    for (const f of a.folders) {
      const line = r.stderr.split('\n').find((l) => l.includes(`${f.source} -> ${f.target}`));
      expect(line, `${f.source} in ${r.stderr}`).toBeDefined();
      expect(line).toMatch(new RegExp(`\\b${SOURCE_FOLDERS[f.source]} messages`));
    }
    // No progress line: the run planned nothing, so it would say "0/0 messages" beside those counts.
    expect(r.stderr).not.toMatch(/\d+\/\d+ messages/);
    expect(await listFolders(target, bob)).toEqual(folderListBefore);
    expect(await snapshotMailbox(target, bob)).toEqual(targetBefore);
    // Without --state-dir the state lives in $MAILMOVER_HOME/state.
    expect(existsSync(`${home}/state/mailmover.sqlite`)).toBe(true);
  });

  it('copies one account over imap:// --allow-plaintext with --json; the target equals the source', async () => {
    const stateDir = scratch.path('state-plain');
    const pwFile = scratch.write('bob.pw', `${bob.password}\n`);
    const r = await cli(
      [
        '--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW',
        '--target', `imap://127.0.0.1:${target.imapPort}`, '--target-user', bob.user, '--target-password-file', pwFile,
        '--allow-plaintext', '--state-dir', stateDir, '--json',
      ],
      pwEnv,
    );
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(1);
    const a = report.accounts[0]!;
    expect(a).toMatchObject({ source: alice.user, target: bob.user, status: 'done', error: null, messagesCopied: total, messagesSkipped: 0, messagesAlreadyPresent: 0, skipped: [] });
    expect(a.bytesCopied).toBe(totalBytes);
    expect(Object.fromEntries(a.folders.map((f) => [f.source, [f.target, f.copied]]))).toEqual(
      Object.fromEntries(Object.entries(SOURCE_FOLDERS).map(([name, n]) => [name, [name, n]])),
    );
    await expectTargetEqualsSource(bob);
    expect(await snapshotMailbox(source, alice)).toEqual(sourceBefore);
    // Human progress goes to stderr, the report alone to stdout.
    expect(r.stderr).toMatch(/Done/);
    expect(existsSync(`${stateDir}/mailmover.sqlite`)).toBe(true);
  });

  it('a second run copies nothing and changes nothing', async () => {
    const before = await snapshotMailbox(target, bob);
    const r = await cli(
      ['--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW', '--target', serverUrl(target, { user: bob.user }), '--target-password-env', 'BOB_PW', '--allow-plaintext', '--state-dir', scratch.path('state-plain'), '--json'],
      pwEnv,
    );
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status).toBe('done');
    expect(a.messagesCopied).toBe(0);
    expect(a.bytesCopied).toBe(0);
    expect(a.messagesAlreadyPresent).toBe(total);
    expect(await snapshotMailbox(target, bob)).toEqual(before);
  });

  it('imaps:// without --insecure-tls fails with TLS_FAILED (exit 1); with it, the copy works', async () => {
    // The source password from a file this time (CRLF-terminated as a Windows editor leaves it).
    const srcPwFile = scratch.write('alice.pw', `${alice.password}\r\n`);
    const args = (stateDir: string) => [
      '--source', `imaps://127.0.0.1:${source.imapsPort}`, '--source-user', alice.user, '--source-password-file', srcPwFile,
      '--target', serverUrl(target, { user: carol.user, tls: true }), '--target-password-env', 'CAROL_PW',
      '--state-dir', stateDir, '--json',
    ];
    const refused = await cli(args(scratch.path('state-tls-refused')), pwEnv);
    expect(refused.code, describeRun(refused)).toBe(1);
    const failed = parseReport(refused.stdout).accounts[0]!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TLS_FAILED');
    expect(failed.messagesCopied).toBe(0);
    expect(refused.stderr).toMatch(/TLS_FAILED/);
    // The engine's advice fits the extension; the command line adds its flag and how to see the fingerprint.
    expect(failed.error?.message).toMatch(/choose to accept a self-signed certificate for it/);
    expect(refused.stderr).toContain(`To trust a self-signed certificate: --source-ca FILE (its PEM certificate, or the CA that signed it); or, without checking it at all, --source-insecure-tls. \`./mailmover-bridge test-connection imaps://${encodeURIComponent(alice.user)}@127.0.0.1:${source.imapsPort} --password-env NAME\` shows its SHA-256 fingerprint`);
    expect((await readFolder(target, carol, 'INBOX')).length).toBe(0);

    const r = await cli([...args(scratch.path('state-tls')), '--insecure-tls'], pwEnv);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a).toMatchObject({ status: 'done', messagesCopied: total, error: null });
    await expectTargetEqualsSource(carol);
  });

  it('imap:// without --allow-plaintext uses STARTTLS: works with --insecure-tls, TLS_FAILED without it', async () => {
    const args = (stateDir: string) => [
      '--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW',
      '--target', serverUrl(target, { user: dave.user }), '--target-password-env', 'DAVE_PW',
      '--state-dir', stateDir, '--json',
    ];
    const refused = await cli(args(scratch.path('state-starttls-refused')), pwEnv);
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(parseReport(refused.stdout).accounts[0]!.error?.code).toBe('TLS_FAILED');

    const targetLogBefore = readFileSync(target.logPath, 'utf8').length;
    const r = await cli([...args(scratch.path('state-starttls')), '--insecure-tls'], pwEnv);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a).toMatchObject({ status: 'done', messagesCopied: total, error: null });
    // Dovecot logs how each login was protected: every login of the CLI's (before the harness
    // reads the mailbox over plain IMAP below) must have been over TLS.
    const logins = readFileSync(target.logPath, 'utf8')
      .slice(targetLogBefore)
      .split('\n')
      .filter((l) => /imap-login: (Info: )?Login: /.test(l) && l.includes(`user=<${dave.user}>`));
    expect(logins.length).toBeGreaterThan(0);
    for (const l of logins) expect(l).toMatch(/, TLS[,:]/);
    await expectTargetEqualsSource(dave);
  });

  it('--target-user together with a different user in the URL is refused; erin stays empty', async () => {
    const r = await usage(
      ['--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW', '--target', serverUrl(target, { user: erin.user }), '--target-user', bob.user, '--target-password-env', 'ERIN_PW', '--allow-plaintext', '--state-dir', scratch.path('state-erin')],
      pwEnv,
    );
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--target-user/);
    expect((await readFolder(target, erin, 'INBOX')).length).toBe(0);
  });
});
