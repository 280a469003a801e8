import { describe, expect, it } from 'vitest';
import { NON_SYNC_LITERAL_MAX, appendGroups, formatImapDate, parseUidSet } from '../../bridge/engine/append-batch';
import { ByteBudget } from '../../bridge/engine/byte-budget';
import { MigrationError, classifyError } from '../../bridge/engine/errors';
import { FingerprintIndex, fingerprint } from '../../bridge/engine/fingerprint';
import { flagsForAppend, isDeleted } from '../../bridge/engine/flags';
import { ProgressTracker } from '../../bridge/engine/progress';
import { FORBIDDEN_SOURCE_COMMANDS, guardReadOnly } from '../../bridge/engine/read-only-guard';
import type { AccountProgress } from '../../shared/migration';
import type { ImapFlow } from 'imapflow';

const ctx = { side: 'source' as const, account: 'a@x.com', host: 'imap.x.com', port: 993 };

describe('parseUidSet', () => {
  it('expands ranges and lists in order', () => {
    expect(parseUidSet('7')).toEqual([7]);
    expect(parseUidSet('7,9:11')).toEqual([7, 9, 10, 11]);
    expect(parseUidSet('11:9')).toEqual([9, 10, 11]);
  });
  it('rejects garbage', () => {
    expect(parseUidSet('7,x')).toBeNull();
    expect(parseUidSet('')).toBeNull();
  });
});

describe('appendGroups', () => {
  const item = (name: string, size: number) => ({ name, raw: Buffer.alloc(size), flags: [], internalDate: new Date(0) });
  it('keeps the order and puts each message over the non-sync limit in a command of its own', () => {
    const big = NON_SYNC_LITERAL_MAX + 1;
    const groups = appendGroups([item('a', 10), item('b', 20), item('B', big), item('C', big), item('c', NON_SYNC_LITERAL_MAX), item('d', 1)]);
    expect(groups.map((g) => g.map((i) => i.name).join(''))).toEqual(['ab', 'B', 'C', 'cd']);
  });
  it('puts a message named to go alone in a command of its own, whatever its size, in its place', () => {
    const groups = appendGroups([item('a', 10), item('b', 20), item('x', 30), item('c', 5), item('d', 1)], true, (i) => i === 2);
    expect(groups.map((g) => g.map((i) => i.name).join(''))).toEqual(['ab', 'x', 'cd']);
  });
  it('gives no group for no messages', () => {
    expect(appendGroups([])).toEqual([]);
    // Without MULTIAPPEND a group must still be all-or-nothing on the server: one message each.
    expect(appendGroups([item('a', 10), item('b', 20)], false).map((g) => g.length)).toEqual([1, 1]);
  });
});

describe('formatImapDate', () => {
  it('writes RFC 3501 date-time in UTC', () => {
    expect(formatImapDate(new Date('2019-03-04T05:06:07Z'))).toBe('04-Mar-2019 05:06:07 +0000');
  });
});

describe('fingerprint', () => {
  const h = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));
  it('ignores header order, folding and case of names', () => {
    const a = fingerprint(h('Message-ID: <1@x>\nSubject: hello\n world\nFrom: a@x\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n'), 100);
    const b = fingerprint(h('from: a@x\nDATE: Mon, 1 Jan 2024 00:00:00 +0000\nsubject: hello world\nMessage-Id: <1@x>\n'), 100);
    expect(a).toBe(b);
  });
  it('differs by size and by any field', () => {
    const base = h('Message-ID: <1@x>\nSubject: s\n');
    expect(fingerprint(base, 100)).not.toBe(fingerprint(base, 101));
    expect(fingerprint(base, 100)).not.toBe(fingerprint(h('Message-ID: <2@x>\nSubject: s\n'), 100));
  });
  it('works without headers (malformed messages)', () => {
    expect(fingerprint(undefined, 5)).toMatch(/^[0-9a-f]{32}$/);
  });
  it('FingerprintIndex counts occurrences and hands out each target UID once', () => {
    const idx = new FingerprintIndex();
    idx.add('f', 10);
    idx.add('f', 11);
    expect(idx.size).toBe(2);
    expect(idx.take('f')).toBe(10);
    expect(idx.take('f')).toBe(11);
    expect(idx.take('f')).toBeUndefined();
  });
});

