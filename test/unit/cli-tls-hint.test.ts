import { describe, expect, it } from 'vitest';
import { tlsHint } from '../../bridge/cli/tls-hint';
import { EndpointSchema } from '../../bridge/engine/endpoint';
import { MigrationOptionsSchema } from '../../shared/migration';

const options = MigrationOptionsSchema.parse({});
const target = EndpointSchema.parse({ host: 'imap.new.example.com', port: 993, security: 'tls', user: 'b@new.example.com', auth: { kind: 'password', password: 'x' } });

describe("the command line's TLS hint", () => {
  it('gives a test-connection command that runs: the URL without the login remark, the login options of the run', () => {
    const admin = EndpointSchema.parse({ host: 'imap.old.example.com', port: 993, security: 'tls', user: 'a@old.example.com', auth: { kind: 'master', adminUser: 'admin@old.example.com', password: 'x' } });
    const token = EndpointSchema.parse({ host: '2001:db8::5', port: 143, security: 'starttls', user: 'a@old.example.com', auth: { kind: 'oauth2', accessToken: 't' } });
    expect(tlsHint('source', { source: admin, target, options })).toContain('`./mailmover-bridge test-connection imaps://a%40old.example.com@imap.old.example.com:993 --auth-user admin@old.example.com --password-env NAME`');
    expect(tlsHint('source', { source: token, target, options })).toContain('`./mailmover-bridge test-connection imap://a%40old.example.com@[2001:db8::5]:143 --oauth-token-env NAME`');
    expect(tlsHint('target', { source: token, target, options })).toContain('`./mailmover-bridge test-connection imaps://b%40new.example.com@imap.new.example.com:993 --password-env NAME`');
    for (const hint of [tlsHint('source', { source: admin, target, options }), tlsHint('source', { source: token, target, options })]) expect(hint).not.toMatch(/\(as admin|\(OAuth2\)/);
  });
});
