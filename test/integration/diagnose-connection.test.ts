/**
 * The connection test (bridge/diagnose/test-connection.ts) against real Dovecot 2.3 servers.
 *
 * Findings asserted here: Dovecot 2.3.19 advertises STATUS=SIZE (RFC 8438; SIZE is the sum of the
 * messages' RFC822.SIZE, CRLF line ends counted); QUOTA is advertised only with the imap_quota
 * plugin, and GETQUOTAROOT INBOX then names the root only when a quota rule sets a limit
 * ("OK No quota" otherwise); STORAGE is reported in KiB on the wire.
 */
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnection } from '../../bridge/diagnose/test-connection';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { errorMessage } from '../../shared/errors';
import { ConnectionReportSchema, type ConnectionReport } from '../../shared/providers';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { getFreePorts } from '../harness/free-port';
import { connectImap as harnessImap, readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';

const PASSWORD = 'Al1ce-S3cret!pw';
const alice = { user: 'alice@old.example.com', password: PASSWORD };
const DAY = 86_400_000;

const INBOX_DATES = ['2019-03-04T05:06:07Z', '2021-07-08T09:10:11Z', '2024-11-12T13:14:15Z'].map((d) => new Date(d));
const PROJECT_DATES = ['2018-01-02T03:04:05Z', '2020-02-03T04:05:06Z'].map((d) => new Date(d));

function msg(i: number, extra = ''): string {
  return `From: Zhang San <zhangsan@old.example.com>\r\nTo: alice@old.example.com\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@old.example.com>\r\nDate: Mon, 4 Mar 2019 05:06:07 +0000\r\n\r\nbody ${i} ${extra}\r\n`;
}

function tlsEndpoint(server: DovecotServer, over: Partial<Endpoint> = {}): Endpoint {
  return {
    host: server.host,
    port: server.imapsPort,
    security: 'tls',
    user: alice.user,
    auth: { kind: 'password', password: PASSWORD },
    allowPlaintext: false,
    insecureTls: true,
    ...over,
  };
}

function plainEndpoint(server: DovecotServer, user = alice, over: Partial<Endpoint> = {}): Endpoint {
  return {
    host: server.host,
    port: server.imapPort,
    security: 'plain',
    user: user.user,
    auth: { kind: 'password', password: user.password },
    allowPlaintext: true,
    insecureTls: false,
    ...over,
  };
}

/** Schema-valid, no password anywhere in the serialized report. */
function check(r: ConnectionReport, secrets: string[] = [PASSWORD]): ConnectionReport {
  ConnectionReportSchema.parse(r);
  const json = JSON.stringify(r);
  for (const s of secrets) expect(json).not.toContain(s);
  return r;
}

describe('connection test against Dovecot', () => {
  let server: DovecotServer;
  let plain: DovecotServer;
  let snapshotBefore: Awaited<ReturnType<typeof snapshotMailbox>>;
  let inboxSize = 0;
  let projectsSize = 0;

  beforeAll(async () => {
    [server, plain] = await Promise.all([
      // quota plugin + a rule: GETQUOTAROOT reports STORAGE and MESSAGE limits
      startDovecot({
        name: 'diag',
        users: [alice],
        maxMailSize: 20 * 1024 * 1024,
        extraConfig: 'plugin {\n  quota_rule = *:storage=10M:messages=1000\n}\n',
      }),
      // no quota plugin; two IMAP sessions per user and IP (seeding needs two; THROTTLED case)
      startDovecot({ name: 'diag-plain', users: [alice], extraConfig: 'mail_max_userip_connections = 2\n' }),
    ]);
    await seedFolder(server, alice, 'INBOX', INBOX_DATES.map((d, i) => ({ raw: msg(i, 'x'.repeat(i * 100)), internalDate: d, flags: i === 0 ? ['\\Seen'] : [] })));
    await seedFolder(server, alice, 'Projects/2019', PROJECT_DATES.map((d, i) => ({ raw: msg(10 + i), internalDate: d })));
    await seedFolder(plain, alice, 'INBOX', [{ raw: msg(1), internalDate: INBOX_DATES[0] }]);
    inboxSize = (await readFolder(server, alice, 'INBOX')).reduce((s, m) => s + m.rfc822Size, 0);
    projectsSize = (await readFolder(server, alice, 'Projects/2019')).reduce((s, m) => s + m.rfc822Size, 0);
    snapshotBefore = await snapshotMailbox(server, alice);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), plain?.stop()]);
  });

  it('a good login reports TLS (self-signed, accepted by --insecure-tls), capabilities, folders with counts, sizes and dates, quota, POP3', async () => {
    const r = check(await testConnection(tlsEndpoint(server), { detect: false, pop3: { port: server.pop3sPort, security: 'tls' } }));
    expect(r.ok).toBe(true);
    expect(r.error).toBeNull();
    expect(r.authenticated).toBe(true);

    expect(r.tls).toMatchObject({ mode: 'tls', selfSigned: true, trusted: false, accepted: 'insecure-accepted', authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameMatches: true });
    expect(r.tls!.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.tls!.certificate).toMatchObject({ subject: 'CN=127.0.0.1', issuer: 'CN=127.0.0.1', expired: false, notYetValid: false });
    expect(r.tls!.certificate!.subjectAltNames).toEqual(['IP Address:127.0.0.1', 'DNS:localhost']);
    expect(new Date(r.tls!.certificate!.validTo).getTime()).toBeGreaterThan(Date.now() + 3000 * DAY);
    expect(r.warnings.map((w) => w.code)).toContain('TLS_NOT_VERIFIED');

    expect(r.greeting).toMatch(/^\* OK .*Dovecot/);
    expect(r.serverId).toMatchObject({ name: 'Dovecot' });
    expect(r.capabilities.preAuth).toEqual(expect.arrayContaining(['IMAP4rev1', 'AUTH=PLAIN']));
    expect(r.capabilities.postAuth).toEqual(expect.arrayContaining(['IMAP4rev1', 'STATUS=SIZE', 'QUOTA', 'SPECIAL-USE']));
    expect(r.statusSize).toBe(true);

    const byPath = Object.fromEntries(r.folders!.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Projects', 'Projects/2019', 'Sent', 'Trash']);
    expect(byPath.INBOX).toMatchObject({ messages: 3, size: inboxSize, uidNext: 4, skipped: false, error: null });
    expect(byPath.INBOX!.oldest).toEqual({ uid: 1, internalDate: INBOX_DATES[0]!.toISOString() });
    expect(byPath.INBOX!.newest).toEqual({ uid: 3, internalDate: INBOX_DATES[2]!.toISOString() });
    expect(byPath['Projects/2019']).toMatchObject({ messages: 2, size: projectsSize });
    expect(byPath['Projects/2019']!.oldest!.internalDate).toBe(PROJECT_DATES[0]!.toISOString());
    expect(byPath.Sent).toMatchObject({ specialUse: '\\Sent', messages: 0, size: 0, oldest: null, newest: null });
    expect(r.totals).toEqual({ folders: 8, messages: 5, size: inboxSize + projectsSize, oldest: PROJECT_DATES[0]!.toISOString(), newest: INBOX_DATES[2]!.toISOString() });
    expect(r.datesMethod).toBe('internaldate-of-lowest-and-highest-uid');

    expect(r.quota).toEqual({
      available: true,
      root: 'User quota',
      resources: [
        { name: 'STORAGE', usage: expect.any(Number), limit: 10 * 1024 * 1024 },
        { name: 'MESSAGE', usage: 5, limit: 1000 },
      ],
    });

    expect(r.pop3).toMatchObject({ status: 'ok', messages: 3, port: server.pop3sPort });
    const codes = r.warnings.map((w) => w.code);
    expect(codes).not.toContain('RECENT_ONLY');
    expect(codes).not.toContain('IMAP_FEWER_THAN_POP3');
    expect(r.steps.map((s) => s.stage)).toEqual(['dns', 'tcp', 'tls', 'greeting', 'auth', 'folders', 'quota', 'pop3']);
    expect(r.checklist.length).toBeGreaterThan(0);
  });

  it('a trusted certificate (the server CA given) verifies; it is still reported as self-signed', async () => {
    const r = check(await testConnection(tlsEndpoint(server, { insecureTls: false, ca: server.caPem }), { detect: false, pop3: false }));
    expect(r.ok).toBe(true);
    expect(r.tls).toMatchObject({ selfSigned: true, trusted: true, accepted: 'verified', authorizationError: null });
    expect(r.warnings.map((w) => w.code)).not.toContain('TLS_NOT_VERIFIED');
  });

  it('STARTTLS (imap://) reports the upgraded session', async () => {
    const r = check(await testConnection(tlsEndpoint(server, { port: server.imapPort, security: 'starttls' }), { detect: false }));
    expect(r.ok).toBe(true);
    expect(r.tls).toMatchObject({ mode: 'starttls', selfSigned: true, accepted: 'insecure-accepted' });
    // after STARTTLS the server offers its login mechanisms
    expect(r.capabilities.preAuth).toEqual(expect.arrayContaining(['AUTH=PLAIN']));
  });

  it('a self-signed certificate without --insecure-tls → TLS_FAILED, the certificate still reported', async () => {
    for (const over of [{}, { port: server.imapPort, security: 'starttls' as const }]) {
      const r = check(await testConnection(tlsEndpoint(server, { insecureTls: false, ...over }), { detect: false }));
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ code: 'TLS_FAILED', stage: 'tls', transient: false });
      expect(r.error!.message).toMatch(/self-signed/);
      expect(r.error!.message).toContain(r.tls!.certificate!.fingerprint256);
      expect(r.error!.remedy.en).toMatch(/self-signed/);
      expect(r.error!.remedy.zh).toMatch(/自签名/);
      expect(r.tls).toMatchObject({ selfSigned: true, accepted: 'rejected' });
      expect(r.authenticated).toBe(false);
      expect(r.folders).toBeNull();
    }
  });

  it('a wrong password → AUTH_FAILED with a remedy, never the password', async () => {
    const wrong = 'Wr0ng-P4ss!word';
    const r = check(await testConnection(tlsEndpoint(server, { auth: { kind: 'password', password: wrong } }), { detect: false }), [wrong, PASSWORD]);
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'AUTH_FAILED', stage: 'auth', transient: false, serverText: 'Authentication failed.' });
    expect(r.error!.message).toContain(alice.user);
    expect(r.error!.remedy.en).toMatch(/authorization code|app password/);
    expect(r.error!.remedy.zh).toMatch(/授权码/);
    expect(r.error!.hints.length).toBeGreaterThan(0);
    // TLS was fine up to the login
    expect(r.tls!.accepted).toBe('insecure-accepted');
    expect(r.steps.find((s) => s.stage === 'auth')!.status).toBe('failed');
  });

  it('with the provider known, the remedy is the provider\'s (Tencent: secure login, WeChat binding, IMAP switch)', async () => {
    const r = check(await testConnection(tlsEndpoint(server, { auth: { kind: 'password', password: 'nope-nope' } }), { detect: false, provider: 'tencent' }), ['nope-nope']);
    expect(r.error!.code).toBe('AUTH_FAILED');
    expect(r.provider).toMatchObject({ presetId: 'tencent', via: 'manual' });
    expect(r.error!.remedy.zh).toContain('安全登录');
    expect(r.error!.remedy.zh).toContain('微信');
    expect(r.error!.hints.map((h) => h.id)).toEqual(expect.arrayContaining(['enable-imap', 'secure-login', 'wechat-binding']));
    expect(r.checklist.map((h) => h.id)).toContain('download-all');
  });

  it('a test of the new mailbox (side target) names the new mailbox and gives no old-mailbox checks', async () => {
    const wrong = 'Wr0ng-N3w!box';
    // The domain's MX still names the old provider during a migration: not taken for the new mailbox's.
    const resolver = { resolveMx: async () => [{ exchange: 'mxbiz1.qq.com', priority: 5 }] };
    const r = check(await testConnection(tlsEndpoint(server, { auth: { kind: 'password', password: wrong } }), { side: 'target', resolver, pop3: false }), [wrong, PASSWORD]);
    expect(r.error).toMatchObject({ code: 'AUTH_FAILED', stage: 'auth' });
    expect(r.error!.message).toMatch(/\btarget\b/);
    expect(r.error!.message).not.toMatch(/\bsource\b/);
    expect(errorMessage(r.error!, 'en')).toMatch(/^Login to the new mailbox failed/);
    expect(errorMessage(r.error!, 'zh')).toMatch(/^新邮箱登录失败/);
    expect(r.provider).toMatchObject({ presetId: null, via: null, matchedMx: null });
    expect(r.warnings.find((w) => w.code === 'PROVIDER_FROM_MX')?.message.en).toMatch(/do not tell the new system's provider/);
    expect(r.error!.hints).toEqual([]);
    expect(`${r.error!.remedy.en} ${r.error!.remedy.zh}`).not.toMatch(/old|原邮箱|原服务商/);
    expect(r.checklist).toEqual([]);

    // The same test of the old mailbox keeps its side, the provider from MX and the old-mailbox checks.
    const old = check(await testConnection(tlsEndpoint(server, { auth: { kind: 'password', password: wrong } }), { resolver, pop3: false }), [wrong, PASSWORD]);
    expect(errorMessage(old.error!, 'en')).toMatch(/^Login to the old mailbox failed/);
    expect(old.provider).toMatchObject({ presetId: 'tencent', via: 'mx' });
    expect(old.error!.hints.map((h) => h.id)).toContain('secure-login');

    const plaintext = check(await testConnection(plainEndpoint(server, alice, { allowPlaintext: false }), { side: 'target', detect: false }));
    expect(plaintext.error).toMatchObject({ code: 'PLAINTEXT_REFUSED', stage: 'config' });
    expect(errorMessage(plaintext.error!, 'zh')).toMatch(/^新邮箱的密码/);
  });

  it('the choices the user made are named in words that fit the extension; the command line (surface cli) also gets its flag', async () => {
    const accepted = check(await testConnection(tlsEndpoint(server), { detect: false, pop3: false }));
    const notVerified = accepted.warnings.find((w) => w.code === 'TLS_NOT_VERIFIED')!;
    expect(notVerified.message.en).toContain('accepted because you chose to accept a self-signed certificate for this server');
    expect(notVerified.message.en).not.toContain('--');
    const cli = check(await testConnection(tlsEndpoint(server), { detect: false, pop3: false, surface: 'cli' }));
    expect(cli.warnings.find((w) => w.code === 'TLS_NOT_VERIFIED')!.message.en).toContain('accept a self-signed certificate for this server (--insecure-tls)');

    const rejected = check(await testConnection(tlsEndpoint(server, { insecureTls: false }), { detect: false }));
    expect(rejected.error!.message).toContain('To connect anyway, choose to accept a self-signed certificate for this server, but only if you trust it');
    expect(rejected.error!.message).toContain(rejected.tls!.certificate!.fingerprint256);
    expect(rejected.error!.message).not.toContain('--');
    const rejectedCli = check(await testConnection(tlsEndpoint(server, { insecureTls: false }), { detect: false, surface: 'cli' }));
    expect(rejectedCli.error!.message).toContain('with --ca FILE, or, without checking it at all, --insecure-tls');

    const plain = check(await testConnection(plainEndpoint(server), { detect: false, pop3: false }));
    expect(plain.warnings.find((w) => w.code === 'PLAINTEXT')!.message.en).not.toContain('--');
    const plainCli = check(await testConnection(plainEndpoint(server), { detect: false, pop3: false, surface: 'cli' }));
    expect(plainCli.warnings.find((w) => w.code === 'PLAINTEXT')!.message.en).toContain('(--allow-plaintext)');
  });

  it('a closed port → CONNECT_FAILED at the TCP step', async () => {
    const [port] = await getFreePorts(1);
    const r = check(await testConnection(tlsEndpoint(server, { port: port! }), { detect: false }));
    expect(r.error).toMatchObject({ code: 'CONNECT_FAILED', stage: 'tcp', transient: true });
    expect(r.error!.message).toMatch(/refused/);
    expect(r.tls).toBeNull();
  });

  it('an unresolvable server name → DNS_FAILED (injected lookup: there is no DNS here)', async () => {
    const r = check(
      await testConnection(tlsEndpoint(server, { host: 'imap.does-not-exist.invalid' }), {
        detect: false,
        lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND imap.does-not-exist.invalid'), { code: 'ENOTFOUND' })),
      }),
    );
    expect(r.error).toMatchObject({ code: 'DNS_FAILED', stage: 'dns' });
    expect(r.error!.message).toContain('imap.does-not-exist.invalid');
    expect(r.error!.remedy.zh).toMatch(/DNS/);
  });

  it('a server that accepts but never greets → TIMEOUT at the greeting', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const r = check(await testConnection(plainEndpoint(server, alice, { port }), { detect: false, timeoutMs: 400 }));
      expect(r.error).toMatchObject({ code: 'TIMEOUT', stage: 'greeting' });
      // the 400 ms given ended the wait, not a longer default
      expect(r.error!.message).toContain('within 400 ms');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('the POP3 port given as IMAP → CONFIG_INVALID naming a POP3 server, with the ports in both languages; implicit TLS on the plain port → TLS_FAILED', async () => {
    const r = check(await testConnection(plainEndpoint(server, alice, { port: server.pop3Port }), { detect: false }));
    expect(r.error).toMatchObject({ code: 'CONFIG_INVALID', stage: 'greeting', transient: false });
    expect(r.error!.message).toMatch(/POP3 server/);
    expect(r.error!.remedy.en).toContain('This port answers as a POP3 server, not as an IMAP server.');
    expect(r.error!.remedy.en).toContain('IMAP is 993 (SSL/TLS) or 143 (STARTTLS), POP3 is 995 (SSL/TLS) or 110.');
    expect(r.error!.remedy.zh).toContain('该端口上是POP3 服务器，不是 IMAP 服务器。');
    expect(r.error!.hints).toEqual([]);
    const r2 = check(await testConnection(tlsEndpoint(server, { port: server.imapPort }), { detect: false }));
    expect(r2.error).toMatchObject({ code: 'TLS_FAILED', stage: 'tls' });
  });

  it('plaintext without --allow-plaintext is refused before connecting', async () => {
    const r = check(await testConnection(plainEndpoint(server, alice, { allowPlaintext: false }), { detect: false }));
    expect(r.error).toMatchObject({ code: 'PLAINTEXT_REFUSED', stage: 'config' });
    expect(r.steps.map((s) => s.stage)).toEqual(['config']);
  });

  it('too many sessions → THROTTLED', async () => {
    const hold = [await harnessImap(plain, alice), await harnessImap(plain, alice)];
    try {
      const r = check(await testConnection(plainEndpoint(plain), { detect: false }));
      expect(r.error).toMatchObject({ code: 'THROTTLED', stage: 'auth', transient: true });
      expect(r.error!.serverText).toMatch(/Maximum number of connections/);
      const target = check(await testConnection(plainEndpoint(plain), { side: 'target', detect: false }));
      expect(target.error).toMatchObject({ code: 'THROTTLED', stage: 'auth' });
      expect(errorMessage(target.error!, 'en')).toBe('The new mailbox is limiting connections or requests.');
    } finally {
      for (const c of hold) await c.logout();
    }
  });

  it('no QUOTA capability → quota explicitly unavailable', async () => {
    const r = check(await testConnection(plainEndpoint(plain), { detect: false }));
    expect(r.ok).toBe(true);
    expect(r.quota).toEqual({ available: false, reason: 'not-advertised', detail: expect.any(String) });
    expect(r.warnings.map((w) => w.code)).toContain('PLAINTEXT');
  });

  it('an admin (master user) logs in on behalf of the account; POP3 too (SASL PLAIN authzid)', async () => {
    const r = check(
      await testConnection(tlsEndpoint(server, { auth: { kind: 'master', adminUser: server.master.user, password: server.master.password, form: 'authzid', separator: '*' } }), {
        detect: false,
        pop3: { port: server.pop3sPort, security: 'tls' },
      }),
      [server.master.password],
    );
    expect(r.ok).toBe(true);
    expect(r.server.authUser).toBe(server.master.user);
    expect(r.pop3).toMatchObject({ status: 'ok', messages: 3 });
  });

  it('a POP3 source (pop3s://) is tested too: TLS, login, inbox count', async () => {
    const r = check(await testConnection(tlsEndpoint(server, { protocol: 'pop3', port: server.pop3sPort }), { detect: false }));
    expect(r.ok).toBe(true);
    expect(r.tls).toMatchObject({ selfSigned: true, accepted: 'insecure-accepted' });
    expect(r.greeting).toMatch(/^\+OK/);
    expect(r.capabilities.preAuth).toEqual(expect.arrayContaining(['UIDL', 'TOP']));
    expect(r.folders).toEqual([expect.objectContaining({ path: 'INBOX', messages: 3 })]);
    const bad = check(await testConnection(tlsEndpoint(server, { protocol: 'pop3', port: server.pop3sPort, auth: { kind: 'password', password: 'bad-bad' } }), { detect: false }), ['bad-bad']);
    expect(bad.error).toMatchObject({ code: 'AUTH_FAILED', stage: 'auth' });
  });

  it('never changes the mailbox: messages, flags (\\Seen), UIDs and HIGHESTMODSEQ are as before', async () => {
    const after = await snapshotMailbox(server, alice);
    expect(after).toEqual(snapshotBefore);
    const inbox = after.folders.INBOX!.messages;
    expect(inbox.map((m) => m.flags)).toEqual([['\\Seen'], [], []]);
  });
});

