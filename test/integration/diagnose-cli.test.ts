/**
 * `mailmover-bridge test-connection` as a real child process (bridge/cli/main.ts): exit 0 ok,
 * 1 failed test, 2 usage error naming the option; --json is one document with ok and error
 * {code, message, remedy}; the password is never printed. Usage errors, refused before any
 * connection, run through the same program in this process (runCliInProcess).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionReportSchema } from '../../shared/providers';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { getFreePorts } from '../harness/free-port';
import { seedFolder } from '../harness/mailbox';
import { leakedSecrets, runCli, runCliInProcess, scratchDir, type CliResult } from '../support/cli-runner';

const PASSWORD = 'Cl1-\'quote"-S3cret';
const WRONG = 'Wr0ng-"Pa55"';
const bob = { user: 'bob@old.example.com', password: PASSWORD };

function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { command: 'test-connection', env, timeoutMs: 60_000 });
}
function usage(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliInProcess(args, { command: 'test-connection', env, timeoutMs: 60_000 });
}

const describeRun = (r: CliResult) => `exit ${r.code}\n--- stdout ---\n${r.stdout.slice(0, 3000)}\n--- stderr ---\n${r.stderr.slice(0, 3000)}`;

describe('mailmover-bridge test-connection', () => {
  let server: DovecotServer;
  const scratch = scratchDir('test-connection');
  let url: string;
  let startTlsUrl: string;

  beforeAll(async () => {
    server = await startDovecot({ name: 'diag-cli', users: [bob] });
    await seedFolder(server, bob, 'INBOX', [{ raw: 'Subject: hi\r\n\r\nhello\r\n', internalDate: new Date('2022-02-02T02:02:02Z') }]);
    url = `imaps://${encodeURIComponent(bob.user)}@127.0.0.1:${server.imapsPort}`;
    startTlsUrl = `imap://${encodeURIComponent(bob.user)}@127.0.0.1:${server.imapPort}`;
  });
  afterAll(async () => {
    await server?.stop();
    scratch.cleanup();
  });

  it('a good login: exit 0, one JSON document with ok: true and the report; the password never printed', async () => {
    const r = await run([url, '--password-env', 'TC_PW', '--insecure-tls', '--no-detect', '--json', '--pop3-port', String(server.pop3sPort), '--pop3-security', 'tls'], { TC_PW: PASSWORD });
    expect(r.code, describeRun(r)).toBe(0);
    const report = ConnectionReportSchema.parse(JSON.parse(r.stdout));
    expect(report.ok).toBe(true);
    expect(report.error).toBeNull();
    expect(report.tls).toMatchObject({ selfSigned: true, accepted: 'insecure-accepted' });
    expect(report.folders!.find((f) => f.path === 'INBOX')).toMatchObject({ messages: 1, oldest: { uid: 1, internalDate: '2022-02-02T02:02:02.000Z' } });
    expect(report.pop3).toMatchObject({ status: 'ok', messages: 1 });
    // human summary on stderr, JSON only on stdout
    expect(r.stderr).toContain('OK: connection test of bob@old.example.com');
    expect(leakedSecrets(r, [PASSWORD])).toEqual([]);
  });

  it('without --json the report is for people, on stdout', async () => {
    const file = scratch.write('pw.txt', `${PASSWORD}\n`);
    const r = await run([startTlsUrl, '--password-file', file, '--insecure-tls', '--no-detect'], {});
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^OK: connection test of bob@old\.example\.com/);
    expect(r.stdout).toContain('SELF-SIGNED');
    expect(r.stdout).toMatch(/INBOX: 1 messages, \d+ B 2022-02-02 … 2022-02-02/);
    expect(r.stdout).toMatch(/^Folders \(\d+; dates = INTERNALDATE of the lowest \/ highest UID\):$/m);
    expect(leakedSecrets(r, [PASSWORD])).toEqual([]);
  });

  it('a POP3 mailbox: its inbox counted, and no word of dates it does not have', async () => {
    const file = scratch.write('pw-pop3.txt', `${PASSWORD}\n`);
    const r = await run([`pop3://${encodeURIComponent(bob.user)}@127.0.0.1:${server.pop3Port}`, '--password-file', file, '--insecure-tls', '--no-detect'], {});
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^Folders \(1\):\n {2}INBOX: 1 messages, \d+ B\n/m);
    expect(r.stdout).not.toContain('INTERNALDATE');
    expect(leakedSecrets(r, [PASSWORD])).toEqual([]);
  });

  it('a wrong password: exit 1, error AUTH_FAILED with message and remedy (en, zh)', async () => {
    const r = await run([url, '--password-env', 'TC_PW', '--insecure-tls', '--no-detect', '--json'], { TC_PW: WRONG });
    expect(r.code, describeRun(r)).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining(bob.user), remedy: { en: expect.any(String), zh: expect.any(String) } });
    expect(r.stderr).toContain('Error [AUTH_FAILED]');
    expect(leakedSecrets(r, [WRONG, PASSWORD])).toEqual([]);
  });

  it('a closed port: exit 1, CONNECT_FAILED', async () => {
    const [port] = await getFreePorts(1);
    const r = await run([`imaps://bob%40old.example.com@127.0.0.1:${port}`, '--password-env', 'TC_PW', '--no-detect', '--json'], { TC_PW: PASSWORD });
    expect(r.code, describeRun(r)).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('CONNECT_FAILED');
  });

  it('a self-signed certificate without --insecure-tls: exit 1, TLS_FAILED, certificate reported', async () => {
    const r = await run([url, '--password-env', 'TC_PW', '--no-detect', '--json'], { TC_PW: PASSWORD });
    expect(r.code, describeRun(r)).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.error.code).toBe('TLS_FAILED');
    expect(report.tls).toMatchObject({ selfSigned: true, accepted: 'rejected', certificate: { subject: 'CN=127.0.0.1' } });
    // The command line's way to trust this one certificate comes first; switching checks off second.
    expect(report.error.message).toMatch(/pass its PEM certificate \(or the CA that signed it\) with --ca FILE, or, without checking it at all, --insecure-tls/);
    expect(leakedSecrets(r, [PASSWORD])).toEqual([]);
  });

  it.each([
    ['no password option', [], {}, '--password-env'],
    ['unset variable', ['--password-env', 'TC_UNSET_VARIABLE'], {}, '--password-env'],
    ['no user', ['--password-env', 'TC_PW'], { TC_PW: PASSWORD }, '--user'],
    ['bad POP3 port', ['--password-env', 'TC_PW', '--pop3-port', 'x'], { TC_PW: PASSWORD }, '--pop3-port'],
    ['unknown provider', ['--password-env', 'TC_PW', '--provider', 'nope'], { TC_PW: PASSWORD }, '--provider'],
    ['unknown option', ['--password-env', 'TC_PW', '--frobnicate'], { TC_PW: PASSWORD }, '--frobnicate'],
    ['bad choice', ['--password-env', 'TC_PW', '--auth-form', 'kerberos'], { TC_PW: PASSWORD }, '--auth-form'],
  ] as Array<[string, string[], Record<string, string>, string]>)('usage error (%s): exit 2, the message names the option', async (label, args, env, option) => {
    const target = label === 'no user' ? `imaps://127.0.0.1:${server.imapsPort}` : url;
    const r = await usage([target, ...args], env);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain(option);
    expect(r.stdout).toBe('');
    expect(leakedSecrets(r, [PASSWORD])).toEqual([]);
  });

  it('usage error: a URL that is not IMAP/POP3 or a missing URL → exit 2', async () => {
    const bad = await usage(['smtp://host:25', '--password-env', 'TC_PW'], { TC_PW: PASSWORD });
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toMatch(/URL: unsupported scheme/);
    const missing = await usage([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'url'/);
  });
});
