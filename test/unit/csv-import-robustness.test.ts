/**
 * Issue 12 #6: a malformed or non-text account file must not stall the bridge. Broken quoting
 * used to make the import re-parse the rest of the file after every error (quadratic: 56 KB took
 * 40–155 s), and a binary file picked by mistake was parsed as text (1.3 MB: 20–27 s), all on the
 * bridge's event loop. Every path that reads an account file (accounts.import, the wizard, the
 * CLI's --accounts) goes through parseAccountsCsv, so each is checked here on the same inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJobs } from '../../bridge/cli/build-jobs';
import { parseMigrateOptions } from '../../bridge/cli/migrate-command';
import { planImport } from '../../bridge/service/account-import';
import { MAX_REPORTED_ERRORS, parseAccountsCsv, type CsvRowError } from '../../shared/csv/accounts-csv';
import { checkImport } from '../../extension/lib/csv-import';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const logins = { source: { kind: 'per-account' as const }, target: { kind: 'per-account' as const } };

/** Deterministic bytes (xorshift32), so a failure can be replayed. */
function randomBytes(n: number, seed = 0x1234567): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * ~56 KB where every data row opens a quote that the next row closes and reopens: each row
 * starts a value that runs on over the following rows, the shape that made the old reader
 * scan to the end of the file once per row.
 */
function brokenQuoting(): { bytes: Uint8Array; dataRows: number } {
  const lines = ['source,target,source_password'];
  for (let i = 0; lines.join('\n').length < 56 * 1024; i++) lines.push(`u${i}@old.example.cn","u${i}@new.example.cn`);
  return { bytes: utf8(lines.join('\n') + '\n'), dataRows: lines.length - 1 };
}

function timed<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  console.log(`${label}: ${(performance.now() - t0).toFixed(0)} ms`);
  return r;
}

/** The first MAX_REPORTED_ERRORS errors by row, then one that says how many more there are. */
function expectCapped(errors: readonly CsvRowError[], total: number): void {
  expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
  const listed = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => e.line);
  expect(listed).toEqual([...listed].sort((a, b) => a - b));
  const last = errors[MAX_REPORTED_ERRORS]!;
  expect(last.message).toContain(`and ${total - MAX_REPORTED_ERRORS} more problem(s)`);
  expect(last.messageZh).toContain(`还有 ${total - MAX_REPORTED_ERRORS} 个问题未列出`);
}

const tmp = mkdtempSync(join(tmpdir(), 'mm-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** buildJobs (the CLI's --accounts) on a file with these bytes: the UsageError's text. */
async function cliError(bytes: Uint8Array): Promise<string> {
  const file = join(tmp, `accounts-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, bytes);
  process.env.MM_CSV_TEST_PW = 'x';
  try {
    await buildJobs(parseMigrateOptions({ source: 'imaps://imap.old.example.cn', target: 'imaps://imap.new.example.cn', accounts: file, sourcePasswordEnv: 'MM_CSV_TEST_PW', targetPasswordEnv: 'MM_CSV_TEST_PW' }));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('buildJobs accepted the file');
}

describe('account files that are broken or not CSV at all', () => {
  it('56 KB of broken quoting: one error per row on its line number, the first 100 listed and the rest counted', () => {
    const { bytes, dataRows } = brokenQuoting();
    expect(bytes.length).toBeGreaterThan(56 * 1024);
    const r = timed('parse 56 KB broken quoting', () => parseAccountsCsv(bytes));
    expect(r.rows).toEqual([]);
    // Rows 2..101 (the header is row 1), each naming the quote left open.
    expect(r.errors.slice(0, MAX_REPORTED_ERRORS).map((e) => e.line)).toEqual(Array.from({ length: MAX_REPORTED_ERRORS }, (_, i) => i + 2));
    for (const e of r.errors.slice(0, MAX_REPORTED_ERRORS)) expect(e.message).toMatch(/never closed/);
    expectCapped(r.errors, dataRows);
  });

  it('the same file through accounts.import, the wizard and the CLI gives the same list', async () => {
    const { bytes, dataRows } = brokenQuoting();
    const bridge = timed('planImport', () => planImport(bytes, 'self-service', logins));
    expect(bridge.rows).toEqual([]);
    expectCapped(bridge.errors, dataRows);
    const wizard = timed('checkImport', () => checkImport('i1', 'a.csv', bytes, { mode: 'self-service', sourceAdmin: false, targetAdmin: false }));
    expect(wizard.errors).toEqual(bridge.errors);
    const cli = await cliError(bytes);
    expect(cli).toContain('line 2: A quoted value is never closed');
    expect(cli).toContain(`and ${dataRows - MAX_REPORTED_ERRORS} more problem(s)`);
    expect(cli.split('\n').length).toBeLessThan(MAX_REPORTED_ERRORS + 5);
  });

  it('1.3 MB of random binary is refused at once with one message saying it is not text', async () => {
    const bytes = randomBytes(1.3 * 1024 * 1024);
    const r = timed('parse 1.3 MB binary', () => parseAccountsCsv(bytes));
    expect(r.rows).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 1 });
    expect(r.errors[0]!.message).toMatch(/not a text file/);
    expect(r.errors[0]!.messageZh).toMatch(/不是文本文件/);
    expect(planImport(bytes, 'admin-with-passwords', logins).errors).toEqual(r.errors);
    expect(checkImport('i1', 'x.bin', bytes, { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false }).errors).toEqual(r.errors);
    expect(await cliError(bytes)).toMatch(/not a text file/);
  });

  it('binary without NUL bytes (control characters throughout) is refused too', () => {
    const bytes = randomBytes(200_000, 99).map((b) => (b === 0 ? 1 : b));
    expect(bytes.indexOf(0)).toBe(-1);
    const r = parseAccountsCsv(bytes);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/not a text file/);
  });

  it('an .xlsx workbook (ZIP: PK\\x03\\x04) is recognised and the user told to save it as CSV', async () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...randomBytes(300_000, 7)]);
    const r = parseAccountsCsv(bytes);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/looks like an Excel \.xlsx/);
    expect(r.errors[0]!.message).toMatch(/Save As.*CSV/);
    expect(r.errors[0]!.messageZh).toMatch(/xlsx/);
    expect(await cliError(bytes)).toMatch(/looks like an Excel \.xlsx/);
  });

  it('1.3 MB of random printable text with quotes, commas and line breaks finishes with a capped, line-numbered list', () => {
    const alphabet = 'ab@.,"\n "x,\n';
    const bytes = randomBytes(1.3 * 1024 * 1024, 4242).map((b) => alphabet.charCodeAt(b % alphabet.length));
    const text = 'source,target\n' + new TextDecoder().decode(bytes);
    const r = timed('parse 1.3 MB random text', () => parseAccountsCsv(utf8(text)));
    expect(r.errors.length).toBe(MAX_REPORTED_ERRORS + 1);
    expect(r.errors[MAX_REPORTED_ERRORS]!.message).toMatch(/more problem\(s\)/);
    for (const e of r.errors) expect(e.line).toBeGreaterThan(1);
  });

  it('a file with a few errors lists them all, with no "more" line', () => {
    const rows = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `bad${i}@old,x@new.cn` : `u${i}@old.cn,u${i}@new.cn`));
    const r = parseAccountsCsv(utf8(['source,target', ...rows].join('\n')));
    expect(r.errors.map((e) => e.line)).toEqual(Array.from({ length: 10 }, (_, i) => 2 + i * 3));
    expect(r.errors.some((e) => /more problem/.test(e.message))).toBe(false);
  });
});
