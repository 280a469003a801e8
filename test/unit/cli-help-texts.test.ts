import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli-runner';

/** `--help` as a person reads it: what the commands do, in words that match what they take. */
async function help(command?: string): Promise<string> {
  const r = command === undefined ? await runCliInProcess([], { command: '--help' }) : await runCliInProcess(['--help'], { command });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** A subcommand's line in the "Commands:" list of its parent's help, joined with its wrapped lines. */
function commandLine(text: string, name: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^  ${name}( \\[options\\]| <|\\s)`).test(l));
  expect(i, `${name} in\n${text}`).toBeGreaterThanOrEqual(0);
  const out = [lines[i]!];
  // Wrapped lines of its description are indented further than the command names.
  for (const l of lines.slice(i + 1)) {
    if (!/^ {6,}\S/.test(l)) break;
    out.push(l);
  }
  return out.join(' ');
}

describe('--help texts', () => {
  it('the top-level help says migrate copies from an IMAP or POP3 source', async () => {
    const top = await help();
    expect(commandLine(top, 'migrate')).toMatch(/POP3/);
    expect(await help('migrate')).toMatch(/from a source IMAP or POP3 server/);
  });

  it('every service and tokens subcommand has a description', async () => {
    const service = await help('service');
    for (const sub of ['install', 'uninstall', 'status']) {
      const line = commandLine(service, sub);
      // "  install [options]   <description>": something after the usage.
      expect(line.replace(/^\s*\S+( \[options\])?( \[id\])?/, '').trim(), `${sub}: ${line}`).toMatch(/\w{3,}/);
    }
    const tokens = await help('tokens');
    for (const sub of ['list', 'revoke']) {
      const line = commandLine(tokens, sub);
      expect(line.replace(/^\s*\S+( \[options\])?( \[id\])?/, '').trim(), `${sub}: ${line}`).toMatch(/\w{3,}/);
    }
  });

  it('migrate --help names all four Chinese CSV headers, the target password one included', async () => {
    const text = (await help('migrate')).replace(/\s+/g, ' ');
    for (const h of ['待搬家账号', '搬家账号', '待搬家账号密码', '搬家账号密码']) expect(text).toContain(h);
    expect(text).toMatch(/搬家账号密码\)/);
  });

  it('migrate and verify offer per-side certificate options; --insecure-tls says it turns the check off on both sides', async () => {
    for (const command of ['migrate', 'verify']) {
      const text = (await help(command)).replace(/\s+/g, ' ');
      for (const o of ['--source-ca <file>', '--target-ca <file>', '--source-insecure-tls', '--target-insecure-tls', '--insecure-tls']) expect(text, command).toContain(o);
      expect(text).toMatch(/--insecure-tls do not check the TLS certificates of either server/);
      expect(text).not.toMatch(/accept self-signed or otherwise unverifiable/);
    }
    const tc = (await help('test-connection')).replace(/\s+/g, ' ');
    expect(tc).toContain('--ca <file>');
    expect(tc).toMatch(/--insecure-tls do not check the certificate/);
  });
});
