import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSecret } from '../../bridge/cli/secrets';
import { UsageError } from '../../bridge/cli/usage-error';

/**
 * Password files as Windows writes them: Notepad's "UTF-8 with BOM", and Windows PowerShell 5's
 * `echo secret > pw.txt` / Out-File, which write UTF-16LE with a BOM. Read as plain UTF-8 the
 * BOM (or every other byte a NUL) became part of the password, and the login failed as if the
 * password were wrong (repeated failures lock some providers' accounts).
 */
describe('readSecret: password files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes, { mode: 0o600 });
    return p;
  };
  const PW = 'Pässwort-密码-1';

  it('plain UTF-8 with a trailing LF or CRLF', () => {
    expect(readSecret({ file: file('lf', Buffer.from(`${PW}\n`)) }, '--source-password')).toBe(PW);
    expect(readSecret({ file: file('crlf', Buffer.from(`${PW}\r\n`)) }, '--source-password')).toBe(PW);
  });

  it('UTF-8 with a BOM (Notepad): the BOM is not part of the password', () => {
    expect(readSecret({ file: file('bom8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${PW}\r\n`)])) }, '--source-password')).toBe(PW);
  });

  it('UTF-16LE and UTF-16BE with a BOM (PowerShell 5 `echo pw > file`)', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${PW}\r\n`, 'utf16le')]);
    expect(readSecret({ file: file('bom16le', le) }, '--source-password')).toBe(PW);
    const be = Buffer.from(le);
    be.swap16();
    expect(readSecret({ file: file('bom16be', be) }, '--source-password')).toBe(PW);
  });

  it('a file with NUL bytes and no BOM is refused, naming the option, not sent as a password', () => {
    const bare = Buffer.from(`${PW}\r\n`, 'utf16le');
    expect(() => readSecret({ file: file('nul', bare) }, '--target-password')).toThrow(UsageError);
    expect(() => readSecret({ file: file('nul', bare) }, '--target-password')).toThrow(/--target-password-file: .*(NUL|UTF-16)/);
  });

  it('blank lines after the password are not part of it', () => {
    expect(readSecret({ file: file('blank-lf', Buffer.from(`${PW}\n\n`)) }, '--source-password')).toBe(PW);
    expect(readSecret({ file: file('blank-crlf', Buffer.from(`${PW}\r\n\r\n\r\n`)) }, '--source-password')).toBe(PW);
  });

  it('a file with a second line is refused, naming the file and the line count, not sent as a password', () => {
    const two = file('two-lines', Buffer.from(`${PW}\nold-password\n`));
    expect(() => readSecret({ file: two }, '--source-password')).toThrow(UsageError);
    expect(() => readSecret({ file: two }, '--source-password')).toThrow(`--source-password-file: ${two} has 2 lines: put the password alone on its first line`);
    const cr = file('cr-inside', Buffer.from(`${PW}\r${PW}`));
    expect(() => readSecret({ file: cr }, '--target-password')).toThrow(`--target-password-file: ${cr} has 2 lines`);
  });

  it('an environment variable with a line break is refused, naming it', () => {
    process.env.MM_SECRET_TWO_LINES = `${PW}\n`;
    try {
      expect(() => readSecret({ env: 'MM_SECRET_TWO_LINES' }, '--source-password')).toThrow('--source-password-env: environment variable MM_SECRET_TWO_LINES contains a line break');
    } finally {
      delete process.env.MM_SECRET_TWO_LINES;
    }
    process.env.MM_SECRET_ONE_LINE = PW;
    try {
      expect(readSecret({ env: 'MM_SECRET_ONE_LINE' }, '--source-password')).toBe(PW);
    } finally {
      delete process.env.MM_SECRET_ONE_LINE;
    }
  });
});