describe('flagsForAppend', () => {
  it('keeps system flags and valid keywords, never \\Recent', () => {
    expect(flagsForAppend(['\\Seen', '\\Recent', '$Forwarded', 'Work', 'bad keyword', 'a(b'], 'copy')).toEqual(['\\Seen', '$Forwarded', 'Work']);
  });
  it('applies the \\Deleted policy', () => {
    expect(flagsForAppend(['\\Deleted', '\\Seen'], 'copy')).toEqual(['\\Deleted', '\\Seen']);
    expect(flagsForAppend(['\\Deleted', '\\Seen'], 'undelete')).toEqual(['\\Seen']);
    expect(isDeleted(['\\deleted'])).toBe(true);
  });
});

describe('classifyError', () => {
  it('maps imapflow and socket errors to codes with actionable text', () => {
    expect(classifyError({ authenticationFailed: true, responseText: 'Authentication failed.' }, ctx).code).toBe('AUTH_FAILED');
    expect(classifyError({ code: 'ECONNREFUSED' }, ctx).code).toBe('CONNECT_FAILED');
    expect(classifyError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, ctx).code).toBe('TLS_FAILED');
    expect(classifyError({ code: 'ETIMEDOUT' }, ctx).code).toBe('TIMEOUT');
    expect(classifyError({ serverResponseCode: 'OVERQUOTA', responseText: 'Quota exceeded' }, ctx).code).toBe('QUOTA_EXCEEDED');
    expect(classifyError({ authenticationFailed: true, responseText: 'IMAP service is disabled for this account' }, ctx).code).toBe('IMAP_DISABLED');
    expect(classifyError({ responseText: 'Too many connections from your IP' }, ctx).code).toBe('THROTTLED');
    const auth = classifyError({ authenticationFailed: true }, ctx);
    expect(auth.message).toContain('a@x.com');
    expect(auth.transient).toBe(false);
  });
  it('a certificate it cannot verify: says how to accept it in words for the extension and the command line alike, no flag', () => {
    const self = classifyError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, ctx).message;
    expect(self).toContain('If you trust this server, choose to accept a self-signed certificate for it.');
    expect(self).toContain("The connection test shows the certificate's SHA-256 fingerprint");
    expect(self).not.toContain('--');
    const name = classifyError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, ctx).message;
    expect(name).toContain('Use the server name the certificate was issued for.');
    // A port that does not speak TLS is not helped by accepting a certificate.
    const port = classifyError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, ctx);
    expect(port.code).toBe('TLS_FAILED');
    expect(port.message).not.toMatch(/self-signed/);
    expect(port.message).toContain('The port does not speak TLS from the start: use imap:// (STARTTLS) for port 143, imaps:// for 993.');
    // Any other TLS failure without a certificate in it: the general advice.
    const other = classifyError({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', message: 'sslv3 alert handshake failure' }, ctx);
    expect(other.message).toContain('Check that the port and the security setting');
  });
  it("a certificate not valid yet points at this computer's clock, not at accepting it; an expired one at its renewal", () => {
    const early = classifyError({ code: 'CERT_NOT_YET_VALID', message: 'certificate is not yet valid' }, ctx);
    expect(early.code).toBe('TLS_FAILED');
    expect(early.message).toContain("check this computer's date and time first");
    expect(early.message).not.toContain('accept a self-signed');
    const expired = classifyError({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, ctx).message;
    expect(expired).toContain('its administrator has to renew it');
  });
  it('keeps an existing MigrationError', () => {
    const e = new MigrationError('SOURCE_CHANGED', 'x');
    expect(classifyError(e, ctx)).toBe(e);
  });
});

describe('read-only guard', () => {
  it('blocks every mailbox-changing command on the source', async () => {
    const sent: string[] = [];
    const fake = { exec: async (command: string) => { sent.push(command); return {}; } } as unknown as ImapFlow;
    guardReadOnly(fake);
    const exec = (fake as unknown as { exec: (c: string) => Promise<unknown> }).exec;
    for (const cmd of FORBIDDEN_SOURCE_COMMANDS) {
      await expect(exec(cmd)).rejects.toThrow(/never modified/);
    }
    await exec('EXAMINE');
    await exec('UID FETCH');
    expect(sent).toEqual(['EXAMINE', 'UID FETCH']);
    for (const cmd of ['SELECT', 'STORE', 'EXPUNGE', 'APPEND', 'CREATE', 'DELETE']) expect(FORBIDDEN_SOURCE_COMMANDS.has(cmd)).toBe(true);
  });
});

