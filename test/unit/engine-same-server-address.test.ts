import { describe, expect, it } from 'vitest';
import { isSameServer, serverAddresses } from '../../bridge/engine/same-server-address';

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

describe('serverAddresses', () => {
  it('remembers an answer, not a failure: a name that failed once is asked again at the next run', async () => {
    let asked = 0;
    const failing = async () => {
      asked++;
      throw Object.assign(new Error('queryA ETIMEOUT'), { code: 'ETIMEOUT' });
    };
    const answering = async () => {
      asked++;
      return [{ address: '10.9.8.7' }];
    };
    expect(await serverAddresses('flaky.example.test', failing)).toEqual([]);
    expect(await serverAddresses('flaky.example.test', answering)).toEqual(['10.9.8.7']);
    expect(await serverAddresses('flaky.example.test', failing)).toEqual(['10.9.8.7']);
    expect(asked).toBe(2);
  });
});
