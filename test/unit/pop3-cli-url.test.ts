import { describe, expect, it } from 'vitest';
import { buildJobs } from '../../bridge/cli/build-jobs';
import { UsageError, parseEndpointUrl } from '../../bridge/cli/endpoint-url';
import { parseMigrateOptions } from '../../bridge/cli/migrate-command';
import { EndpointSchema, describeEndpoint, endpointProtocol } from '../../bridge/engine/endpoint';
import { migrate } from '../../bridge/engine/migrate';
import type { StateStore } from '../../bridge/engine/state-store';
import { job } from '../support/engine-fixtures';

describe('pop3:// and pop3s:// on the command line', () => {
  it('reads pop3:// as STLS on 110 and pop3s:// as TLS on 995, for a source', () => {
    expect(parseEndpointUrl('pop3://pop.example.com', '--source', { allowPop3: true })).toEqual({ protocol: 'pop3', security: 'starttls', host: 'pop.example.com', port: 110, user: undefined });
    expect(parseEndpointUrl('pop3s://zhang.san%40example.com@pop.exmail.qq.com', '--source', { allowPop3: true })).toEqual({
      protocol: 'pop3',
      security: 'tls',
      host: 'pop.exmail.qq.com',
      port: 995,
      user: 'zhang.san@example.com',
    });
    expect(parseEndpointUrl('POP3S://[::1]:1995', '--source', { allowPop3: true })).toMatchObject({ protocol: 'pop3', host: '::1', port: 1995 });
    expect(parseEndpointUrl('imaps://imap.example.com', '--source', { allowPop3: true })).toMatchObject({ protocol: 'imap', port: 993 });
  });

  it.each(['pop3://a@b', 'pop3s://a@b'])('refuses %s where POP3 is not allowed (a target), naming the option', (url) => {
    expect(() => parseEndpointUrl(url, '--target')).toThrow(UsageError);
    expect(() => parseEndpointUrl(url, '--target')).toThrow(/^--target: pop3s?:\/\/ cannot be used here: POP3 can only be a source/);
  });

  it('still refuses other schemes and passwords in the URL', () => {
    expect(() => parseEndpointUrl('pop://a@b', '--source', { allowPop3: true })).toThrow(/unsupported scheme "pop:\/\/"; expected imap:\/\/, imaps:\/\/, pop3:\/\/ or pop3s:\/\//);
    expect(() => parseEndpointUrl('pop3s://u:secret@b', '--source', { allowPop3: true })).toThrow(/do not put a password/);
  });

  it('buildJobs makes a POP3 source endpoint and refuses a POP3 target', async () => {
    process.env.MM_POP3_TEST_PW = 'x';
    const opts = (target: string) =>
      parseMigrateOptions({ source: 'pop3s://alice%40old.example.com@pop.old.example.com', target, sourcePasswordEnv: 'MM_POP3_TEST_PW', targetPasswordEnv: 'MM_POP3_TEST_PW' });
    const [j] = await buildJobs(opts('imaps://bob%40new.example.com@imap.new.example.com'));
    expect(j!.source).toMatchObject({ protocol: 'pop3', security: 'tls', port: 995, user: 'alice@old.example.com' });
    expect(j!.target).toMatchObject({ protocol: 'imap', security: 'tls', port: 993 });
    expect(describeEndpoint(j!.source)).toBe('pop3s://alice%40old.example.com@pop.old.example.com:995');
    await expect(buildJobs(opts('pop3s://bob%40new.example.com@pop.new.example.com'))).rejects.toThrow(/^--target: pop3s:\/\/ cannot be used here/);
    // pop3:// = STLS required, or plaintext with --allow-plaintext, like imap://
    const plain = await buildJobs(parseMigrateOptions({ source: 'pop3://a@h', target: 'imap://b@h', sourcePasswordEnv: 'MM_POP3_TEST_PW', targetPasswordEnv: 'MM_POP3_TEST_PW', allowPlaintext: true }));
    expect(plain[0]!.source).toMatchObject({ protocol: 'pop3', security: 'plain', port: 110 });
    expect(describeEndpoint(plain[0]!.source)).toBe('pop3://a@h:110');
  });
});

describe('Endpoint protocol', () => {
  it('defaults to imap, in the schema and for endpoints built without it', () => {
    const ep = EndpointSchema.parse({ host: 'h', port: 993, security: 'tls', user: 'u', auth: { kind: 'password', password: 'p' } });
    expect(ep.protocol).toBe('imap');
    expect(endpointProtocol({})).toBe('imap');
    expect(describeEndpoint({ ...ep, protocol: undefined })).toBe('imaps://u@h:993');
  });

  it('the dispatcher refuses a POP3 target with CONFIG_INVALID without connecting anywhere', async () => {
    const ep = { host: '127.0.0.1', port: 1, security: 'tls' as const, user: 'u@x', auth: { kind: 'password' as const, password: 'p' }, allowPlaintext: false, insecureTls: false };
    const phases: string[] = [];
    const r = await migrate(job({ ...ep, protocol: 'pop3' }, { ...ep, protocol: 'pop3' }), {} as StateStore, { onProgress: (p) => phases.push(p.phase) });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('CONFIG_INVALID');
    expect(phases).toEqual(['failed']);
  });
});
