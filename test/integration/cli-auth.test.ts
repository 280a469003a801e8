import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * Logins other than the account's own password, through the CLI: an admin (master) user in
 * both forms (SASL PLAIN authzid, and user*admin), XOAUTH2 tokens, on the source and on the
 * target side; and a wrong password / admin password / token → exit 1, AUTH_FAILED, the
 * message naming the account. No password or token may show in the output.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Alice-pw-N5c8Rw2-not-used-by-the-cli' };
const SRC_ADMIN: DovecotUser = { user: 'admin', password: 'Src-admin-pw-K2v9Xq7' };
const TGT_ADMIN: DovecotUser = { user: 'admin', password: 'Tgt-admin-pw-M4t6Yb1' };
const ALICE_TOKEN = 'ya29.alice-token-Gh7Lp3Qs9';
const target = (name: string): DovecotUser => ({ user: `${name}@new.example.com`, password: `${name}-pw-Vx3Jk8-secret` });
const bob = target('bob');
const carol = target('carol');
const dave = target('dave');
const erin = target('erin');
const frank = target('frank');
const gina = target('gina');
/** stays empty: only ever used with a wrong password */
const henry = target('henry');
const FRANK_TOKEN = 'ya29.frank-token-Wq2Zr6Tn4';
const SECRETS = [alice, SRC_ADMIN, TGT_ADMIN, bob, carol, dave, erin, frank, gina, henry].map((u) => u.password).concat(ALICE_TOKEN, FRANK_TOKEN);

const ENV = {
  SRC_ADMIN_PW: SRC_ADMIN.password,
  TGT_ADMIN_PW: TGT_ADMIN.password,
  ALICE_TOKEN,
  FRANK_TOKEN,
  BOB_PW: bob.password,
  CAROL_PW: carol.password,
  DAVE_PW: dave.password,
  GINA_PW: gina.password,
  WRONG_PW: 'Wrong-pw-Tz8Kc1-secret',
  WRONG_TOKEN: 'ya29.revoked-Pp4Ww0',
};
SECRETS.push(ENV.WRONG_PW, ENV.WRONG_TOKEN);

