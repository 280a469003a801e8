/**
 * What the bundle leaves out (bridge/cli/bundle-trims.mjs) still works when it is used: a
 * small program importing the same packages the way imapflow and libmime do, built with
 * the bundle's own plugin and options, run by node.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-runner';

interface Trims {
  ON_FIRST_USE: Record<string, string[]>;
  trims: unknown;
}

/** The inlined packages' modules that import the on-first-use packages. */
const IMPORTER_DIRS = ['imapflow/dist/esm', 'imapflow/dist/esm/handler', 'libmime/dist/esm'];

/** Where the packages are found; the program sits in a package of its own, as imapflow's code does. */
const LINKED = ['socks', '@zone-eu', 'encoding-japanese', 'pino', 'iconv-lite', 'zod', 'libmime', 'libqp', 'libbase64', 'imapflow'];

/**
 * FETCH responses as servers send them, each read by imapflow's parser and its
 * formatMessageResponse (what the engine's fetches return), printed as JSON.
 */
const FETCH_PROGRAM = `
import { parser } from 'imapflow/lib/handler/imap-handler.js';
import { formatMessageResponse } from 'imapflow/lib/tools.js';
const responses = [
  ['* 3 FETCH (UID 7 FLAGS (\\\\Seen $Forwarded) RFC822.SIZE 12 INTERNALDATE "01-Jan-2025 00:00:00 +0000" MODSEQ (42) BODY[] {12}\\r\\n)', ['Hello world!']],
  ['* 4 FETCH (UID 8 BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)] {29}\\r\\n FLAGS ())', ['Message-ID: <a@b>\\r\\nSubject: x\\r\\n']],
  ['* 5 FETCH (UID 9 BODY[]<0> {5}\\r\\n BINARY[] {3}\\r\\n)', ['Hello', 'abc']],
  ['* 6 FETCH (UID 10 EMAILID (M123) THREADID (T9) X-GM-MSGID 99 BODY[TEXT] {4}\\r\\n)', ['body']],
  ['* 7 FETCH (uid 11 flags (\\\\Answered) rfc822.size 4 body[1.MIME] {2}\\r\\n)', ['ok']],
];
(async () => {
  const out = [];
  for (const [line, literals] of responses) {
    const parsed = await parser(Buffer.from(line), { literals: literals.map((l) => Buffer.from(l)) });
    const message = await formatMessageResponse(parsed, {}, 'md5');
    const origins = message.partialOrigins ? [...message.partialOrigins] : null;
    out.push(JSON.stringify({ message, origins }, (k, v) => (typeof v === 'bigint' ? 'bigint:' + v : v instanceof Set ? [...v] : v instanceof Map ? Object.fromEntries(v) : v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v)));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

const PROGRAM = `
import { createRequire } from 'node:module';
import { Transform } from 'node:stream';
import { SocksClient } from 'socks';
import { Headers } from '@zone-eu/mailsplit';
import FlowedDecoder from '@zone-eu/mailsplit/lib/flowed-decoder.js';
import encodingJapanese from 'encoding-japanese';
import pino from 'pino';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { z } from 'zod';