describe('ByteBudget', () => {
  it('bounds bytes in flight and lets one oversized item through alone', async () => {
    const budget = new ByteBudget(100);
    const r1 = await budget.acquire(60);
    let second = false;
    const p = budget.acquire(60).then((r) => { second = true; return r; });
    await Promise.resolve();
    expect(second).toBe(false);
    r1();
    const r2 = await p;
    expect(second).toBe(true);
    r2();
    const big = await budget.acquire(1_000);
    big();
  });

  it('widens up to its ceiling, wakes waiters at once, and narrows back', async () => {
    const budget = new ByteBudget(100, 150);
    const r1 = await budget.acquire(100);
    let second = false;
    const p = budget.acquire(40).then((r) => { second = true; return r; });
    await Promise.resolve();
    expect(second).toBe(false);
    // Asked for 80, given the 50 the ceiling leaves: enough for the waiter of 40.
    const narrow = budget.widen(80);
    const r2 = await p;
    expect(second).toBe(true);
    let third = false;
    const q = budget.acquire(20).then((r) => { third = true; return r; });
    await Promise.resolve();
    expect(third).toBe(false); // 10 left of the widened 150
    narrow();
    r1();
    // 100 back, but the capacity is 100 again and 40 are still out: 60 free, 20 fits.
    const r3 = await q;
    expect(third).toBe(true);
    let fourth = false;
    const s = budget.acquire(50).then((r) => { fourth = true; return r; });
    await Promise.resolve();
    expect(fourth).toBe(false); // 40 free
    r2();
    (await s)();
    r3();
    expect(fourth).toBe(true);
  });

  it('lets an item that was oversized only for the widened budget through after narrowing', async () => {
    const budget = new ByteBudget(100);
    const narrow = budget.widen(100);
    const r1 = await budget.acquire(150);
    let second = false;
    const p = budget.acquire(180).then((r) => { second = true; return r; });
    await Promise.resolve();
    expect(second).toBe(false);
    narrow();
    r1();
    // 180 is over the narrowed capacity of 100: it goes through alone, charged the whole budget.
    (await p)();
    expect(second).toBe(true);
    const r3 = await budget.acquire(100);
    r3();
  });
});

describe('ProgressTracker', () => {
  it('emits at a bounded rate, but always on phase changes', () => {
    let now = 0;
    const seen: AccountProgress[] = [];
    const t = new ProgressTracker('acct', (p) => seen.push(p), 250, () => now);
    t.setPhase('copying');
    for (let i = 0; i < 100; i++) {
      now += 10;
      t.tick();
    }
    // 1000 ms of ticks every 10 ms at most every 250 ms: the phase event + 4.
    expect(seen.length).toBe(5);
    t.setPhase('done');
    expect(seen.at(-1)!.phase).toBe('done');
  });
});

describe('restoresNuls', async () => {
  const { restoresNuls } = await import('../../bridge/engine/nul-bytes');
  it('accepts BINARY[] that only turns 0x80 back into NUL', () => {
    expect(restoresNuls(Buffer.from([1, 0x80, 2]), Buffer.from([1, 0, 2]))).toBe(true);
  });
  it('rejects anything else: no change, other differences, other length', () => {
    expect(restoresNuls(Buffer.from([1, 0x80]), Buffer.from([1, 0x80]))).toBe(false);
    expect(restoresNuls(Buffer.from([1, 0x80]), Buffer.from([2, 0]))).toBe(false);
    expect(restoresNuls(Buffer.from([1, 0x80]), Buffer.from([1, 0, 0]))).toBe(false);
  });
});

