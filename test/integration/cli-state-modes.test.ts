/**
 * Issue 12 #8, as reported: `migrate --state-dir <existing 0755 dir>` wrote mailmover.sqlite
 * 0644 (addresses, folder names, fingerprints readable by every local user). The CLI runs
 * against a port where nothing listens (the run fails, the state store is still opened);
 * what matters is the modes it leaves.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { getFreePort } from '../harness/free-port';
import { runCli, scratchDir } from '../support/cli-runner';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

describe('migrate --state-dir with an existing world-readable directory', () => {
  const scratch = scratchDir('modes');
  afterAll(() => scratch.cleanup());

  it('leaves the directory 0700 and every state file 0600', async () => {
    const dir = scratch.path('state');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const dead = await getFreePort();
    const r = await runCli(
      ['--source', `imap://a%40old.example@127.0.0.1:${dead}`, '--target', `imap://b%40new.example@127.0.0.1:${dead}`, '--allow-plaintext', '--source-password-env', 'MM_PW', '--target-password-env', 'MM_PW', '--retries', '1', '--state-dir', dir],
      { env: { MM_PW: 'State-Modes-Pw-1' } },
    );
    expect(r.code, r.stderr).not.toBe(0);
    expect(mode(dir)).toBe('0700');
    const files = readdirSync(dir).filter((f) => f.startsWith('mailmover.sqlite'));
    expect(files).toContain('mailmover.sqlite');
    for (const f of files) expect(mode(`${dir}/${f}`), f).toBe('0600');
  });
});
