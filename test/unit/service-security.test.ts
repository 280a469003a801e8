import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateKey } from '../../bridge/service/credential-key';
import { CredentialVault, credentialOwner } from '../../bridge/service/credential-vault';
import { openServiceDb, type ServiceDb } from '../../bridge/service/db';
import { bindTo, type SecretRef } from '../../bridge/service/secret-binding';
import { createBridgeLogger } from '../../bridge/service/logger';
import { PairingCodes } from '../../bridge/service/pairing-codes';
import { RotatingFile } from '../../bridge/service/rotating-file';
import { REDACTED, SecretScrubber } from '../../bridge/service/secret-scrubber';
import { TokenStore } from '../../bridge/service/tokens';

describe('credentials, tokens, codes, logs', () => {
  let dir: string;
  let db: ServiceDb;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-svc-'));
    db = openServiceDb(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the key in a 0600 file and tightens a loose one', () => {
    const key = loadOrCreateKey(dir);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    chmodSync(join(dir, 'credentials.key'), 0o644);
    expect(loadOrCreateKey(dir).equals(key)).toBe(true);
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'mailmover.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('encrypts with AES-256-GCM bound to the owner, and deletes by account or job', () => {
    const vault = new CredentialVault(db, loadOrCreateKey(dir), new SecretScrubber());
    const server = { host: 'imap.old.cn', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } as const;
    const ref = (owner: string, user = 'a@old.cn'): SecretRef => ({ owner, binding: bindTo(server, 'imap', user) });
    vault.put(ref(credentialOwner.accountSource('acc_1')), 'Secret-Pw-123');
    vault.put(ref(credentialOwner.accountTarget('acc_1')), 'Secret-Pw-456');
    vault.put(ref(credentialOwner.jobSourceAdmin('job_1'), 'admin'), 'Admin-Pw-789');
    expect(vault.get(ref(credentialOwner.accountSource('acc_1')))).toBe('Secret-Pw-123');
    // A ciphertext moved to another row does not decrypt (the owner is authenticated data).
    db.prepare(`UPDATE svc_credentials SET owner = 'account:acc_2:source' WHERE owner = 'account:acc_1:source'`).run();
    expect(vault.get(ref('account:acc_2:source'))).toBeUndefined();
    db.prepare(`UPDATE svc_credentials SET owner = 'account:acc_1:source' WHERE owner = 'account:acc_2:source'`).run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const files = readdirSync(dir).filter((f) => f.startsWith('mailmover.sqlite')).map((f) => readFileSync(join(dir, f)));
    for (const f of files) for (const s of ['Secret-Pw-123', 'Secret-Pw-456', 'Admin-Pw-789']) expect(f.includes(Buffer.from(s))).toBe(false);
    expect(vault.delete(credentialOwner.account('acc_1'))).toBe(2);
    expect(vault.has(ref(credentialOwner.jobSourceAdmin('job_1'), 'admin'))).toBe(true);
    expect(vault.delete(credentialOwner.job('job_1'))).toBe(1);
  });

  it('issues tokens shown once, verifies and revokes them', () => {
    const tokens = new TokenStore(db);
    const { token, info } = tokens.issue('chrome-extension://cecebljahdhogcjfihcheahabdjoppkk', 'Chrome');
    expect(tokens.verify(token)?.id).toBe(info.id);
    expect(tokens.verify(token + 'x')).toBeUndefined();
    expect(tokens.revoke(info.id)).toBe(1);
    expect(tokens.verify(token)).toBeUndefined();
    expect(tokens.list()[0]!.revokedAt).not.toBeNull();
  });

  it('pairing codes work once and expire after their time', () => {
    let t = 1_000_000;
    const codes = new PairingCodes(db, () => t);
    const a = codes.create(1000).code.replace('-', '');
    const b = codes.create(1000).code.replace('-', '');
    expect(codes.consume(a)).toBe(true);
    expect(codes.consume(a)).toBe(false);
    t += 1001;
    expect(codes.consume(b)).toBe(false);
  });

  it('scrubs known secrets from log lines, also inside JSON strings and in messages pino cannot see', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('p"a\\ss-Word-1');
    scrubber.add('abc'); // too short to scrub without mangling text
    const lines: string[] = [];
    const log = createBridgeLogger({ stateDir: dir, scrubber, stderr: { write: (s: string) => lines.push(s) } });
    log.logger.info({ password: 'Other-Secret-9', auth: { password: 'Nested-Secret-8' }, sourcePassword: 'x-Secret-7' }, 'login with p"a\\ss-Word-1 failed');
    log.logger.error({ err: new Error('server said p"a\\ss-Word-1') }, 'oops');
    log.close();
    const all = lines.join('') + readFileSync(log.file, 'utf8');
    for (const s of ['p"a\\\\ss-Word-1', 'p"a\\ss-Word-1', 'Other-Secret-9', 'Nested-Secret-8', 'x-Secret-7']) expect(all).not.toContain(s);
    expect(all).toContain(REDACTED);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: `login with ${REDACTED} failed` });
  });

  it("keeps of a logged error only what says what failed, not a library's own fields", () => {
    const lines: string[] = [];
    const log = createBridgeLogger({ stateDir: dir, scrubber: new SecretScrubber(), stderr: { write: (s: string) => lines.push(s) } });
    // What ioredis rejects every queued command with when its AUTH fails: the failed command, password included.
    const authFailed = Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), {
      code: 'WRONGPASS',
      command: { name: 'auth', args: ['Redis-Secret-4711'] },
    });
    const wrapped = new Error('the pass could not be queued', { cause: Object.assign(new Error('inner'), { options: { password: 'Inner-Secret-5' } }) });
    log.logger.error({ err: authFailed }, 'the engine failed unexpectedly');
    log.logger.error({ err: wrapped }, 'wrapped');
    log.logger.error({ err: { password: 'Plain-Object-Secret-6' } }, 'not an Error');
    log.close();
    const all = lines.join('') + readFileSync(log.file, 'utf8');
    for (const s of ['Redis-Secret-4711', 'Inner-Secret-5', 'Plain-Object-Secret-6']) expect(all).not.toContain(s);
    const first = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(first.err).toMatchObject({ type: 'Error', message: 'WRONGPASS invalid username-password pair or user is disabled.', code: 'WRONGPASS' });
    expect(first.err.command).toBeUndefined();
    expect(String(first.err.stack)).toContain('WRONGPASS');
    expect((JSON.parse(lines[1]!) as { err: { cause: unknown } }).err.cause).toMatchObject({ type: 'Error', message: 'inner' });
  });

  it('rotates the log file by size', () => {
    const f = new RotatingFile(join(dir, 'logs', 'x.log'), 100, 2);
    for (let i = 0; i < 10; i++) f.write(`${'y'.repeat(40)}\n`);
    f.close();
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    expect(statSync(join(dir, 'logs', 'x.log')).size).toBeLessThanOrEqual(100);
    writeFileSync(join(dir, 'logs', 'x.log'), '');
  });
});
