import { describe, expect, it } from 'vitest';
import { isSameServer } from '../../bridge/engine/same-server-address';

describe('isSameServer', () => {
  it('one name, or two names of one address, on one port or on two standard mail ports', async () => {
    expect(await isSameServer({ host: 'mail.example.com', port: 143 }, { host: 'MAIL.example.com', port: 993 })).toBe(true);
    expect(await isSameServer({ host: 'localhost', port: 993 }, { host: '127.0.0.1', port: 993 })).toBe(true);
    expect(await isSameServer({ host: 'localhost', port: 995 }, { host: '127.0.0.1', port: 143 })).toBe(true);
    expect(await isSameServer({ host: '::ffff:127.0.0.1', port: 2000 }, { host: '127.0.0.1', port: 2000 })).toBe(true);
  });
  it('other ports, or names without a common address, are other servers', async () => {
    expect(await isSameServer({ host: 'mail.example.com', port: 10143 }, { host: 'mail.example.com', port: 993 })).toBe(false);
    expect(await isSameServer({ host: '127.0.0.1', port: 993 }, { host: '127.0.0.2', port: 993 })).toBe(false);
    expect(await isSameServer({ host: 'no-such-host.invalid', port: 993 }, { host: '127.0.0.1', port: 993 })).toBe(false);
  });
});