const cache = createRequire(import.meta.url).cache;
const loaded = (name) => Object.keys(cache).some((p) => p.includes('/node_modules/' + name + '/'));
const report = {};
report.loadedAtStart = ['socks', '@zone-eu/mailsplit', 'encoding-japanese', 'pino'].filter(loaded);
report.tablesAtStart = Object.keys(cache).filter((p) => p.includes('/iconv-lite/encodings/tables/')).length;
report.socks = typeof SocksClient.createConnection;
report.header = new Headers(Buffer.from('Subject: hello\\r\\nX-A: 1\\r\\n\\r\\n')).getFirst('subject');
const flowed = new FlowedDecoder({ delSp: true });
report.flowedIsTransform = flowed instanceof Transform;
const subclass = () => { class Reflowed extends FlowedDecoder { kind() { return 'mine'; } } return new Reflowed({}); };
report.subclassed = (() => { const r = subclass(); return [r instanceof Transform, r.kind()]; })();
report.socksNested = SocksClient.nested === true;
report.japanese = encodingJapanese.convert([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42], { to: 'UNICODE', from: 'JIS', type: 'string' });
report.pino = typeof pino({ enabled: false }).info;
report.big5 = iconv.decode(Buffer.from([0xa4, 0xa4, 0xa4, 0xe5]), 'big5');
report.dbcsDecoderShared = iconv.getCodec('gbk').decoder === iconv.encodings._dbcs.prototype.decoder && iconv.getCodec('big5').decoder === iconv.getCodec('gbk').decoder;
report.gbk = iconv.decode(Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), 'gbk');
report.shiftJis = iconv.decode(Buffer.from([0x93, 0xfa, 0x96, 0x7b]), 'shift_jis');
report.tablesAfter = Object.keys(cache).filter((p) => p.includes('/iconv-lite/encodings/tables/')).length;
report.libmimeGbk = libmime.decodeWords('=?GBK?B?1tDOxA==?= =?GB2312?Q?=D6=D0?=');
report.libmimeJapanese = libmime.decodeWords('=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=');
report.zodMessage = z.string().safeParse(1).error.issues[0].message;
report.zodLocales = Object.keys(z.locales);
report.loadedAtEnd = ['socks', '@zone-eu/mailsplit', 'encoding-japanese', 'pino'].filter(loaded);
process.stdout.write(JSON.stringify(report));
`;

describe('bundle-trims: packages loaded on first use, code tables and locales left out', () => {
  let dir: string;
  let bundled: string;
  let report: Record<string, unknown>;
  let onFirstUse: Record<string, string[]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-trims-'));
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, 'consumer'), { recursive: true });
    for (const name of LINKED) symlinkSync(join(REPO_ROOT, 'node_modules', name), join(modules, name));
    // The consumer's own copy of socks, as imapflow has its own pino: the stand-in must load this one.
    const ownSocks = join(modules, 'consumer', 'node_modules', 'socks');
    mkdirSync(ownSocks, { recursive: true });
    writeFileSync(join(ownSocks, 'package.json'), JSON.stringify({ name: 'socks', version: '0.0.0-own', main: 'index.js' }));
    writeFileSync(join(ownSocks, 'index.js'), 'exports.SocksClient = { nested: true, createConnection() {} };');
    writeFileSync(join(modules, 'consumer', 'program.mjs'), PROGRAM);
    writeFileSync(join(modules, 'consumer', 'fetch.mjs'), FETCH_PROGRAM);
    const { trims, ON_FIRST_USE } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle-trims.mjs'))) as Trims;
    onFirstUse = ON_FIRST_USE;
    const { BUILD_OPTIONS } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs'))) as { BUILD_OPTIONS: object };
    const esbuild = await import('esbuild');
    await esbuild.build({
      ...BUILD_OPTIONS,
      entryPoints: [join(modules, 'consumer', 'program.mjs'), join(modules, 'consumer', 'fetch.mjs')],
      plugins: [trims as never],
      outdir: join(dir, 'out'),
      logLevel: 'silent',
    });
    bundled = readFileSync(join(dir, 'out', 'program.js'), 'utf8');
    const r = spawnSync(process.execPath, [join(dir, 'out', 'program.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    report = JSON.parse(r.stdout) as Record<string, unknown>;
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the on-first-use packages, the code tables and the other locales out of the built code', () => {
    for (const inlined of ['node_modules/socks/', 'node_modules/@zone-eu/mailsplit/', 'node_modules/encoding-japanese/', 'node_modules/pino/', 'zod/v4/locales/fr.js', 'zod/v4/locales/zh-CN.js']) {
      expect(bundled, inlined).not.toContain(`// ${inlined}`);
    }
    expect(bundled).toContain('// node_modules/zod/v4/locales/en.js');
    expect(bundled).toMatch(/require\("\.\.\/[^"]*iconv-lite\/encodings\/tables\/cp950\.json"\)/);
    expect(bundled.length).toBeLessThan(1_000_000);
  });

  it('loads none of them before it is used', () => {
    expect(report.loadedAtStart).toEqual([]);
    expect(report.tablesAtStart).toBe(0);
  });

  it('each one works as itself once used: named exports, classes, functions, objects', () => {
    expect(report.socks).toBe('function');
    expect(report.subclassed).toEqual([true, 'mine']);
    expect(report.header).toBe('hello');
    expect(report.flowedIsTransform).toBe(true);
    expect(report.japanese).toBe('日本');
    expect(report.pino).toBe('function');
    expect(report.loadedAtEnd).toEqual(['socks', '@zone-eu/mailsplit', 'encoding-japanese', 'pino']);
  });

  it("loads the copy node finds from the importing package, not the project's top-level one", () => {
    expect(report.socksNested).toBe(true);
    expect(bundled).toMatch(/require\("\.\.\/node_modules\/consumer\/node_modules\/socks\/index\.js"\)/);
  });

  it('names every export its importers take from each on-first-use package', () => {
    for (const [spec, names] of Object.entries(onFirstUse)) {
      const imported = new Set<string>();
      for (const dir of IMPORTER_DIRS) {
        for (const file of readdirSync(join(REPO_ROOT, 'node_modules', dir)).filter((f) => f.endsWith('.js'))) {
          const source = readFileSync(join(REPO_ROOT, 'node_modules', dir, file), 'utf8');
          const quoted = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
          for (const m of source.matchAll(new RegExp(`import\\s*(?:\\w+\\s*,\\s*)?\\{([^}]*)\\}\\s*from\\s*['"]${quoted}['"]`, 'g'))) {
            for (const part of m[1]!.split(',')) {
              const name = part.trim().split(/\s+as\s+/)[0]!.trim();
              if (name) imported.add(name);
            }
          }
        }
      }
      expect([...imported].filter((name) => !names.includes(name)), spec).toEqual([]);
    }
    expect(onFirstUse.socks).toContain('SocksClient');
  });

  it('reads the code tables from node_modules when a charset needs them', () => {
    expect(report.big5).toBe('中文');
    expect(report.gbk).toBe('中文');
    expect(report.shiftJis).toBe('日本');
    expect(report.tablesAfter).toBeGreaterThanOrEqual(3);
  });

  it("libmime loads without building the GBK codec, and still decodes double-byte and Japanese words", () => {
    // the class libmime keeps is the one every double-byte codec of this iconv-lite shares
    expect(report.dbcsDecoderShared).toBe(true);
    expect(bundled).toMatch(/\.encodings\._dbcs\.prototype\.decoder/);
    expect(report.tablesAtStart).toBe(0);
    expect(report.libmimeGbk).toBe('中文中');
    expect(report.libmimeJapanese).toBe('日本');
  });

  it('names the items of FETCH responses as imapflow itself does (bundled against unbundled)', () => {
    const bundledFetch = readFileSync(join(dir, 'out', 'fetch.js'), 'utf8');
    expect(bundledFetch).toContain('mailmoverFetchKey(attribute) ??');
    const viaBundle = spawnSync(process.execPath, [join(dir, 'out', 'fetch.js')], { encoding: 'utf8', timeout: 60_000 });
    const viaImapflow = spawnSync(process.execPath, [join(dir, 'node_modules', 'consumer', 'fetch.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(viaBundle.status, viaBundle.stderr).toBe(0);
    expect(viaImapflow.status, viaImapflow.stderr).toBe(0);
    const messages = JSON.parse(viaImapflow.stdout) as string[];
    expect(messages).toHaveLength(5);
    expect(JSON.parse(messages[0]!)).toMatchObject({ message: { uid: 7, flags: ['\\Seen', '$Forwarded'], size: 12, modseq: 'bigint:42', source: 'Hello world!' } });
    expect(JSON.parse(messages[1]!)).toMatchObject({ message: { uid: 8, headers: 'Message-ID: <a@b>\r\nSubject: x\r\n' } });
    expect(JSON.parse(messages[3]!)).toMatchObject({ message: { bodyParts: { text: 'body' } } });
    expect(JSON.parse(messages[4]!)).toMatchObject({ message: { bodyParts: { '1.mime': 'ok' } } });
    expect(JSON.parse(viaBundle.stdout)).toEqual(messages);
  });

  it("keeps zod's English messages, and only them", () => {
    expect(report.zodMessage).toMatch(/expected string, received number/);
    expect(report.zodLocales).toEqual(['en']);
  });
});
