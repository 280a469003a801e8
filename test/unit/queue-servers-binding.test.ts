import { describe, expect, it } from 'vitest';
import { clusterKeyId } from '../../bridge/queue/cluster-key';
import { openSecrets, sealSecrets, serversBinding } from '../../bridge/queue/payload-crypto';

/**
 * The endpoints of a queued job travel in clear beside the sealed passwords; the box is
 * bound to them, so a job altered in Redis (another host, TLS dropped, a CA added) does not
 * open and its passwords never reach a server the coordinator did not name.
 */
const raw = Buffer.alloc(32, 7);
const key = { key: raw, id: clusterKeyId(raw) };
const secrets = { source: { kind: 'password' as const, password: 'Src-pw' }, target: { kind: 'password' as const, password: 'Tgt-pw' } };
const source = { protocol: 'imap', host: 'imap.old.example.com', port: 993, security: 'tls', user: 'a@old.example.com', allowPlaintext: false, insecureTls: false };
const target = { protocol: 'imap', host: 'imap.new.example.com', port: 993, security: 'tls', user: 'a@new.example.com', allowPlaintext: false, insecureTls: false };

describe('sealed credentials bound to the server settings', () => {
  it('open with the same settings (defaults left out count as false), not with altered ones', () => {
    const sealed = sealSecrets(secrets, key, 'acct-1', serversBinding(source, target));
    const { allowPlaintext: _a, insecureTls: _b, ...bare } = source;
    expect(openSecrets(sealed, key, key.id, 'acct-1', serversBinding(bare, target))).toEqual(secrets);
    for (const altered of [
      { ...source, host: 'evil.example.net' },
      { ...source, port: 143, security: 'plain', allowPlaintext: true },
      { ...source, insecureTls: true },
      { ...source, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
      { ...source, user: 'b@old.example.com' },
    ]) {
      expect(() => openSecrets(sealed, key, key.id, 'acct-1', serversBinding(altered, target)), JSON.stringify(altered)).toThrow(/did not authenticate/);
    }
    expect(() => openSecrets(sealed, key, key.id, 'acct-1', serversBinding(source, { ...target, host: 'evil.example.net' }))).toThrow(/did not authenticate/);
  });
});
