import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { startMailServer, type CyrusServer } from '../harness/servers';
import { describeRun, parseReport, runCliInProcess, scratchDir, serverUrl } from '../support/cli-runner';

/**
 * An IMAP address whose port is another service's (the POP3 port, typed from the provider's
 * settings page one line off) used to wait out the greeting timeout and be retried as a
 * TIMEOUT or a lost connection, minutes for a batch. The first line the server sends is now
 * checked: not an IMAP greeting is a settings error at once (CONFIG_INVALID, not retried),
 * naming what answered and the IMAP ports. TLS asked of a port that speaks clear text says
 * to use STARTTLS instead of quoting OpenSSL. Real POP3 services of Dovecot and Cyrus.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Wrong-port-src-pw-4Qd' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Wrong-port-tgt-pw-8Kz' };

describe('cli migrate: an IMAP address on a port that is not IMAP', () => {
  let dovecot: DovecotServer;
  let cyrus: CyrusServer;
  const scratch = scratchDir('wrong-port');
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };

  beforeAll(async () => {
    [dovecot, cyrus] = await Promise.all([startDovecot({ name: 'wrong-port', users: [alice, bob] }), startMailServer('cyrus', { name: 'wrong-port-cyrus', users: [bob] })]);
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), cyrus?.stop()]);
    scratch.cleanup();
  });

  const run = (source: string, target: string, state: string) =>
    runCliInProcess(['--source', source, '--source-password-env', 'SRC_PW', '--target', target, '--target-password-env', 'TGT_PW', '--allow-plaintext', '--state-dir', scratch.path(state), '--json'], { env });
  const imapOn = (port: number, user: string) => `imap://${encodeURIComponent(user)}@127.0.0.1:${port}`;

  it.each([
    { server: 'Dovecot', port: () => dovecot.pop3Port },
    { server: 'Cyrus', port: () => cyrus.pop3Port },
  ])("the target's POP3 port ($server): CONFIG_INVALID naming a POP3 server and the IMAP ports, not retried", async ({ port }) => {
    const r = await run(serverUrl(dovecot, { user: alice.user }), imapOn(port(), bob.user), `tgt-${port()}`);
    expect(r.code, describeRun(r)).toBe(1);
    const account = parseReport(r.stdout).accounts[0]!;
    expect(account.error?.code).toBe('CONFIG_INVALID');
    expect(account.error?.message).toBe(`The target bob@new.example.com at 127.0.0.1:${port()} is a POP3 server, not an IMAP server. Check the port (IMAP is 143 with STARTTLS, or 993 with TLS) and the server address.`);
    expect(r.stderr).not.toMatch(/retry|TIMEOUT|GREETING/i);
    // As data too, for the bridge's views in the reader's language.
    expect((JSON.parse(r.stdout) as { accounts: Array<{ error: { facts?: unknown } }> }).accounts[0]!.error.facts).toEqual({ kind: 'wrong-service', found: 'pop3', expected: 'imap' });
  });

  it('the source given the POP3 port as imap://: the message also names pop3://', async () => {
    const r = await run(imapOn(dovecot.pop3Port, alice.user), serverUrl(dovecot, { user: bob.user }), 'src-pop3');
    expect(r.code, describeRun(r)).toBe(1);
    const account = parseReport(r.stdout).accounts[0]!;
    expect(account.error?.code).toBe('CONFIG_INVALID');
    expect(account.error?.message).toContain('is a POP3 server, not an IMAP server');
    expect(account.error?.message).toContain('given as pop3:// or pop3s://');
  });

  it('imaps:// on the clear-text IMAP port: TLS_FAILED saying to use imap:// (STARTTLS), without OpenSSL\'s error line', async () => {
    const r = await runCliInProcess(
      ['--source', `imaps://${encodeURIComponent(alice.user)}@127.0.0.1:${dovecot.imapPort}`, '--source-password-env', 'SRC_PW', '--target', serverUrl(dovecot, { user: bob.user }), '--target-password-env', 'TGT_PW', '--allow-plaintext', '--source-insecure-tls', '--state-dir', scratch.path('tls-on-plain'), '--json'],
      { env },
    );
    expect(r.code, describeRun(r)).toBe(1);
    const account = parseReport(r.stdout).accounts[0]!;
    expect(account.error?.code).toBe('TLS_FAILED');
    expect(account.error?.message).toContain('wrong version number');
    expect(account.error?.message).toContain('use imap:// (STARTTLS) for port 143, imaps:// for 993');
    expect(account.error?.message).not.toMatch(/SSL routines|0A00010B/);
  });

  it.each([
    { server: 'Dovecot', port: () => dovecot.pop3Port },
    { server: 'Cyrus', port: () => cyrus.pop3Port },
  ])("pop3s:// on the clear-text POP3 port ($server): TLS_FAILED saying to use pop3:// (STLS), not imap://", async ({ server, port }) => {
    const user = server === 'Dovecot' ? alice.user : bob.user;
    const r = await runCliInProcess(
      ['--source', `pop3s://${encodeURIComponent(user)}@127.0.0.1:${port()}`, '--source-password-env', 'SRC_PW', '--target', serverUrl(dovecot, { user: bob.user }), '--target-password-env', 'TGT_PW', '--allow-plaintext', '--source-insecure-tls', '--state-dir', scratch.path(`pop3s-on-plain-${server}`), '--json'],
      { env },
    );
    expect(r.code, describeRun(r)).toBe(1);
    const account = parseReport(r.stdout).accounts[0]!;
    expect(account.error?.code).toBe('TLS_FAILED');
    expect(account.error?.message).toContain('use pop3:// (STLS) for port 110, pop3s:// for 995');
    expect(account.error?.message).not.toContain('imap://');
  });

  it.each([
    { server: 'Dovecot', port: () => dovecot.pop3Port },
    { server: 'Cyrus', port: () => cyrus.pop3Port },
  ])('test-connection pop3s:// on the clear-text POP3 port ($server): the advice names the POP3 ports', async ({ server, port }) => {
    const user = server === 'Dovecot' ? alice.user : bob.user;
    const r = await runCliInProcess([`pop3s://${encodeURIComponent(user)}@127.0.0.1:${port()}`, '--password-env', 'SRC_PW', '--insecure-tls', '--no-detect', '--json'], { command: 'test-connection', env, timeoutMs: 60_000 });
    expect(r.code, describeRun(r)).not.toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(report.ok).toBe(false);
    expect(report.error.code).toBe('TLS_FAILED');
    expect(report.error.message).toContain('Use pop3:// (STLS) for port 110, pop3s:// for 995.');
    expect(report.error.message).not.toContain('imap://');
  });
});