describe('cli migrate: admin (master) users and OAuth2', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  /** a source whose Dovecot has no master-user separator: only the authzid form can log in there */
  let noSep: DovecotServer;
  const scratch = scratchDir('auth');
  let sourceBefore: MailboxSnapshot;
  let total = 0;

  async function cli(args: string[]): Promise<CliResult> {
    const r = await runCli(args, { env: ENV });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  /** The same for a usage error, in this process (see runCliInProcess). */
  async function usage(args: string[]): Promise<CliResult> {
    const r = await runCliInProcess(args, { env: ENV });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }

  beforeAll(async () => {
    [src, tgt, noSep] = await Promise.all([
      startDovecot({ name: 'cli-auth-src', users: [alice], master: SRC_ADMIN, oauth2Tokens: { [ALICE_TOKEN]: alice.user } }),
      startDovecot({ name: 'cli-auth-tgt', users: [bob, carol, dave, erin, frank, gina, henry], master: TGT_ADMIN, oauth2Tokens: { [FRANK_TOKEN]: frank.user } }),
      startDovecot({ name: 'cli-auth-nosep', users: [alice], master: SRC_ADMIN, extraConfig: 'auth_master_user_separator =' }),
    ]);
    await seedFolder(noSep, alice, 'INBOX', bulkMessages(3, 29));
    expect(src.master).toEqual(SRC_ADMIN);
    await seedFolder(src, alice, 'INBOX', bulkMessages(40, 21));
    await seedFolder(src, alice, 'Projects/A', bulkMessages(10, 22, { prefix: 'pa' }));
    sourceBefore = await snapshotMailbox(src, alice);
    total = Object.values(sourceBefore.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(total).toBe(50);
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop(), noSep?.stop()]);
    scratch.cleanup();
  });

  const state = (name: string) => ['--state-dir', scratch.path(name), '--json', '--allow-plaintext'];

  async function expectCopied(r: CliResult, user: DovecotUser): Promise<void> {
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(1);
    expect(report.accounts[0]).toMatchObject({ source: alice.user, target: user.user, status: 'done', error: null, messagesCopied: total });
    for (const [name, f] of Object.entries(sourceBefore.folders)) {
      expect(identities(await readFolder(tgt, user, name)), `${name} on ${user.user}`).toEqual(identities(f.messages));
    }
  }

  async function expectAuthFailed(r: CliResult, account: string, empty?: DovecotUser): Promise<void> {
    expect(r.code, describeRun(r)).toBe(1);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status).toBe('failed');
    expect(a.error?.code).toBe('AUTH_FAILED');
    expect(a.error?.message).toContain(account);
    expect(a.messagesCopied).toBe(0);
    expect(r.stderr).toContain('AUTH_FAILED');
    expect(r.stderr).toContain(account);
    if (empty) expect(await readFolder(tgt, empty, 'INBOX')).toHaveLength(0);
  }

  it('source admin user, SASL PLAIN authzid form (the account password is not given at all)', async () => {
    const r = await cli([
      '--source', serverUrl(src, { user: alice.user }), '--source-auth-user', SRC_ADMIN.user, '--source-auth-form', 'authzid', '--source-password-env', 'SRC_ADMIN_PW',
      '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-authzid'),
    ]);
    await expectCopied(r, bob);
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });

  it('source admin user, user*admin separator form', async () => {
    const r = await cli([
      '--source', serverUrl(src), '--source-user', alice.user, '--source-auth-user', SRC_ADMIN.user, '--source-auth-form', 'separator', '--source-password-env', 'SRC_ADMIN_PW',
      '--target', serverUrl(tgt, { user: carol.user }), '--target-password-env', 'CAROL_PW', ...state('st-separator'),
    ]);
    await expectCopied(r, carol);
  });

  it('--source-auth-form is honoured: without a separator on the server, authzid logs in and separator is refused', async () => {
    const args = (form: string, dir: string) => [
      '--source', serverUrl(noSep, { user: alice.user }), '--source-auth-user', SRC_ADMIN.user, '--source-auth-form', form, '--source-password-env', 'SRC_ADMIN_PW',
      '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state(dir), '--dry-run',
    ];
    const [authzid, separator] = await Promise.all([cli(args('authzid', 'st-nosep-1')), cli(args('separator', 'st-nosep-2'))]);
    expect(authzid.code, describeRun(authzid)).toBe(0);
    expect(parseReport(authzid.stdout).accounts[0]!.folders.find((f) => f.source === 'INBOX')).toBeDefined();
    await expectAuthFailed(separator, alice.user);
  });

  it('source XOAUTH2 token from --source-oauth-token-env', async () => {
    const r = await cli([
      '--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN',
      '--target', serverUrl(tgt, { user: dave.user }), '--target-password-env', 'DAVE_PW', ...state('st-oauth'),
    ]);
    await expectCopied(r, dave);
  });

  it('target side: --target-auth-user (both forms) and --target-oauth-token-env', async () => {
    const [viaAdmin, viaToken] = await Promise.all([
      cli([
        '--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN',
        '--target', serverUrl(tgt, { user: erin.user }), '--target-auth-user', TGT_ADMIN.user, '--target-auth-form', 'separator', '--target-password-env', 'TGT_ADMIN_PW', ...state('st-tgt-admin'),
      ]),
      cli([
        '--source', serverUrl(src, { user: alice.user }), '--source-auth-user', SRC_ADMIN.user, '--source-password-env', 'SRC_ADMIN_PW',
        '--target', serverUrl(tgt, { user: frank.user }), '--target-oauth-token-env', 'FRANK_TOKEN', ...state('st-tgt-oauth'),
      ]),
    ]);
    await expectCopied(viaAdmin, erin);
    await expectCopied(viaToken, frank);
    // authzid form on the target: into gina, again with only the admin's password.
    const r = await cli([
      '--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN',
      '--target', serverUrl(tgt, { user: gina.user }), '--target-auth-user', TGT_ADMIN.user, '--target-auth-form', 'authzid', '--target-password-env', 'TGT_ADMIN_PW', ...state('st-tgt-authzid'),
    ]);
    await expectCopied(r, gina);
  });

  it('a wrong password, admin password or token fails with AUTH_FAILED naming the account (exit 1)', async () => {
    // One after another: runs of one mailbox pair at once are refused (ALREADY_RUNNING), whatever their logins.
    const wrongSource = await cli(['--source', serverUrl(src, { user: alice.user }), '--source-password-env', 'WRONG_PW', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-wrong-1')]);
    const wrongAdmin = await cli(['--source', serverUrl(src, { user: alice.user }), '--source-auth-user', SRC_ADMIN.user, '--source-password-env', 'WRONG_PW', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-wrong-2')]);
    const wrongToken = await cli(['--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'WRONG_TOKEN', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-wrong-3')]);
    const wrongTarget = await cli(['--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'WRONG_PW', ...state('st-wrong-4')]);
    // bob already holds alice's mail from the first test: nothing more may have arrived.
    const bobBefore = sourceBefore.folders.INBOX!.messages.length;
    for (const r of [wrongSource, wrongAdmin, wrongToken]) {
      expect(r.code, describeRun(r)).toBe(1);
      const a = parseReport(r.stdout).accounts[0]!;
      expect(a).toMatchObject({ status: 'failed', messagesCopied: 0 });
      expect(a.error?.code, describeRun(r)).toBe('AUTH_FAILED');
      expect(a.error?.message).toContain(alice.user);
      expect(r.stderr).toContain('AUTH_FAILED');
    }
    await expectAuthFailed(wrongTarget, bob.user);
    expect(await readFolder(tgt, bob, 'INBOX')).toHaveLength(bobBefore);
  });

  it('a wrong target password leaves an empty target empty', async () => {
    // (henry is created at start-up: Dovecot re-reads a passwd-file at most once a second, so a
    // user added with addUser() may not be able to log in right away.)
    const r = await cli(['--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN', '--target', serverUrl(tgt, { user: henry.user }), '--target-password-env', 'WRONG_PW', ...state('st-wrong-5')]);
    await expectAuthFailed(r, henry.user, henry);
  });

  it('conflicting or incomplete login options are usage errors (exit 2)', async () => {
    const [both, adminNoPw] = await Promise.all([
      usage(['--source', serverUrl(src, { user: alice.user }), '--source-oauth-token-env', 'ALICE_TOKEN', '--source-password-env', 'SRC_ADMIN_PW', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-usage'), '--dry-run']),
      usage(['--source', serverUrl(src, { user: alice.user }), '--source-auth-user', SRC_ADMIN.user, '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'BOB_PW', ...state('st-usage'), '--dry-run']),
    ]);
    expect(both.code, describeRun(both)).toBe(2);
    expect(both.stderr).toMatch(/--source-oauth-token-env/);
    expect(adminNoPw.code, describeRun(adminNoPw)).toBe(2);
    expect(adminNoPw.stderr).toMatch(/--source-auth-user/);
    expect(adminNoPw.stderr).toMatch(/--source-password/);
  });
});
