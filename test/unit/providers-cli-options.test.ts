/** `test-connection` command line → endpoint and options; usage errors name the option. */
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestConnectionInput, type TestConnectionCliOptions } from '../../bridge/cli/test-connection-command';
import { registerTestConnection } from '../../bridge/cli/test-connection-register';
import { UsageError } from '../../bridge/cli/endpoint-url';

const ENV = 'MAILMOVER_TC_UNIT_PW';
const TOKEN = 'MAILMOVER_TC_UNIT_TOKEN';

function usage(url: string, o: TestConnectionCliOptions): string {
  try {
    buildTestConnectionInput(url, o);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('test-connection options', () => {
  beforeEach(() => {
    process.env[ENV] = 's3cret pw';
    process.env[TOKEN] = 'tok';
  });
  afterEach(() => {
    delete process.env[ENV];
    delete process.env[TOKEN];
  });

  it('imaps:// with the user in the URL and the password from the environment', () => {
    const { endpoint, options } = buildTestConnectionInput('imaps://zhangsan%40corp.example@imap.exmail.qq.com', { passwordEnv: ENV });
    expect(endpoint).toEqual({
      host: 'imap.exmail.qq.com',
      port: 993,
      security: 'tls',
      user: 'zhangsan@corp.example',
      auth: { kind: 'password', password: 's3cret pw' },
      allowPlaintext: false,
      insecureTls: false,
    });
    expect(options).toEqual({ surface: 'cli' });
  });

  it('imap:// is STARTTLS; with --allow-plaintext it is plain, as for migrate', () => {
    expect(buildTestConnectionInput('imap://h', { user: 'u', passwordEnv: ENV }).endpoint.security).toBe('starttls');
    const p = buildTestConnectionInput('imap://h:1143', { user: 'u', passwordEnv: ENV, allowPlaintext: true }).endpoint;
    expect(p).toMatchObject({ security: 'plain', port: 1143, allowPlaintext: true });
  });

  it('admin login, OAuth2, provider, POP3 comparison, timeout, folder limit', () => {
    expect(buildTestConnectionInput('imaps://h', { user: 'u', passwordEnv: ENV, authUser: 'admin', authForm: 'separator' }).endpoint.auth).toEqual({
      kind: 'master',
      adminUser: 'admin',
      password: 's3cret pw',
      form: 'separator',
      separator: '*',
    });
    expect(buildTestConnectionInput('imaps://h', { user: 'u', oauthTokenEnv: TOKEN }).endpoint.auth).toEqual({ kind: 'oauth2', accessToken: 'tok' });
    const { options } = buildTestConnectionInput('imaps://u@h', { passwordEnv: ENV, provider: 'exmail', pop3Port: '995', timeout: '5', maxFolders: '20', detect: false });
    expect(options).toEqual({ surface: 'cli', provider: 'exmail', detect: false, pop3: { port: 995, security: 'tls' }, timeoutMs: 5000, maxFolders: 20 });
    expect(buildTestConnectionInput('imaps://u@h', { passwordEnv: ENV, pop3Port: '110', pop3Host: 'pop.h' }).options.pop3).toEqual({ port: 110, security: 'starttls', host: 'pop.h' });
    expect(buildTestConnectionInput('imaps://u@h', { passwordEnv: ENV, pop3: false }).options.pop3).toBe(false);
  });

  it('--side target tests the new mailbox: its errors and remedies are about that side', () => {
    expect(buildTestConnectionInput('imaps://b@h', { passwordEnv: ENV, side: 'target' }).options).toEqual({ surface: 'cli', side: 'target' });
    expect(buildTestConnectionInput('imaps://b@h', { passwordEnv: ENV, side: 'source' }).options).toEqual({ surface: 'cli' });
  });

  it('pop3s:// tests a POP3 server', () => {
    expect(buildTestConnectionInput('pop3s://u@h', { passwordEnv: ENV }).endpoint).toMatchObject({ protocol: 'pop3', port: 995, security: 'tls' });
  });

  it.each([
    ['imaps://u@h', {}, '--password-env'],
    ['imaps://u@h', { passwordEnv: 'MAILMOVER_TC_UNSET' }, '--password-env'],
    ['imaps://u@h', { passwordEnv: ENV, passwordFile: '/nonexistent' }, '--password'],
    ['imaps://h', { passwordEnv: ENV }, '--user'],
    ['imaps://u@h', { user: 'v', passwordEnv: ENV }, '--user'],
    ['imaps://u@h', { passwordEnv: ENV, oauthTokenEnv: TOKEN }, '--oauth-token-env'],
    ['imaps://u@h', { oauthTokenEnv: TOKEN, authUser: 'admin' }, '--auth-user'],
    ['imaps://u@h', { passwordEnv: ENV, provider: 'nope' }, '--provider'],
    ['imaps://u@h', { passwordEnv: ENV, side: 'new' }, '--side'],
    ['imaps://u@h', { passwordEnv: ENV, timeout: 'soon' }, '--timeout'],
    ['imaps://u@h', { passwordEnv: ENV, maxFolders: '0' }, '--max-folders'],
    ['imaps://u@h', { passwordEnv: ENV, pop3Port: '99999' }, '--pop3-port'],
    ['imaps://u@h', { passwordEnv: ENV, pop3Host: 'p' }, '--pop3-port'],
    ['imaps://u@h', { passwordEnv: ENV, pop3: false, pop3Port: '995' }, '--no-pop3'],
    ['pop3s://u@h', { passwordEnv: ENV, pop3Port: '995' }, '--pop3-port'],
    ['http://u@h', { passwordEnv: ENV }, 'URL'],
    ['imaps://u:pw@h', { passwordEnv: ENV }, 'URL'],
    ['not a url', { passwordEnv: ENV }, 'URL'],
  ] as Array<[string, TestConnectionCliOptions, string]>)('%s %j → usage error naming %s', (url, o, option) => {
    const msg = usage(url, o);
    expect(msg).toContain(option);
    expect(msg).not.toContain('s3cret pw');
  });

  it('registerTestConnection adds the subcommand to a commander program', () => {
    const program = new Command('mailmover-bridge');
    const cmd = registerTestConnection(program);
    expect(program.commands.map((c) => c.name())).toEqual(['test-connection']);
    const flags = cmd.options.map((o) => o.long);
    for (const f of ['--password-env', '--user', '--auth-user', '--allow-plaintext', '--insecure-tls', '--json', '--provider', '--side', '--pop3-port', '--no-pop3', '--no-detect']) {
      expect(flags).toContain(f);
    }
  });
});
