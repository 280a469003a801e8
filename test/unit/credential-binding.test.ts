/**
 * Issue 12 #1 at the vault: a stored password decrypts only for the server it was entered for.
 * Any change of protocol, host, port, TLS mode, certificate or plaintext policy, or user, and in
 * particular a lowering of security (TLS → STARTTLS → plaintext, verified → insecure), finds no
 * usable password. Passwords stored before binding existed are bound once to their job's server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createCipheriv, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateKey } from '../../bridge/service/credential-key';
import { CredentialVault } from '../../bridge/service/credential-vault';
import { nowIso, openServiceDb, type ServiceDb } from '../../bridge/service/db';
import { bindTo, type SecretBinding, type SecretRef } from '../../bridge/service/secret-binding';
import { SecretScrubber } from '../../bridge/service/secret-scrubber';

const server = { host: 'imap.corp.example', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } as const;
const owner = 'account:acc_binding1:source';
const PW = 'Bound-Pw-42';

describe('credential vault: passwords bound to their server', () => {
  let dir: string;
  let db: ServiceDb;
  let key: Buffer;
  let vault: CredentialVault;
  const ref = (b: Partial<SecretBinding> = {}): SecretRef => ({ owner, binding: { ...bindTo(server, 'imap', 'zhang@corp.example'), ...b } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mm-bind-unit-'));
    db = openServiceDb(dir);
    key = loadOrCreateKey(dir);
    vault = new CredentialVault(db, key, new SecretScrubber());
    vault.put(ref(), PW);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decrypts for the exact server, host and user compared case-insensitively', () => {
    expect(vault.get(ref())).toBe(PW);
    expect(vault.has(ref())).toBe(true);
    expect(vault.get(ref({ host: 'IMAP.Corp.Example', user: 'Zhang@Corp.Example' }))).toBe(PW);
  });

  it.each<[string, Partial<SecretBinding>]>([
    ['another host', { host: 'imap.attacker.example' }],
    ['another port', { port: 1993 }],
    ['STARTTLS instead of TLS', { security: 'starttls' }],
    ['plaintext instead of TLS', { security: 'plain', allowPlaintext: true }],
    ['plaintext allowed', { allowPlaintext: true }],
    ['certificate no longer verified', { insecureTls: true }],
    ['POP3 instead of IMAP', { protocol: 'pop3' }],
    ['another user', { user: 'li@corp.example' }],
  ])('%s: no usable password', (_what, change) => {
    expect(vault.get(ref(change))).toBeUndefined();
    expect(vault.has(ref(change))).toBe(false);
    // Still stored for the original server.
    expect(vault.get(ref())).toBe(PW);
  });

  it('an edited bound_to column does not help: the binding asked for is the associated data', () => {
    const attacker = ref({ host: 'imap.attacker.example' });
    db.prepare(`UPDATE svc_credentials SET bound_to = ? WHERE owner = ?`).run(JSON.stringify(['imap', 'imap.attacker.example', 993, 'tls', false, false, 'zhang@corp.example']), owner);
    expect(vault.has(attacker)).toBe(true);
    expect(vault.get(attacker)).toBeUndefined();
  });

  it('binds a password stored before binding existed to the server it is used with now, once', () => {
    const legacyOwner = 'account:acc_legacy1:source';
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(legacyOwner, 'utf8'));
    const data = Buffer.concat([cipher.update('Legacy-Pw-7', 'utf8'), cipher.final()]);
    db.prepare(`INSERT INTO svc_credentials (owner, iv, tag, data, created_at) VALUES (?, ?, ?, ?, ?)`).run(legacyOwner, iv, cipher.getAuthTag(), data, nowIso());
    const legacyRef: SecretRef = { owner: legacyOwner, binding: bindTo(server, 'imap', 'wang@corp.example') };
    expect(vault.has(legacyRef)).toBe(false);
    expect(vault.bindUnbound((o) => (o === legacyOwner ? legacyRef : undefined))).toBe(1);
    expect(vault.get(legacyRef)).toBe('Legacy-Pw-7');
    expect(vault.get({ ...legacyRef, binding: { ...legacyRef.binding, host: 'imap.attacker.example' } })).toBeUndefined();
    expect(vault.bindUnbound(() => undefined)).toBe(0);
  });
});
