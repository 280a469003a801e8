/**
 * Self-test of the real-mail-server harness (test/harness/*): starts real Dovecot instances and checks
 * every feature other tests rely on, plus a few Dovecot behaviours the migration engine must know about.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot.js';
import {
  connectImap,
  createFolder,
  folderState,
  listFolders,
  readFolder,
  seedFolder,
  setUidValidity,
  snapshotMailbox,
  withImap,
} from '../harness/mailbox.js';

const alice: DovecotUser = { user: 'alice', password: 'alice-pw' };
const bob: DovecotUser = { user: 'bob', password: 'bob-pw' };
const TOKEN = 'ya29.test-token-for-alice';
const MAX_MAIL = 64 * 1024;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function message(subject: string, body = 'Hello.\r\n'): string {
  return `From: Sender <sender@example.com>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\nDate: Mon, 4 Mar 2019 05:06:07 +0000\r\n\r\n${body}`;
}

/** Tries an imapflow login; resolves with the client (caller logs out) or rejects. */
async function imapLogin(server: DovecotServer, opts: Partial<ImapFlowOptions>): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.imapPort,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 10_000,
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

/** Minimal line-based client for raw protocol checks (no literals in the responses we read). */
async function rawLines(sock: Socket): Promise<{ next: (re: RegExp) => Promise<string>; send: (s: string) => void; close: () => void }> {
  let buf = '';
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    wake?.();
  });
  sock.on('error', (e) => {
    failed = e;
    wake?.();
  });
  sock.on('close', () => {
    failed ??= new Error('closed');
    wake?.();
  });
  return {
    next: (re) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = re.exec(buf);
          if (m) {
            wake = undefined;
            buf = buf.slice(m.index + m[0].length);
            resolve(m[0]);
          } else if (failed) reject(failed);
        };
        wake = check;
        check();
      }),
    send: (s) => sock.write(s),
    close: () => sock.destroy(),
  };
}