describe('mayHideNuls: which bodies are fetched again as BINARY[]', async () => {
  const { mayHideNuls } = await import('../../bridge/engine/nul-bytes');
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  it('not UTF-8 text whose characters hold 0x80 bytes, nor a body without 0x80', () => {
    expect(mayHideNuls(Buffer.from('Subject: 一\r\n\r\n一二三 Ā ̀ 𐀀\r\n', 'utf8'))).toBe(false);
    expect(mayHideNuls(Buffer.from('plain ASCII, é and 中文 without that byte', 'utf8'))).toBe(false);
  });
  it('a 0x80 where a NUL was: after ASCII, at the start, in a run, after a whole character', () => {
    expect(mayHideNuls(bytes('before', [0x80], 'after'))).toBe(true);
    expect(mayHideNuls(bytes([0x80], 'x'))).toBe(true);
    expect(mayHideNuls(bytes('a', [0x80, 0x80, 0x80]))).toBe(true);
    expect(mayHideNuls(Buffer.concat([Buffer.from('一', 'utf8'), Buffer.from([0x80])]))).toBe(true);
    expect(mayHideNuls(Buffer.concat([Buffer.from('é', 'utf8'), Buffer.from([0x80])]))).toBe(true);
  });
  it('a 0x80 that is not well-formed UTF-8: cut-off sequence, overlong or out-of-range second byte, other charsets', () => {
    expect(mayHideNuls(bytes([0xe4, 0x80], 'A'))).toBe(true);
    expect(mayHideNuls(bytes([0xe0, 0x80, 0x80]))).toBe(true);
    expect(mayHideNuls(bytes([0xf0, 0x80, 0x80, 0x80]))).toBe(true);
    expect(mayHideNuls(bytes([0xc0, 0x80]))).toBe(true);
    expect(mayHideNuls(bytes('price ', [0x80], '5'))).toBe(true); // windows-1252 euro sign
    expect(mayHideNuls(bytes([0x81, 0x80]))).toBe(true); // GBK
  });
});

describe('classifyError: connection limits and DNS', () => {
  it("Dovecot's per-user connection limit is THROTTLED, not a wrong password", () => {
    const e = classifyError({ authenticationFailed: true, serverResponseCode: 'UNAVAILABLE', responseText: 'Maximum number of connections from user+IP exceeded (mail_max_userip_connections=2)' }, ctx);
    expect(e.code).toBe('THROTTLED');
    expect(e.transient).toBe(true);
  });
  it('an unknown host name is DNS_FAILED', () => {
    expect(classifyError({ code: 'ENOTFOUND' }, ctx).code).toBe('DNS_FAILED');
  });
});

describe('suggestedBackoffMs', async () => {
  const { suggestedBackoffMs } = await import('../../bridge/engine/retry-passes');
  it("reads Microsoft 365's suggested back-off", () => {
    expect(suggestedBackoffMs('Request is throttled. Suggested Backoff Time: 5000 milliseconds')).toBe(5000);
    expect(suggestedBackoffMs('Suggested Backoff Time: 3 seconds')).toBe(3000);
    expect(suggestedBackoffMs('NO [LIMIT] too many')).toBe(0);
  });
});

describe('retryPasses', async () => {
  const { EventEmitter } = await import('node:events');
  const listeners = (signal: AbortSignal): number => EventEmitter.getEventListeners(signal, 'abort').length;
  const { EndpointSchema } = await import('../../bridge/engine/endpoint');
  const { retryPasses } = await import('../../bridge/engine/retry-passes');
  const { ProgressTracker } = await import('../../bridge/engine/progress');
  const { MigrationOptionsSchema } = await import('../../shared/migration');
  const ep = EndpointSchema.parse({ host: 'imap.example.com', port: 993, security: 'tls', user: 'a@example.com', auth: { kind: 'password', password: 'x' } });

  it('leaves no listener on the run-wide stop signal behind after its back-offs', async () => {
    const stop = new AbortController();
    const job = { source: ep, target: ep, options: MigrationOptionsSchema.parse({ maxAttempts: 5, retryBaseMs: 0 }) };
    let passes = 0;
    const error = await retryPasses(job, new ProgressTracker('a', undefined), { signal: stop.signal }, async () => {
      passes++;
      throw Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' });
    }, () => undefined);
    expect(passes).toBe(5);
    expect(error?.transient).toBe(true);
    // Each of the 4 back-offs added one, and none was removed, before.
    expect(listeners(stop.signal)).toBe(0);
  });

  it('a stop during a back-off ends the wait at once', async () => {
    const stop = new AbortController();
    const job = { source: ep, target: ep, options: MigrationOptionsSchema.parse({ maxAttempts: 5, retryBaseMs: 60_000 }) };
    let passes = 0;
    const ended = retryPasses(job, new ProgressTracker('a', undefined), { signal: stop.signal }, async () => {
      passes++;
      throw Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' });
    }, () => undefined);
    setTimeout(() => stop.abort(), 50);
    // Without the stop the back-off would outlast the test's timeout.
    const error = await ended;
    expect(passes).toBe(2);
    expect(error?.code).not.toBe(undefined);
    expect(listeners(stop.signal)).toBe(0);
  });
});
