import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

/**
 * TLS certificate options of the commands that connect, against two real Dovecots with their own
 * self-signed certificates: the check is on unless a side opts out (--source-insecure-tls /
 * --target-insecure-tls, --insecure-tls for both), a self-signed server is trusted properly
 * with --source-ca / --target-ca (test-connection: --ca), and a run that did not check a
 * certificate says so on stderr, naming the side.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Alice-pw-Tls7Qx2-never-print' };
const targets: DovecotUser[] = ['bob', 'carol', 'dave', 'erin', 'fred', 'gina'].map((n, i) => ({ user: `${n}@new.example.com`, password: `${n}-pw-Tls${i}Zr4-never-print` }));
const [bob, carol, dave, erin, fred, gina] = targets as [DovecotUser, DovecotUser, DovecotUser, DovecotUser, DovecotUser, DovecotUser];
const SECRETS = [alice, ...targets].map((u) => u.password);
const MESSAGES = 7;
const WARNING = /Warning: TLS certificates were NOT checked/;

describe('cli TLS options: per-side opt-outs, CA files, the unchecked-certificate warning', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('tls-options');
  let sourceCa = '';
  let targetCa = '';
  const env = Object.fromEntries([['SRC_PW', alice.password], ...targets.map((u) => [`PW_${u.user.split('@')[0]!.toUpperCase()}`, u.password])]);

  async function cli(args: string[], command = 'migrate'): Promise<CliResult> {
    const r = await runCli(args, { env, command });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  async function usage(args: string[], command = 'migrate'): Promise<CliResult> {
    const r = await runCliInProcess(args, { env, command });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  /** imaps:// on both sides, to `to` on the target. */
  const pair = (to: DovecotUser, stateDir: string) => [
    '--source', serverUrl(source, { user: alice.user, tls: true }), '--source-password-env', 'SRC_PW',
    '--target', serverUrl(target, { user: to.user, tls: true }), '--target-password-env', `PW_${to.user.split('@')[0]!.toUpperCase()}`,
    '--state-dir', scratch.path(stateDir), '--json',
  ];

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'cli-tls-src', users: [alice] }),
      startDovecot({ name: 'cli-tls-tgt', users: targets }),
    ]);
    // Two servers, two self-signed certificates: each one's PEM trusts that server only.
    expect(source.caPem).not.toBe(target.caPem);
    sourceCa = scratch.write('source-cert.pem', source.caPem);
    targetCa = scratch.write('target-cert.pem', target.caPem);
    await seedFolder(source, alice, 'INBOX', bulkMessages(MESSAGES, 41));
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  it('without an option a self-signed source fails TLS_FAILED, and the hint names the per-side options', async () => {
    const r = await cli(pair(bob, 'state-none'));
    expect(r.code, describeRun(r)).toBe(1);
    expect(parseReport(r.stdout).accounts[0]!.error?.code).toBe('TLS_FAILED');
    expect(r.stderr).toContain('--source-ca FILE');
    expect(r.stderr).toContain('--source-insecure-tls');
    expect(r.stderr).not.toMatch(WARNING);
    expect(await readFolder(target, bob, 'INBOX')).toHaveLength(0);
  });

  it('--source-insecure-tls covers the source only: a target with an unverifiable certificate still fails', async () => {
    const r = await cli([...pair(carol, 'state-source-only'), '--source-insecure-tls']);
    expect(r.code, describeRun(r)).toBe(1);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.error?.code, describeRun(r)).toBe('TLS_FAILED');
    expect(a.messagesCopied).toBe(0);
    // The failure is the target's: its hint names the target's options, not the source's.
    expect(r.stderr).toContain('--target-ca FILE');
    expect(r.stderr).toContain('--target-insecure-tls');
    expect(r.stderr).toMatch(/Warning: TLS certificates were NOT checked on the source \(--source-insecure-tls\)/);
    expect(await readFolder(target, carol, 'INBOX')).toHaveLength(0);
  });

  it('--source-ca and --target-ca with the servers\' own certificates: copied with every certificate checked, no warning', async () => {
    const r = await cli([...pair(dave, 'state-ca'), '--source-ca', sourceCa, '--target-ca', targetCa]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(parseReport(r.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: MESSAGES, error: null });
    expect(r.stderr).not.toMatch(WARNING);
    expect(await readFolder(target, dave, 'INBOX')).toHaveLength(MESSAGES);
  });

  it('a CA file that did not sign the server\'s certificate is refused like no CA at all', async () => {
    // The target's certificate given for the source: the source's is not that one.
    const r = await cli([...pair(erin, 'state-wrong-ca'), '--source-ca', targetCa, '--target-ca', targetCa]);
    expect(r.code, describeRun(r)).toBe(1);
    expect(parseReport(r.stdout).accounts[0]!.error?.code).toBe('TLS_FAILED');
    expect(r.stderr).toContain('The certificate did not verify against the --source-ca file');
    expect(r.stderr).toContain(`test-connection ${serverUrl(source, { user: alice.user, tls: true })} --password-env NAME --ca FILE\` says why`);
    expect(r.stderr).not.toMatch(WARNING);
    expect(await readFolder(target, erin, 'INBOX')).toHaveLength(0);
  });

  it('the warning names the side(s) not checked: one side with its option, both with --insecure-tls', async () => {
    const one = await cli([...pair(fred, 'state-one'), '--source-insecure-tls', '--target-ca', targetCa]);
    expect(one.code, describeRun(one)).toBe(0);
    expect(parseReport(one.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: MESSAGES });
    const line = one.stderr.split('\n').filter((l) => WARNING.test(l));
    expect(line, describeRun(one)).toEqual(["Warning: TLS certificates were NOT checked on the source (--source-insecure-tls): the server's identity was not verified."]);

    const both = await cli([...pair(gina, 'state-both'), '--insecure-tls']);
    expect(both.code, describeRun(both)).toBe(0);
    expect(both.stderr.split('\n').filter((l) => WARNING.test(l))).toEqual(["Warning: TLS certificates were NOT checked on the source and the target (--insecure-tls): the servers' identity was not verified."]);
  });

  it('verify takes the same options: --source-ca/--target-ca verify without a warning, an opt-out warns', async () => {
    const args = [...pair(dave, 'state-ca')];
    const checked = await cli([...args, '--source-ca', sourceCa, '--target-ca', targetCa], 'verify');
    expect(checked.code, describeRun(checked)).toBe(0);
    expect(checked.stderr).not.toMatch(WARNING);
    const refused = await cli([...args, '--source-ca', sourceCa], 'verify');
    expect(refused.code, describeRun(refused)).toBe(1);
    const unchecked = await cli([...args, '--source-ca', sourceCa, '--target-insecure-tls'], 'verify');
    expect(unchecked.code, describeRun(unchecked)).toBe(0);
    expect(unchecked.stderr).toMatch(/Warning: TLS certificates were NOT checked on the target \(--target-insecure-tls\)/);
  });

  it('test-connection --ca FILE: the certificate verifies against the file', async () => {
    const url = serverUrl(source, { user: alice.user, tls: true });
    const without = await cli([url, '--password-env', 'SRC_PW', '--no-detect', '--json'], 'test-connection');
    expect(without.code, describeRun(without)).toBe(1);
    expect(JSON.parse(without.stdout).error.code).toBe('TLS_FAILED');
    const r = await cli([url, '--password-env', 'SRC_PW', '--no-detect', '--ca', sourceCa, '--json'], 'test-connection');
    expect(r.code, describeRun(r)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tls.accepted).toBe('verified');
    expect(report.warnings.map((w: { code: string }) => w.code)).not.toContain('TLS_NOT_VERIFIED');
  });

  it('usage errors (exit 2, nothing connects): an unreadable or non-PEM CA file, a CA file with an opt-out of the same side', async () => {
    const missing = await usage([...pair(bob, 'state-usage'), '--source-ca', scratch.path('no-such.pem')]);
    expect(missing.code, describeRun(missing)).toBe(2);
    expect(missing.stderr).toMatch(/--source-ca: cannot read .*no-such\.pem/);
    const notPem = scratch.write('not-a-cert.pem', 'hello\n');
    const bad = await usage([...pair(bob, 'state-usage'), '--target-ca', notPem]);
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toMatch(/--target-ca: .*no PEM certificate/);
    const both = await usage([...pair(bob, 'state-usage'), '--source-ca', sourceCa, '--source-insecure-tls']);
    expect(both.code, describeRun(both)).toBe(2);
    expect(both.stderr).toMatch(/--source-ca and --source-insecure-tls: give one/);
    const all = await usage([...pair(bob, 'state-usage'), '--target-ca', targetCa, '--insecure-tls']);
    expect(all.code, describeRun(all)).toBe(2);
    expect(all.stderr).toMatch(/--target-ca and --insecure-tls: give one/);
    const tc = await usage([serverUrl(source, { user: alice.user, tls: true }), '--password-env', 'SRC_PW', '--ca', notPem], 'test-connection');
    expect(tc.code, describeRun(tc)).toBe(2);
    expect(tc.stderr).toMatch(/--ca: .*no PEM certificate/);
  });
});
