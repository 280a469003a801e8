import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { startMailServer, type AnyMailServer } from '../harness/servers';
import { describeRun, leakedSecrets, runCli, scratchDir, serverUrl } from '../support/cli-runner';

/**
 * `verify` when one of its two logins fails: it reports that account failed (AUTH_FAILED,
 * naming the side) and exits 1. It logged in on both sides at once and, when one login failed,
 * left the other side's connection open: the process printed its failure and never exited, so a
 * scheduled verify piled up. Run as its own process, as a cron job runs it.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Vlf-src-pw-4Kd8' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Vlf-tgt-pw-7Qs2' };
const SECRETS = [alice.password, bob.password, 'Not-the-password-1'];
const env = { SRC_PW: alice.password, TGT_PW: bob.password, WRONG_PW: 'Not-the-password-1' };

describe('verify: one login fails', () => {
  let source: DovecotServer;
  const targets: Record<'dovecot' | 'cyrus', AnyMailServer | undefined> = { dovecot: undefined, cyrus: undefined };
  const scratch = scratchDir('verify-login');

  beforeAll(async () => {
    [source, targets.dovecot, targets.cyrus] = await Promise.all([
      startDovecot({ name: 'vlf-src', users: [alice] }),
      startMailServer('dovecot', { name: 'vlf-tgt', users: [bob] }),
      startMailServer('cyrus', { name: 'vlf-cyrus', users: [bob] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), targets.dovecot?.stop(), targets.cyrus?.stop()]);
    scratch.cleanup();
  });

  const cases = [
    { kind: 'dovecot', side: 'source', protocol: 'imap' },
    { kind: 'dovecot', side: 'target', protocol: 'imap' },
    { kind: 'cyrus', side: 'source', protocol: 'imap' },
    { kind: 'cyrus', side: 'target', protocol: 'imap' },
    { kind: 'dovecot', side: 'target', protocol: 'pop3' },
    { kind: 'cyrus', side: 'target', protocol: 'pop3' },
  ] as const;

  it.each(cases)('$protocol source into $kind, wrong $side password: exits 1 naming the side', async ({ kind, side, protocol }) => {
    const target = targets[kind]!;
    const src = protocol === 'pop3' ? `pop3://${encodeURIComponent(alice.user)}@${source.host}:${source.pop3Port}` : serverUrl(source, { user: alice.user });
    const r = await runCli(
      [
        '--source', src, '--source-password-env', side === 'source' ? 'WRONG_PW' : 'SRC_PW',
        '--target', `imap://${encodeURIComponent(bob.user)}@${target.host}:${target.imapPort}`, '--target-password-env', side === 'target' ? 'WRONG_PW' : 'TGT_PW',
        '--allow-plaintext', '--state-dir', scratch.path(`${kind}-${side}-${protocol}`),
      ],
      // A guard against the hang this test is about, far above a verify's few seconds here.
      { env, command: 'verify', timeoutMs: 90_000 },
    );
    expect(r.signal, describeRun(r)).toBeNull();
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout + r.stderr).toContain('AUTH_FAILED');
    expect(r.stdout + r.stderr).toMatch(side === 'source' ? /for the source/ : /for the target/);
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
  });
});