describe('Dovecot test harness', () => {
  let def: DovecotServer; // '/' separator, '' prefix, special-use, OAuth2, maxMailSize
  let courier: DovecotServer; // 'INBOX.' prefix, '.' separator, no special-use
  const started: DovecotServer[] = [];

  beforeAll(async () => {
    [def, courier] = await Promise.all([
      startDovecot({ name: 'harness-default', users: [alice, bob], oauth2Tokens: { [TOKEN]: 'alice' }, maxMailSize: MAX_MAIL }),
      startDovecot({ name: 'harness-courier', users: [alice], prefix: 'INBOX.', separator: '.', specialUse: false }),
    ]);
    started.push(def, courier);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    for (const s of started) {
      expect(existsSync(s.baseDir)).toBe(false);
      expect(() => process.kill(s.pid, 0)).toThrow(); // master is gone
    }
  });

  it('starts with the configured layout, ports and log', async () => {
    expect(def.separator).toBe('/');
    expect(def.prefix).toBe('');
    expect(courier.separator).toBe('.');
    expect(courier.prefix).toBe('INBOX.');
    const ports = [def.imapPort, def.imapsPort, def.pop3Port, def.pop3sPort, courier.imapPort, courier.imapsPort, courier.pop3Port, courier.pop3sPort];
    expect(new Set(ports).size).toBe(8);
    expect(def.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(def.logTail()).toMatch(/starting up for imap, pop3/);
    const ns = await withImap(courier, alice, async (c) => c.namespace);
    expect(ns).toMatchObject({ prefix: 'INBOX.', delimiter: '.' });
    const caps = await withImap(def, alice, async (c) => [...c.capabilities.keys()]);
    expect(caps).toEqual(expect.arrayContaining(['CONDSTORE', 'UIDPLUS', 'MULTIAPPEND', 'LITERAL+', 'BINARY', 'SPECIAL-USE', 'MOVE']));
  });

  it('doveadm runs against the instance and rejects with stderr on failure', async () => {
    const out = await def.doveadm(['user', '-f', 'home', 'alice']);
    expect(out.trim()).toBe(def.userHome('alice'));
    await expect(def.doveadm(['mailbox', 'status', '-u', 'alice', 'messages', 'NoSuchFolder'])).rejects.toThrow(/NoSuchFolder|not exist/i);
  });

  it('logs in as a user and refuses a wrong password', async () => {
    const c = await imapLogin(def, { auth: { user: 'alice', pass: alice.password } });
    await c.logout();
    await expect(imapLogin(def, { auth: { user: 'alice', pass: 'wrong' } })).rejects.toThrow();
  });

  it('addUser takes effect without a restart', async () => {
    const carol = { user: 'carol', password: 'carol-pw' };
    await expect(imapLogin(def, { auth: { user: carol.user, pass: carol.password } })).rejects.toThrow();
    await def.addUser(carol);
    expect(def.users.map((u) => u.user)).toContain('carol');
    const c = await imapLogin(def, { auth: { user: carol.user, pass: carol.password } });
    await c.logout();
  });

  describe('master user', () => {
    beforeAll(async () => {
      await seedFolder(def, alice, 'INBOX', [{ raw: message('only-in-alice-inbox') }]);
    });

    const subjects = async (c: ImapFlow): Promise<string[]> => {
      await c.mailboxOpen('INBOX', { readOnly: true });
      const out: string[] = [];
      for await (const m of c.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out;
    };

    it('logs in with LOGIN "alice*admin" and the master password', async () => {
      const c = await imapLogin(def, { auth: { user: `alice*${def.master.user}`, pass: def.master.password, loginMethod: 'LOGIN' } });
      try {
        expect(await subjects(c)).toContain('only-in-alice-inbox');
      } finally {
        await c.logout();
      }
    });

    it('logs in with SASL PLAIN authcid=admin, authzid=alice', async () => {
      const c = await imapLogin(def, {
        auth: { user: def.master.user, pass: def.master.password, loginMethod: 'AUTH=PLAIN', authzid: 'alice' },
      });
      try {
        expect(await subjects(c)).toContain('only-in-alice-inbox');
      } finally {
        await c.logout();
      }
    });

    it('refuses a wrong master password and a master login to an unknown user', async () => {
      // in parallel: Dovecot answers failed master logins only after ~0.5 s
      await Promise.all([
        expect(
          imapLogin(def, { auth: { user: def.master.user, pass: 'nope', loginMethod: 'AUTH=PLAIN', authzid: 'alice' } }),
        ).rejects.toThrow(),
        expect(imapLogin(def, { auth: { user: 'alice*admin', pass: 'nope', loginMethod: 'LOGIN' } })).rejects.toThrow(),
        expect(imapLogin(def, { auth: { user: 'nobody*admin', pass: def.master.password, loginMethod: 'LOGIN' } })).rejects.toThrow(),
      ]);
    });

    it('works on the Courier-style server too', async () => {
      const c = await imapLogin(courier, { auth: { user: 'alice*admin', pass: 'admin-secret', loginMethod: 'LOGIN' } });
      await c.logout();
    });
  });

  describe('OAuth2', () => {
    it('accepts XOAUTH2 with a known token and refuses a wrong one', async () => {
      const xoauth2 = async (user: string, token: string): Promise<string> => {
        const io = await rawLines(netConnect({ host: def.host, port: def.imapPort }));
        try {
          await io.next(/^\* OK.*\r\n/m);
          const payload = Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
          io.send(`x AUTHENTICATE XOAUTH2 ${payload}\r\n`);
          const line = await io.next(/^(\+ .*|x (OK|NO|BAD).*)\r\n/m);
          if (line.startsWith('+')) {
            io.send('\r\n'); // XOAUTH2 error challenge: answer with an empty response
            return await io.next(/^x (OK|NO|BAD).*\r\n/m);
          }
          return line;
        } finally {
          io.close();
        }
      };
      expect(await xoauth2('alice', TOKEN)).toMatch(/^x OK/);
      // failures in parallel (each takes ~0.5 s); the token of alice does not log in bob
      const [wrong, otherUser] = await Promise.all([xoauth2('alice', 'not-a-token'), xoauth2('bob', TOKEN)]);
      expect(wrong).toMatch(/^x NO/);
      expect(otherUser).toMatch(/^x NO/);
    });

    it('accepts OAUTHBEARER via imapflow accessToken; tokens can be added and revoked live', async () => {
      const c = await imapLogin(def, { auth: { user: 'alice', accessToken: TOKEN } });
      await c.logout();
      // The expectation is attached at once: a refusal that comes before it is awaited below
      // would otherwise be an unhandled rejection (vitest fails the run on it).
      const wrong = expect(imapLogin(def, { auth: { user: 'alice', accessToken: 'wrong' } })).rejects.toThrow();
      def.oauth2Tokens!['bob-token'] = 'bob';
      const b = await imapLogin(def, { auth: { user: 'bob', accessToken: 'bob-token' } });
      await b.logout();
      delete def.oauth2Tokens!['bob-token'];
      await Promise.all([
        wrong,
        expect(imapLogin(def, { auth: { user: 'bob', accessToken: 'bob-token' } })).rejects.toThrow(),
      ]);
    });
  });

  describe('TLS', () => {
    it('IMAPS succeeds when caPem is trusted', async () => {
      const c = await imapLogin(def, { port: def.imapsPort, secure: true, tls: { ca: [def.caPem] }, auth: { user: 'alice', pass: alice.password } });
      await c.logout();
    });

    it('IMAPS fails with a certificate error when caPem is not trusted', async () => {
      const err = await imapLogin(def, { port: def.imapsPort, secure: true, auth: { user: 'alice', pass: alice.password } }).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err).toBeDefined();
      expect(`${err!.code} ${err!.message}`).toMatch(/SELF_SIGNED|self[- ]signed|certificate/i);
    });

    it('STARTTLS on the plain port works with caPem', async () => {
      const c = await imapLogin(def, { doSTARTTLS: true, tls: { ca: [def.caPem] }, auth: { user: 'alice', pass: alice.password } });
      expect(c.secureConnection).toBe(true);
      await c.logout();
    });

    it('POP3S presents the same certificate (localhost name too)', async () => {
      const greeting = await new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: def.pop3sPort, ca: [def.caPem], servername: 'localhost' }, () => {
          s.once('data', (d: Buffer) => {
            resolve(d.toString());
            s.destroy();
          });
        });
        s.once('error', reject);
      });
      expect(greeting).toMatch(/^\+OK/);
    });
  });

  it('POP3 greets on pop3Port and serves the mailbox with UIDL', async () => {
    await seedFolder(courier, alice, 'INBOX', [{ raw: message('pop3 one') }, { raw: message('pop3 two') }]);
    const io = await rawLines(netConnect({ host: courier.host, port: courier.pop3Port }));
    try {
      expect(await io.next(/^\+OK.*\r\n/m)).toMatch(/^\+OK/);
      io.send('USER alice\r\n');
      await io.next(/^\+OK.*\r\n/m);
      io.send(`PASS ${alice.password}\r\n`);
      expect(await io.next(/^(\+OK|-ERR).*\r\n/m)).toMatch(/^\+OK/);
      io.send('STAT\r\n');
      expect(await io.next(/^\+OK \d+ \d+\r\n/m)).toMatch(/^\+OK [2-9]\d* /);
      io.send('UIDL\r\n');
      const uidl = await io.next(/^\+OK[^]*?\r\n\.\r\n/m);
      expect(uidl).toMatch(/^1 [0-9a-f]{16}\r\n/m); // pop3_uidl_format = %08Xu%08Xv (Dovecot prints %X in lowercase)
      io.send('QUIT\r\n');
    } finally {
      io.close();
    }
  });

  it('lists special-use folders with their flags (and none when specialUse is false)', async () => {
    const folders = await listFolders(def, alice);
    const byUse = Object.fromEntries(folders.filter((f) => f.specialUse).map((f) => [f.specialUse!, f]));
    for (const [use, path] of [['\\Sent', 'Sent'], ['\\Drafts', 'Drafts'], ['\\Trash', 'Trash'], ['\\Junk', 'Junk'], ['\\Archive', 'Archive']]) {
      expect(byUse[use!]?.path).toBe(path);
      expect(byUse[use!]?.flags).toContain(use);
      expect(byUse[use!]?.subscribed).toBe(true);
      expect(byUse[use!]?.delimiter).toBe('/');
    }
    const plain = await listFolders(courier, alice);
    expect(plain.filter((f) => f.specialUse)).toEqual([]);
    expect(plain.some((f) => /^INBOX\.(Sent|Drafts|Trash|Junk|Archive)$/.test(f.path))).toBe(false);
    expect(plain.find((f) => f.path === 'INBOX')?.delimiter).toBe('.');
  });

  it('maxMailSize rejects a bigger APPEND (Dovecot 2.3 does not advertise APPENDLIMIT)', async () => {
    await withImap(def, alice, async (c) => {
      // documented fact: if a Dovecot upgrade starts advertising it, the harness comment needs updating
      expect(c.capabilities.has('APPENDLIMIT')).toBe(false);
      const small = await c.append('INBOX', message('fits', 'x'.repeat(MAX_MAIL - 1024) + '\r\n'));
      expect(small && small.uid).toBeGreaterThan(0);
      const err = await c.append('INBOX', message('too big', 'x'.repeat(MAX_MAIL + 10) + '\r\n')).then(
        () => undefined,
        (e: unknown) => e as Error & { serverResponseCode?: string; responseText?: string },
      );
      expect(err).toBeDefined();
      expect(err!.serverResponseCode).toBe('LIMIT');
      expect(err!.responseText).toMatch(/size/i);
    });
  });

  describe('seeding and reading back', () => {
    const seeds = [
      { raw: message('seen + keyword'), flags: ['\\Seen', '$Important'], internalDate: new Date('2019-03-04T05:06:07Z') },
      { raw: Buffer.from(message('中文主题 utf-8 body', '你好，世界\r\n')), flags: ['\\Flagged', '\\Answered', '$Forwarded'], internalDate: new Date('2019-12-31T23:59:59Z') },
      { raw: message('no flags'), internalDate: new Date('2019-01-01T00:00:00Z') },
    ];

    const check = async (server: DovecotServer, folder: string, parent: string): Promise<void> => {
      const uids = await seedFolder(server, alice, folder, seeds);
      expect(uids).toEqual([1, 2, 3]);
      const back = await readFolder(server, alice, folder, { withRaw: true });
      expect(back.map((m) => m.uid)).toEqual(uids);
      back.forEach((m, i) => {
        const s = seeds[i]!;
        const bytes = typeof s.raw === 'string' ? Buffer.from(s.raw) : s.raw;
        expect(m.raw!.equals(bytes)).toBe(true);
        expect(m.sha256).toBe(sha256(bytes));
        expect(m.size).toBe(bytes.length);
        expect(m.rfc822Size).toBe(bytes.length);
        expect(m.flags).toEqual([...(s.flags ?? [])].sort());
        expect(m.internalDate.toISOString()).toBe(s.internalDate.toISOString());
      });
      const paths = (await listFolders(server, alice)).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining([parent, folder]));
    };

    it("round-trips bytes, flags ($Keyword too) and 2019 internal dates into '项目/2024'", async () => {
      await check(def, '项目/2024', '项目');
    });

    it("round-trips into 'INBOX.项目.2024' on the Courier-style server", async () => {
      await check(courier, 'INBOX.项目.2024', 'INBOX.项目');
    });

    it('the per-message APPEND method gives the same result', async () => {
      const uids = await seedFolder(def, alice, 'ViaAppend', seeds, { method: 'append' });
      const back = await readFolder(def, alice, 'ViaAppend');
      expect(uids).toEqual([1, 2, 3]);
      expect(back.map((m) => m.sha256)).toEqual(seeds.map((s) => sha256(s.raw)));
      expect(back.map((m) => m.flags)).toEqual(seeds.map((s) => [...(s.flags ?? [])].sort()));
    });

    it('readFolder does not set \\Seen', async () => {
      await seedFolder(def, alice, 'Unread', [{ raw: message('unread') }]);
      const before = await folderState(def, alice, 'Unread');
      expect((await readFolder(def, alice, 'Unread'))[0]!.flags).toEqual([]);
      expect((await readFolder(def, alice, 'Unread', { withRaw: true }))[0]!.flags).toEqual([]);
      const after = await folderState(def, alice, 'Unread');
      expect(after.highestModseq).toEqual(before.highestModseq);
      const unseen = await withImap(def, alice, async (c) => (await c.status('Unread', { unseen: true })));
      expect(unseen && unseen.unseen).toBe(1);
    });

    // How long it takes is logged, not asserted: speed belongs in the bench (bench/).
    it('seeds 5000 small messages in order, byte-exact with their flags', async () => {
      const many = Array.from({ length: 5000 }, (_, i) => ({ raw: message(`bulk ${i}`, 'y'.repeat(1900) + '\r\n'), flags: i % 2 ? ['\\Seen'] : [] }));
      const t0 = performance.now();
      const uids = await seedFolder(def, bob, 'Bulk', many);
      const seedMs = performance.now() - t0;
      expect(uids).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
      const back = await readFolder(def, bob, 'Bulk');
      expect(back.map((m) => m.sha256)).toEqual(many.map((m) => sha256(m.raw)));
      expect(back.filter((m) => m.flags.includes('\\Seen'))).toHaveLength(2500);
      console.log(`[harness] seeded 5000 x ~2KB in ${Math.round(seedMs)} ms (${def.baseDir})`);
    });
  });

  it('setUidValidity changes UIDVALIDITY as clients see it', async () => {
    await createFolder(def, alice, 'Renumbered');
    const before = await folderState(def, alice, 'Renumbered');
    await setUidValidity(def, alice, 'Renumbered', 4242);
    const after = await folderState(def, alice, 'Renumbered');
    expect(BigInt(before.uidValidity)).not.toBe(4242n);
    expect(after.uidValidity).toBe(4242n);
    const opened = await withImap(def, alice, (c) => c.mailboxOpen('Renumbered', { readOnly: true }));
    expect(opened.uidValidity).toBe(4242n);
    // Courier-style path
    await createFolder(courier, alice, 'INBOX.Old.Box');
    await setUidValidity(courier, alice, 'INBOX.Old.Box', 77);
    expect((await folderState(courier, alice, 'INBOX.Old.Box')).uidValidity).toBe(77n);
  });

  it('snapshotMailbox covers every selectable folder', async () => {
    const snap = await snapshotMailbox(courier, alice);
    expect(Object.keys(snap.folders)).toEqual(expect.arrayContaining(['INBOX', 'INBOX.项目.2024', 'INBOX.Old.Box']));
    expect(snap.folders['INBOX.项目.2024']!.messages).toHaveLength(3);
    expect(snap.folders['INBOX.项目.2024']!.state).toMatchObject({ messages: 3, uidNext: 4 });
    expect(snap.folders['INBOX.Old.Box']!.state.uidValidity).toBe(77n);
  });

  describe('Dovecot behaviours the engine must expect', () => {
    it('folder names with + * \\ are allowed with both separators; "." is literal only with "/"', async () => {
      for (const name of ['a+b', 'a*b', 'a\\b', 'v1.2']) await createFolder(def, alice, `Names/${name}`);
      const defPaths = (await listFolders(def, alice)).map((f) => f.path);
      expect(defPaths).toEqual(expect.arrayContaining(['Names/a+b', 'Names/a*b', 'Names/a\\b', 'Names/v1.2']));
      for (const name of ['a+b', 'a*b', 'a\\b']) await createFolder(courier, alice, `INBOX.Names.${name}`);
      await createFolder(courier, alice, 'INBOX.Names.v1.2'); // '.' is the separator: v1 / 2
      const cPaths = (await listFolders(courier, alice)).map((f) => f.path);
      expect(cPaths).toEqual(expect.arrayContaining(['INBOX.Names.a+b', 'INBOX.Names.a*b', 'INBOX.Names.a\\b', 'INBOX.Names.v1', 'INBOX.Names.v1.2']));
      // '/' is not allowed in a name on the Maildir++ ('.') server
      await expect(createFolder(courier, alice, 'INBOX.a/b')).rejects.toThrow();
    });

    it('a bare-LF message is returned with CRLF line endings by FETCH BODY[]', async () => {
      const lf = 'Subject: bare lf\n\nline 1\nline 2\n';
      await seedFolder(def, alice, 'LineEndings', [{ raw: lf }]);
      const [m] = await readFolder(def, alice, 'LineEndings', { withRaw: true });
      expect(m!.raw!.toString('latin1')).toBe(lf.replace(/\n/g, '\r\n'));
    });

    it('a NUL byte is accepted by APPEND (literal8) but BODY[] returns it as 0x80', async () => {
      const raw = Buffer.from('Subject: nul\r\n\r\nab\0cd\r\n', 'latin1');
      await withImap(def, alice, async (c) => {
        await c.mailboxCreate('Binary');
        const res = await c.append('Binary', raw); // imapflow uses ~{n} literal8 since BINARY is advertised
        expect(res && res.uid).toBe(1);
      });
      const [m] = await readFolder(def, alice, 'Binary', { withRaw: true });
      expect(m!.raw!.length).toBe(raw.length);
      expect(m!.raw!.includes(0)).toBe(false);
      expect(m!.raw!.toString('latin1')).toBe('Subject: nul\r\n\r\nab\x80cd\r\n');
    });
  });

  it('serves connections from one login process by default, one per connection with processPerConnection (the bench)', async () => {
    const loginProcesses = (master: number) =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === master && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('imap-login');
          } catch {
            return false; // exited meanwhile
          }
        }).length;
    const [shared, perConnection] = await Promise.all([
      startDovecot({ name: 'harness-login-shared', users: [alice] }),
      startDovecot({ name: 'harness-login-each', users: [alice], processPerConnection: true }),
    ]);
    try {
      for (const [server, expected] of [[shared, 1], [perConnection, 3]] as const) {
        // Over STARTTLS the login process stays, relaying the session's TLS.
        const clients = await Promise.all([1, 2, 3].map(() => connectImap(server, alice, { doSTARTTLS: true, tls: { ca: [server.caPem] } })));
        expect(loginProcesses(server.pid)).toBe(expected);
        await Promise.all(clients.map((c) => c.logout()));
      }
    } finally {
      await Promise.all([shared.stop(), perConnection.stop()]);
    }
  });

  it('stop() of an extra instance kills its master and removes its directory', async () => {
    const extra = await startDovecot({ name: 'harness-stop', users: [alice], fsync: true });
    const c = await connectImap(extra, alice);
    await c.logout();
    await extra.stop();
    expect(existsSync(extra.baseDir)).toBe(false);
    expect(() => process.kill(extra.pid, 0)).toThrow();
    await extra.stop(); // idempotent
  });
});