describe('only the last 30 days visible over IMAP (simulated with a Dovecot virtual INBOX)', () => {
  /**
   * How the provider behaviour is reproduced: Dovecot's virtual plugin gives IMAP an INBOX that is
   * a saved search over the real inbox ("all younger 2592000": INTERNALDATE within 30 days), as a
   * provider with a 30-day download range shows it; POP3 reads the real inbox. The messages are
   * seeded over IMAP into the real inbox (a hidden namespace "real/").
   */
  const carol = { user: 'carol@old.example.com', password: 'carol-pw-1' };
  let server: DovecotServer;
  const ages = [700, 400, 200, 90, 45, 20, 10, 3];

  beforeAll(async () => {
    server = await startDovecot({
      name: 'diag-window',
      users: [carol],
      specialUse: false,
      extraConfig: [
        'mail_plugins = $mail_plugins virtual',
        'namespace real {',
        '  prefix = real/',
        '  separator = /',
        '  location = maildir:~/Maildir:LAYOUT=fs',
        '  hidden = yes',
        '  list = no',
        '  subscriptions = no',
        '}',
        'protocol imap {',
        '  mail_location = virtual:~/virtual',
        '}',
        'protocol pop3 {',
        '  mail_location = maildir:~/Maildir:LAYOUT=fs:INBOX=~/Maildir/INBOX',
        '}',
      ].join('\n'),
    });
    const home = server.userHome(carol.user);
    const owner = statSync(dirname(home));
    for (const dir of [home, join(home, 'virtual'), join(home, 'virtual', 'INBOX')]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, owner.uid, owner.gid);
    }
    const def = join(home, 'virtual', 'INBOX', 'dovecot-virtual');
    writeFileSync(def, 'real/INBOX\n  all younger 2592000\n');
    chownSync(def, owner.uid, owner.gid);
    const now = Date.now();
    await seedFolder(server, carol, 'real/INBOX', ages.map((d, i) => ({ raw: msg(100 + i), internalDate: new Date(now - d * DAY) })));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('IMAP shows 3 of 8 inbox messages, all younger than 30 days; POP3 STAT shows 8 → RECENT_ONLY with the provider\'s remedy', async () => {
    const before = { virtual: await readFolder(server, carol, 'INBOX'), real: await readFolder(server, carol, 'real/INBOX') };
    expect(before.virtual).toHaveLength(3);
    expect(before.real).toHaveLength(8);

    const r = check(await testConnection(plainEndpoint(server, carol), { detect: false, provider: 'netease', pop3: { port: server.pop3Port, security: 'plain' } }), [carol.password]);
    expect(r.ok).toBe(true);
    expect(r.folders!.find((f) => f.path === 'INBOX')).toMatchObject({ messages: 3 });
    expect(r.pop3).toMatchObject({ status: 'ok', messages: 8 });
    const w = r.warnings.find((x) => x.code === 'RECENT_ONLY');
    expect(w, JSON.stringify(r.warnings)).toBeDefined();
    expect(w!.evidence).toMatchObject({ confidence: 'likely', signals: ['pop3-count'], imapInboxMessages: 3, pop3Messages: 8 });
    expect(w!.evidence!.oldestAgeDays).toBeCloseTo(20, 0);
    expect(w!.message.zh).toContain('收取范围');
    // NetEase: 设置 → 客户端设置 → 收取全部的邮件 (seed 003)
    expect(w!.hints[0]).toMatchObject({ id: 'download-all' });
    expect(w!.hints[0]!.where!.zh).toContain('客户端设置');

    // neither the IMAP view nor the real inbox changed
    expect(await readFolder(server, carol, 'INBOX')).toEqual(before.virtual);
    expect(await readFolder(server, carol, 'real/INBOX')).toEqual(before.real);
  });

  it('the new mailbox (side target) gets no warning about what a migration would miss: only the old one is read', async () => {
    const r = check(
      await testConnection(plainEndpoint(server, carol), { side: 'target', detect: false, provider: 'netease', pop3: { port: server.pop3Port, security: 'plain' } }),
      [carol.password],
    );
    expect(r.ok).toBe(true);
    expect(r.pop3).toMatchObject({ status: 'ok', messages: 8 });
    expect(r.warnings.map((w) => w.code)).not.toContain('RECENT_ONLY');
    expect(r.warnings.map((w) => w.code)).not.toContain('IMAP_FEWER_THAN_POP3');
  });

  it('without the POP3 count and with UIDs starting at 1 in the view, only the provider heuristic is left: no warning at a provider without the default', async () => {
    const r = check(await testConnection(plainEndpoint(server, carol), { detect: false, pop3: false }), [carol.password]);
    expect(r.ok).toBe(true);
    // oldest visible is 20 days old: neither inside the 25–31 day edge nor any other evidence
    expect(r.warnings.map((w) => w.code)).not.toContain('RECENT_ONLY');
  });
});
