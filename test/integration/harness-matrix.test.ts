/**
 * Self-test of the server matrix (test/harness/servers.ts): Dovecot, Cyrus (both namespace
 * configurations, with and without special-use folders) and Courier, started like the engine suites
 * start them. Every server: logins over IMAP, IMAPS, STARTTLS, POP3, POP3S and STLS, seeding and
 * reading back (bytes, flags, internal dates), the capability facts the server object claims, and
 * stop(). Then the behaviours of each server the engine has to live with (see the top comments of
 * cyrus.ts and courier.ts), each asserted so that a change of server version shows up here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { INSTANCE_DIR, processesRootedIn } from '../harness/chroot.js';
import { listFolders, readFolder, seedFolder, withImap } from '../harness/mailbox.js';
import { folderPath, SERVER_CONFIGS, startConfig, type AnyMailServer, type MailUser, type ServerConfig } from '../harness/servers.js';

const alice: MailUser = { user: 'alice', password: 'alice-pw' };
const bob: MailUser = { user: 'bob', password: 'bob-pw' };

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function message(subject: string, body = 'Hello.\r\n', extraHeaders = ''): Buffer {
  return Buffer.from(
    `From: Sender <sender@example.com>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\n${extraHeaders}Message-ID: <${sha256(subject).slice(0, 16)}@example.com>\r\nDate: Mon, 4 Mar 2019 05:06:07 +0000\r\n\r\n${body}`,
    'utf8',
  );
}

async function imapLogin(server: AnyMailServer, opts: Partial<ImapFlowOptions>): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.imapPort,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 10_000,
    auth: { user: alice.user, pass: alice.password },
    ...opts,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** Byte-exact line/terminator reader for raw IMAP and POP3 conversations (latin1 keeps bytes). */
