import { describe, expect, it } from 'vitest';
import { pop3Endpoint } from '../../bridge/diagnose/stages/pop3-compare';
import { verifiesCertificate, type Endpoint } from '../../bridge/engine/endpoint';

/** The connection test's POP3 comparison logs in with the IMAP account's password. */
describe('the POP3 comparison login', () => {
  const imap: Endpoint = {
    host: 'mail.corp.example',
    port: 993,
    security: 'tls',
    user: 'alice@corp.example',
    auth: { kind: 'password', password: 'Secret-pw-1' },
    allowPlaintext: true,
    insecureTls: true,
    ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  };

  it("on the provider's POP3 server (another host): the certificate is verified, whatever the IMAP server was allowed", () => {
    const ep = pop3Endpoint(imap, { host: 'pop.qiye.aliyun.com', port: 995, security: 'tls' });
    expect(ep).toMatchObject({ protocol: 'pop3', host: 'pop.qiye.aliyun.com', port: 995, security: 'tls', insecureTls: false, allowPlaintext: false, user: imap.user });
    expect(ep.ca).toBeUndefined();
    expect(verifiesCertificate(ep)).toBe(true);
  });

  it('on the same host: the exceptions the user made for it hold', () => {
    const ep = pop3Endpoint(imap, { host: 'MAIL.corp.example', port: 995, security: 'tls' });
    expect(ep).toMatchObject({ protocol: 'pop3', port: 995, insecureTls: true, allowPlaintext: true, ca: imap.ca });
    expect(verifiesCertificate(ep)).toBe(false);
  });
});