class Wire {
  private buf = '';
  private wake: (() => void) | undefined;
  private failed: Error | undefined;
  constructor(public sock: Socket | TLSSocket) {
    this.attach(sock);
  }
  private attach(sock: Socket | TLSSocket): void {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.wake?.();
    });
    sock.on('error', (e) => {
      this.failed = e;
      this.wake?.();
    });
  }
  /** resolves with everything up to and including the first match of `re` */
  next(re: RegExp, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re} (have ${JSON.stringify(this.buf.slice(0, 200))})`)), timeoutMs);
      const check = (): void => {
        const m = re.exec(this.buf);
        if (m) {
          clearTimeout(timer);
          this.wake = undefined;
          const out = this.buf.slice(0, m.index + m[0].length);
          this.buf = this.buf.slice(m.index + m[0].length);
          resolve(out);
        } else if (this.failed) {
          clearTimeout(timer);
          reject(this.failed);
        }
      };
      this.wake = check;
      check();
    });
  }
  send(s: string | Buffer): void {
    this.sock.write(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
  }
  /** STARTTLS/STLS: the same connection continues over TLS trusting only `ca` */
  async upgrade(ca: string): Promise<void> {
    const plain = this.sock;
    plain.removeAllListeners('data');
    const secure = tlsConnect({ socket: plain, ca: [ca], servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.buf = '';
    this.sock = secure;
    this.attach(secure);
  }
  close(): void {
    this.sock.destroy();
  }
}

async function openWire(port: number, tlsCa?: string): Promise<Wire> {
  const sock = tlsCa ? tlsConnect({ host: '127.0.0.1', port, ca: [tlsCa], servername: 'localhost' }) : netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    sock.once(tlsCa ? 'secureConnect' : 'connect', () => resolve());
    sock.once('error', reject);
  });
  return new Wire(sock);
}

/** POP3 session logged in with USER/PASS; `stls` upgrades first. */
async function pop3(server: AnyMailServer, user: MailUser, mode: 'plain' | 'pop3s' | 'stls'): Promise<Wire> {
  const w = await openWire(mode === 'pop3s' ? server.pop3sPort : server.pop3Port, mode === 'pop3s' ? server.caPem : undefined);
  await w.next(/^\+OK.*\r\n/m);
  if (mode === 'stls') {
    w.send('STLS\r\n');
    expect(await w.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK/);
    await w.upgrade(server.caPem);
  }
  w.send(`USER ${user.user}\r\n`);
  expect(await w.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK/);
  w.send(`PASS ${user.password}\r\n`);
  const res = await w.next(/^(\+OK|-ERR).*\r\n/m);
  if (!res.startsWith('+OK')) throw new Error(`POP3 login refused: ${res.trim()}`);
  return w;
}

/** A POP3 multi-line answer (RETR/TOP/LIST/UIDL) as bytes, dot-unstuffed, without status and terminator. */
async function pop3Multi(w: Wire, cmd: string): Promise<{ status: string; body: Buffer }> {
  w.send(`${cmd}\r\n`);
  const status = await w.next(/^(\+OK|-ERR).*\r\n/m);
  if (!status.startsWith('+OK')) return { status, body: Buffer.alloc(0) };
  const raw = await w.next(/(^|\r\n)\.\r\n/);
  const text = raw === '.\r\n' ? '' : raw.slice(0, -3); // keep the CRLF that ends the last line
  return { status, body: Buffer.from(text.replace(/(^|\r\n)\.\./g, '$1.'), 'latin1') };
}

async function pop3ListSizes(w: Wire): Promise<number[]> {
  const { body } = await pop3Multi(w, 'LIST');
  return body
    .toString('latin1')
    .split('\r\n')
    .filter(Boolean)
    .map((l) => Number(l.split(' ')[1]));
}

/** Runs one tagged IMAP command on a raw connection and returns all lines up to the tagged one. */
async function imapCmd(w: Wire, tag: string, cmd: string | Buffer): Promise<string> {
  w.send(typeof cmd === 'string' ? `${tag} ${cmd}\r\n` : Buffer.concat([Buffer.from(`${tag} `), cmd, Buffer.from('\r\n')]));
  return w.next(new RegExp(`^${tag} (OK|NO|BAD).*\\r\\n`, 'm'));
}

async function rawImapLogin(server: AnyMailServer, user: MailUser): Promise<Wire> {
  const w = await openWire(server.imapPort);
  await w.next(/^\* OK.*\r\n/m);
  expect(await imapCmd(w, 'L', `LOGIN ${user.user} "${user.password}"`)).toMatch(/^L OK/m);
  return w;
}

const CONFIGS: ServerConfig[] = [SERVER_CONFIGS.dovecot, SERVER_CONFIGS.cyrus, SERVER_CONFIGS['cyrus-slash'], SERVER_CONFIGS['cyrus-plain'], SERVER_CONFIGS.courier];

describe('server matrix harness', () => {
  const servers = new Map<string, AnyMailServer>();
  const get = (id: string): AnyMailServer => servers.get(id)!;

  beforeAll(async () => {
    // two at a time: each start forks a few processes and the CI machine has 2 cores
    for (let i = 0; i < CONFIGS.length; i += 2) {
      const batch = CONFIGS.slice(i, i + 2);
      const started = await Promise.all(batch.map((c) => startConfig(c, { name: `matrix-${c.id}`, users: [alice, bob] })));
      started.forEach((s, j) => servers.set(batch[j]!.id, s));
    }
    console.log(`[harness-matrix] start times: ${[...servers].map(([id, s]) => `${id} ${s.startMs} ms`).join(', ')}`);
  });

  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  });

  describe.each(CONFIGS.map((c) => [c.id, c] as const))('%s', (id, config) => {
    it('has the configured kind, namespace, distinct loopback ports and a certificate', async () => {
      const s = get(id);
      expect(s.kind).toBe(config.kind);
      expect(s.host).toBe('127.0.0.1');
      expect(new Set([s.imapPort, s.imapsPort, s.pop3Port, s.pop3sPort]).size).toBe(4);
      expect(s.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const ns = await withImap(s, alice, async (c) => c.namespace);
      expect(ns).toMatchObject({ prefix: s.prefix, delimiter: s.separator });
      expect(s.prefix).toBe(config.kind === 'courier' || (config.kind === 'cyrus' && config.separator === '.') ? 'INBOX.' : '');
    });

    it('IMAP and POP3 refuse a wrong password; IMAP LOGIN works', async () => {
      const s = get(id);
      // in parallel: Courier answers a failed login only after ~5 s
      const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'logged in', (e: unknown) => (e as Error).message);
      const wrongImap = outcome(imapLogin(s, { auth: { user: alice.user, pass: 'wrong' } }));
      const wrongPop3 = outcome(pop3(s, { user: bob.user, password: 'wrong' }, 'plain'));
      const c = await imapLogin(s, {});
      expect(c.authenticated).toBeTruthy();
      await c.logout();
      expect(await wrongImap).toMatch(/Command failed|auth/i);
      expect(await wrongPop3).toMatch(/POP3 login refused/);
    });

    it('IMAPS and STARTTLS work with caPem, IMAPS fails without it', async () => {
      const s = get(id);
      const a = await imapLogin(s, { port: s.imapsPort, secure: true, tls: { ca: [s.caPem], servername: 'localhost' } });
      expect(a.secureConnection).toBe(true);
      await a.logout();
      const b = await imapLogin(s, { doSTARTTLS: true, tls: { ca: [s.caPem], servername: 'localhost' } });
      expect(b.secureConnection).toBe(true);
      await b.logout();
      const err = await imapLogin(s, { port: s.imapsPort, secure: true }).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(`${err?.code} ${err?.message}`).toMatch(/SELF_SIGNED|self[- ]signed|certificate/i);
    });

    it('POP3, POP3S and STLS log in', async () => {
      const s = get(id);
      for (const mode of ['plain', 'pop3s', 'stls'] as const) {
        const w = await pop3(s, bob, mode);
        w.send('STAT\r\n');
        expect(await w.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK \d+ \d+/);
        w.send('QUIT\r\n');
        await w.next(/^\+OK.*\r\n/m);
        w.close();
      }
    });

    it('capability facts on the server object match what it advertises', async () => {
      const s = get(id);
      const caps = await withImap(s, alice, async (c) => new Set(c.capabilities.keys()));
      expect(caps.has('SPECIAL-USE')).toBe(s.supportsSpecialUse);
      expect(caps.has('CREATE-SPECIAL-USE')).toBe(s.supportsCreateSpecialUse);
      expect(caps.has('LITERAL+')).toBe(s.supportsLiteralPlus);
      expect(caps.has('MULTIAPPEND')).toBe(s.supportsMultiAppend);
      expect(caps.has('UIDPLUS')).toBe(true); // the engine relies on APPENDUID everywhere
    });

    it('seeds and reads back bytes, flags ($Keyword too) and internal dates', async () => {
      const s = get(id);
      const seeds = [
        { raw: message('seen + keyword'), flags: ['\\Seen', '$Important'], internalDate: new Date('2019-03-04T05:06:07Z') },
        { raw: message('8-bit body', '你好，世界 é\r\n', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n'), flags: ['\\Flagged', '\\Answered'], internalDate: new Date('2019-12-31T23:59:59Z') },
        { raw: message('no flags', 'x'.repeat(5000) + '\r\n'), internalDate: new Date('2019-01-01T00:00:00Z') },
      ];
      const folder = folderPath(s, '项目', '2024');
      const uids = await seedFolder(s, alice, folder, seeds);
      expect(uids).toEqual([1, 2, 3]);
      const back = await readFolder(s, alice, folder, { withRaw: true });
      expect(back.map((m) => m.uid)).toEqual(uids);
      back.forEach((m, i) => {
        const seed = seeds[i]!;
        expect(m.raw!.equals(seed.raw)).toBe(true);
        expect(m.rfc822Size).toBe(seed.raw.length);
        expect(m.flags).toEqual([...(seed.flags ?? [])].sort());
        expect(m.internalDate.toISOString()).toBe(seed.internalDate.toISOString());
      });
      const paths = (await listFolders(s, alice)).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining([folderPath(s, '项目'), folder]));
    });

    it('POP3 RETR returns the INBOX messages byte for byte, with LIST sizes', async () => {
      const s = get(id);
      const msgs = [message('pop one'), message('pop two', '.leading dot\r\n..two dots\r\nend\r\n')];
      await seedFolder(s, bob, 'INBOX', msgs.map((raw) => ({ raw })));
      const w = await pop3(s, bob, 'plain');
      try {
        // POP3 does not fix the order of the maildrop (RFC 1939): Courier lists messages
        // APPENDed within one second in its maildir's order, so pair each RETR with its LIST size.
        const sizes = await pop3ListSizes(w);
        expect([...sizes].sort()).toEqual(msgs.map((m) => m.length).sort());
        const seen: number[] = [];
        for (const [i, size] of sizes.entries()) {
          const { body } = await pop3Multi(w, `RETR ${i + 1}`);
          const match = msgs.findIndex((m) => body.equals(m));
          expect(match, `RETR ${i + 1} is one of the seeded messages, byte for byte`).toBeGreaterThanOrEqual(0);
          expect(body.length).toBe(size);
          seen.push(match);
        }
        expect(seen.sort()).toEqual([0, 1]);
        const { body: uidl } = await pop3Multi(w, 'UIDL');
        expect(uidl.toString('latin1').split('\r\n').filter(Boolean)).toHaveLength(2);
      } finally {
        w.send('QUIT\r\n');
        w.close();
      }
    });

    it('special-use folders exist with their flags exactly when configured', async () => {
      const s = get(id);
      const folders = await listFolders(s, alice);
      const byUse = Object.fromEntries(folders.filter((f) => f.specialUse).map((f) => [f.specialUse!, f.path]));
      if (s.specialUse) {
        for (const [use, name] of [['\\Sent', 'Sent'], ['\\Drafts', 'Drafts'], ['\\Trash', 'Trash'], ['\\Junk', 'Junk'], ['\\Archive', 'Archive']] as const) {
          expect(byUse[use]).toBe(folderPath(s, name));
        }
      } else {
        expect(byUse).toEqual({});
      }
    });
  });

  describe('Cyrus 3.6 behaviours', () => {
    it('refuses APPEND of a message with bare LFs', async () => {
      const s = get('cyrus');
      expect(s.acceptsBareLf).toBe(false);
      await expect(seedFolder(s, alice, 'INBOX', [{ raw: 'Subject: bare lf\n\nline 1\nline 2\n' }])).rejects.toThrow(/bare newlines/i);
      // the same message with CRLF is fine
      const uids = await seedFolder(s, alice, 'INBOX', [{ raw: 'Subject: crlf\r\n\r\nline 1\r\nline 2\r\n' }]);
      expect(uids).toHaveLength(1);
    });

    it('refuses APPEND of a message without any header line', async () => {
      const err = await seedFolder(get('cyrus'), alice, 'INBOX', [{ raw: 'just some text without any header\r\n' }]).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/NO Message contains invalid header/);
    });

    it("stores 8-bit header bytes as 'X' (same size), the 8-bit body unchanged", async () => {
      for (const id of ['cyrus', 'cyrus-slash'] as const) {
        const s = get(id);
        expect(s.rewrites8bitHeaders).toBe(true);
        const raw = message('中文主题 é', 'body 中文\r\n');
        const folder = folderPath(s, 'EightBit');
        await seedFolder(s, alice, folder, [{ raw }]);
        const [m] = await readFolder(s, alice, folder, { withRaw: true });
        const sep = raw.indexOf('\r\n\r\n');
        const expected = Buffer.from(raw);
        for (let i = 0; i < sep; i++) if (expected[i]! >= 0x80) expected[i] = 0x58; // 'X'
        expect(m!.raw!.equals(raw)).toBe(false);
        expect(m!.raw!.equals(expected)).toBe(true);
        expect(m!.raw!.toString('latin1')).toContain(`Subject: ${'X'.repeat(12)} XX\r\n`); // 4 CJK x 3 bytes, é = 2
        expect(m!.raw!.toString('utf8')).toContain('body 中文\r\n');
      }
    });

    it('altnamespace + unixhierarchysep: personal folders next to INBOX with "/"', async () => {
      const slash = get('cyrus-slash');
      expect(slash.prefix).toBe('');
      expect(slash.separator).toBe('/');
      const paths = (await listFolders(slash, alice)).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['INBOX', 'Sent', '项目/2024']));
      const dot = (await listFolders(get('cyrus'), alice)).map((f) => f.path);
      expect(dot).toEqual(expect.arrayContaining(['INBOX', 'INBOX.Sent', 'INBOX.项目.2024']));
      // Debian's '.' configuration refuses a '/' in a name
      await expect(seedFolder(get('cyrus'), alice, 'INBOX.a/b', [])).rejects.toThrow();
      expect((await listFolders(get('cyrus'), alice)).map((f) => f.path)).not.toContain('INBOX.a/b');
    });

    it('CREATE with USE (\\Sent) makes a special-use folder (no special folders pre-created here)', async () => {
      const s = get('cyrus-plain');
      expect((await listFolders(s, alice)).filter((f) => f.specialUse)).toEqual([]);
      const w = await rawImapLogin(s, alice);
      try {
        expect(await imapCmd(w, 'C', 'CREATE INBOX.Sent (USE (\\Sent))')).toMatch(/^C OK/m);
      } finally {
        w.close();
      }
      const sent = (await listFolders(s, alice)).find((f) => f.path === 'INBOX.Sent');
      expect(sent?.specialUse).toBe('\\Sent');
    });

    it('keeps a NUL byte (APPEND literal8) and returns it as such in BODY[]', async () => {
      const s = get('cyrus-plain');
      const nul = Buffer.from('Subject: nul\r\n\r\nab\0cd\r\n', 'latin1');
      await seedFolder(s, alice, 'INBOX.Nul', [{ raw: nul }]);
      const [m] = await readFolder(s, alice, 'INBOX.Nul', { withRaw: true });
      expect(m!.raw!.equals(nul)).toBe(true);
    });

    it('the master user logs in as a user with SASL PLAIN authzid (proxyservers)', async () => {
      const s = get('cyrus');
      const c = await imapLogin(s, { auth: { user: s.master!.user, pass: s.master!.password, loginMethod: 'AUTH=PLAIN', authzid: 'alice' } });
      try {
        const box = await c.mailboxOpen('INBOX', { readOnly: true });
        expect(box.exists).toBeGreaterThan(0); // alice's INBOX, seeded above
      } finally {
        await c.logout();
      }
    });
  });

  describe('Courier 5.0 behaviours', () => {
    it('has no SPECIAL-USE, CREATE-SPECIAL-USE, LITERAL+ or MULTIAPPEND; seeding falls back to one APPEND each', async () => {
      const s = get('courier');
      const caps = await withImap(s, alice, async (c) => new Set(c.capabilities.keys()));
      for (const cap of ['SPECIAL-USE', 'CREATE-SPECIAL-USE', 'LITERAL+', 'MULTIAPPEND', 'CONDSTORE', 'MOVE']) expect(caps.has(cap)).toBe(false);
      expect(caps.has('UTF8=ACCEPT')).toBe(true);
      const many = Array.from({ length: 30 }, (_, i) => ({ raw: message(`fallback ${i}`) }));
      const uids = await seedFolder(s, alice, 'INBOX.Fallback', many);
      expect(uids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect((await readFolder(s, alice, 'INBOX.Fallback')).map((m) => m.sha256)).toEqual(many.map((m) => sha256(m.raw)));
    });

    it('accepts a bare-LF message and returns it with CRLF; keeps a NUL byte in BODY[] (a plain literal, no BINARY)', async () => {
      const s = get('courier');
      expect(s.acceptsBareLf).toBe(true);
      const nul = Buffer.from('Subject: nul\r\n\r\nab\0cd\r\n', 'latin1');
      await seedFolder(s, alice, 'INBOX.Odd', [{ raw: 'Subject: bare lf\n\nline 1\nline 2\n' }, { raw: nul }]);
      const [lf, withNul] = await readFolder(s, alice, 'INBOX.Odd', { withRaw: true });
      expect(lf!.raw!.toString('latin1')).toBe('Subject: bare lf\r\n\r\nline 1\r\nline 2\r\n');
      expect(withNul!.raw!.equals(nul)).toBe(true); // Dovecot's BODY[] shows it as 0x80 (harness.test.ts)
    });

    it('refuses CREATE with a USE list', async () => {
      const w = await rawImapLogin(get('courier'), alice);
      try {
        expect(await imapCmd(w, 'C', 'CREATE INBOX.Sent2 (USE (\\Sent))')).toMatch(/^C (NO|BAD)/m);
      } finally {
        w.close();
      }
    });

    it('POP3 answers a raw-UTF-8-header message with a "Cannot display Unicode content" wrapper unless UTF8 was sent', async () => {
      const s = get('courier');
      expect(s.pop3NeedsUtf8ForRawHeaders).toBe(true);
      const user: MailUser = bob;
      const raw = message('原始 UTF-8 主题', 'body\r\n');
      // bob's INBOX already holds the two POP3 test messages. Courier numbers messages in maildir
      // order, not always in APPEND order within one second (RFC 1939 fixes no order), so the
      // message is found by its LIST size, which is unique among the three.
      await seedFolder(s, user, 'INBOX', [{ raw }]);
      const plain = await pop3(s, user, 'plain');
      let number = 0;
      try {
        const sizes = await pop3ListSizes(plain);
        expect(sizes).toHaveLength(3);
        expect(sizes.filter((n) => n === raw.length), String(sizes)).toHaveLength(1);
        number = sizes.indexOf(raw.length) + 1;
        const { body } = await pop3Multi(plain, `RETR ${number}`);
        expect(body.toString('utf8')).toMatch(/Cannot display Unicode content/);
        expect(body.length).not.toBe(raw.length);
        expect(body.equals(raw)).toBe(false);
      } finally {
        plain.send('QUIT\r\n');
        plain.close();
      }
      const utf8 = await openWire(s.pop3Port);
      try {
        await utf8.next(/^\+OK.*\r\n/m);
        utf8.send('UTF8\r\n');
        expect(await utf8.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK/);
        utf8.send(`USER ${user.user}\r\n`);
        await utf8.next(/^\+OK.*\r\n/m);
        utf8.send(`PASS ${user.password}\r\n`);
        expect(await utf8.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK/);
        const { body } = await pop3Multi(utf8, `RETR ${number}`);
        expect(body.equals(raw)).toBe(true);
      } finally {
        utf8.send('QUIT\r\n');
        utf8.close();
      }
    });
  });

  it('stop() kills every process of a chroot instance and removes its state; Dovecot stops too', async () => {
    const extra = await startConfig(SERVER_CONFIGS.courier, { name: 'matrix-stop', users: [alice] });
    const cyrus = await startConfig(SERVER_CONFIGS['cyrus-plain'], { name: 'matrix-stop2', users: [alice] });
    for (const s of [extra, cyrus]) {
      const root = (s as { root: string }).root;
      expect(processesRootedIn(root).length).toBeGreaterThan(0);
      expect(existsSync(join(root, INSTANCE_DIR))).toBe(true);
      await s.stop();
      expect(processesRootedIn(root)).toEqual([]);
      expect(existsSync(join(root, INSTANCE_DIR))).toBe(false);
      expect(readdirSync(root)).not.toContain('.mailmover-owner.json');
      await s.stop(); // idempotent
    }
    // nothing listens any more
    const refused = await new Promise<boolean>((resolve) => {
      const sock = netConnect({ host: '127.0.0.1', port: extra.imapPort });
      sock.once('connect', () => {
        sock.destroy();
        resolve(false);
      });
      sock.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
