/**
 * Real Cyrus IMAP 3.6 (Debian bookworm cyrus-imapd/cyrus-pop3d) servers for integration tests.
 *
 * Each `startCyrus()` runs in its own tree, a hard-link copy of the cached bookworm chroot (a reused slot, see chroot.ts):
 * `chroot <tree> busybox syslogd` (Cyrus logs only to syslog; the log is <tree>/run/mm/log/syslog)
 * and `chroot <tree> master -C /run/mm/imapd.conf -M /run/mm/cyrus.conf -D`, whose four services
 * listen on free ports on 127.0.0.1 (imapd, imapd -s, pop3d, pop3d -s). Users are in a per-instance
 * sasldb (auxprop), mailboxes and databases under /run/mm in the tree. The INBOX (and, with
 * specialUse, Sent/Drafts/Trash/Junk/Archive with their flags) is created by Cyrus at the first login
 * (autocreate_quota: 0), which start does for every user, so they exist when the caller gets the server.
 * stop() kills the processes rooted in the tree and removes /run/mm there (the tree is reused).
 *
 * Facts about Cyrus 3.6.1 (Debian 3.6.1-4+deb12u*) found here; the ones marked [asserted] are checked in
 * test/integration/harness-matrix.test.ts:
 * - 3.x defaults are altnamespace: 1 + unixhierarchysep: 1 ('/' separator, folders next to INBOX);
 *   Debian's imapd.conf turns both off ('.' separator, NAMESPACE (("INBOX." "."))). We offer both:
 *   separator '.' = Debian's config, prefix 'INBOX.'; separator '/' = upstream's, prefix ''. [asserted]
 * - APPEND of a message containing a bare LF is refused: `NO Message contains bare newlines`. [asserted]
 * - 8-bit bytes in the header of an APPENDed message are replaced by 'X' (one per byte; the size is
 *   unchanged), body bytes are kept. That is munge8bit (default on), documented for lmtpd but applied to
 *   APPEND too. [asserted]
 * - CAPABILITY has LITERAL+, MULTIAPPEND, SPECIAL-USE, CREATE-SPECIAL-USE, UIDPLUS, CONDSTORE, QRESYNC,
 *   BINARY, MOVE, APPENDLIMIT=4294967295; after login the list says LOGINDISABLED (harmless). [asserted]
 * - `CREATE INBOX.Sent (USE (\Sent))` works; autocreate_inbox_folders + xlist-<flag> give the
 *   special-use folders at the first login. [asserted]
 * - allowplaintext: yes is needed for LOGIN/AUTH=PLAIN on the plain ports (Debian sets it); STARTTLS
 *   and STLS are offered on the plain ports.
 * - master answers SIGTERM with kill(0, SIGTERM): it must run in its own process group (spawnInRoot
 *   uses detached), or stopping a Cyrus terminates the test runner that started it.
 * - A NUL byte (APPEND literal8, BINARY is advertised) is stored and BODY[] returns it intact. [asserted]
 * - A message without any header line is refused: `NO Message contains invalid header`. [asserted]
 * - A failed login pauses 3 s (failedloginpause); set to 0 here.
 * - `virtdomains: userid` so that logins like alice@old.example.com work (without it: "cross-realm
 *   login denied") and are separate accounts from alice@new.example.com; such users are created in
 *   the sasldb with their domain as realm (saslpasswd2 -u).
 * - With the '.' separator a '/' in a folder name is refused (CREATE INBOX.a/b: NO). [asserted]
 * - `proxyservers: admin` lets the master user log in as anyone with SASL PLAIN authzid=<user>
 *   (Dovecot's "user*admin" LOGIN form does not exist in Cyrus).
 * - POP3 (pop3d) serves only INBOX; RETR sets \Seen (popuseimapflags off: only the POP3 "last read"
 *   state), UIDL is "<uidvalidity>.<uid>".
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { acquireInstanceRoot, INSTANCE_DIR as I, tailFile } from './chroot.js';
import { getFreePorts } from './free-port.js';
import {
  chrootUser,
  makeCert,
  run,
  spawnInRoot,
  trackRoot,
  instanceStopper,
  validateUsers,
  waitReady,
  type MailServer,
  type MailUser,
  type Ports,
} from './server-common.js';

export interface StartCyrusOptions {
  name: string;
  users: MailUser[];
  /** default { user: 'admin', password: 'admin-secret' } (proxy authorization, not a mailbox) */
  master?: MailUser;
  /**
   * '.' (default): Debian's imapd.conf, altnamespace: no + unixhierarchysep: no, prefix 'INBOX.'.
   * '/': Cyrus 3 upstream defaults, altnamespace: yes + unixhierarchysep: yes, prefix ''.
   */
  separator?: '.' | '/';
  /** default true: Sent, Drafts, Trash, Junk, Archive created with SPECIAL-USE flags at the first login */
  specialUse?: boolean;
  /** raw imapd.conf lines appended at the end (later settings win) */
  extraConfig?: string;
}

export interface CyrusServer extends MailServer {
  kind: 'cyrus';
  /** the instance's tree (chroot) */
  root: string;
  /** paths as the host sees them */
  confPath: string;
  logPath: string;
}

const DEFAULT_MASTER: MailUser = { user: 'admin', password: 'admin-secret' };
const SPECIAL: ReadonlyArray<[string, string]> = [
  ['Sent', 'sent'],
  ['Drafts', 'drafts'],
  ['Trash', 'trash'],
  ['Junk', 'junk'],
  ['Archive', 'archive'],
];

function imapdConf(o: { separator: '.' | '/'; specialUse: boolean; master: MailUser; extra?: string }): string {
  const slash = o.separator === '/';
  const lines = [
    `configdirectory: ${I}/conf`,
    `proc_path: ${I}/conf/proc`,
    `mboxname_lockpath: ${I}/conf/lock`,
    `defaultpartition: default`,
    `partition-default: ${I}/spool`,
    `sievedir: ${I}/sieve`,
    `lmtpsocket: ${I}/conf/socket/lmtp`,
    `idlesocket: ${I}/conf/socket/idle`,
    `notifysocket: ${I}/conf/socket/notify`,
    `altnamespace: ${slash ? 'yes' : 'no'}`,
    `unixhierarchysep: ${slash ? 'yes' : 'no'}`,
    // INBOX (and autocreate_inbox_folders) are created at the first login
    `autocreate_quota: 0`,
    `allowplaintext: yes`,
    `sasl_pwcheck_method: auxprop`,
    `sasl_auxprop_plugin: sasldb`,
    `sasl_sasldb_path: ${I}/sasldb2`,
    `sasl_mech_list: PLAIN LOGIN`,
    `proxyservers: ${o.master.user}`,
    `tls_server_cert: ${I}/ssl/cert.pem`,
    `tls_server_key: ${I}/ssl/key.pem`,
    // user@domain logins (the engine suites use them) as separate accounts; plain names still work
    `virtdomains: userid`,
    `hashimapspool: false`,
    `syslog_prefix: mailmover`,
    `umask: 077`,
    `popminpoll: 0`,
    // Cyrus pauses 3 s after a failed login by default; tests of wrong passwords would wait for it
    `failedloginpause: 0`,
    // tests connect a lot: no per-user/host login limits
    `maxlogins_per_user: 0`,
    `maxlogins_per_host: 0`,
  ];
  if (o.specialUse) {
    lines.push(`autocreate_inbox_folders: ${SPECIAL.map(([n]) => n).join(' | ')}`);
    lines.push(`autocreate_subscribe_folders: ${SPECIAL.map(([n]) => n).join(' | ')}`);
    for (const [n, flag] of SPECIAL) lines.push(`xlist-${flag}: ${n}`);
  }
  if (o.extra) lines.push('# extraConfig', o.extra);
  return lines.join('\n') + '\n';
}

function cyrusConf(ports: Ports): string {
  const c = `-C ${I}/imapd.conf`;
  return `START {
  recover cmd="ctl_cyrusdb ${c} -r"
}
SERVICES {
  imap  cmd="imapd ${c}"    listen="127.0.0.1:${ports.imap}"  prefork=0 maxchild=100
  imaps cmd="imapd -s ${c}" listen="127.0.0.1:${ports.imaps}" prefork=0 maxchild=100
  pop3  cmd="pop3d ${c}"    listen="127.0.0.1:${ports.pop3}"  prefork=0 maxchild=50
  pop3s cmd="pop3d -s ${c}" listen="127.0.0.1:${ports.pop3s}" prefork=0 maxchild=50
}
EVENTS {
}
`;
}

export async function startCyrus(opts: StartCyrusOptions): Promise<CyrusServer> {
  const t0 = performance.now();
  const master = opts.master ?? { ...DEFAULT_MASTER };
  validateUsers(opts.users, master, 'startCyrus');
  const separator = opts.separator ?? '.';
  const specialUse = opts.specialUse ?? true;

  const tree = acquireInstanceRoot('cyrus', opts.name);
  trackRoot(tree);
  const root = tree.dir;
  const inst = join(root, I);
  const logPath = join(inst, 'log', 'syslog');
  const masterLog = join(inst, 'log', 'master.out');
  const confPath = join(inst, 'imapd.conf');
  const logTail = (lines = 50): string => [tailFile(masterLog, 10), tailFile(logPath, lines)].filter(Boolean).join('\n');
  const stop = instanceStopper(tree);
  try {
    const cyrus = chrootUser(root, 'cyrus');
    for (const d of ['conf', 'conf/db', 'conf/socket', 'conf/proc', 'conf/lock', 'conf/quota', 'conf/user', 'conf/msg', 'conf/ptclient', 'conf/log', 'conf/sync', 'spool', 'sieve', 'ssl', 'log']) {
      mkdirSync(join(inst, d), { recursive: true, mode: 0o750 });
    }
    const certs = await makeCert(join(inst, 'ssl', 'cert.pem'), join(inst, 'ssl', 'key.pem'));
    const cert = certs.cert;
    writeFileSync(confPath, imapdConf({ separator, specialUse, master, extra: opts.extraConfig }));

    // sasldb: one saslpasswd2 per user, password on stdin (-p), never on a command line or in a log
    for (const u of [master, ...opts.users]) {
      const at = u.user.lastIndexOf('@');
      const args = at > 0 ? ['-u', u.user.slice(at + 1), u.user.slice(0, at)] : [u.user];
      await run('chroot', [root, 'saslpasswd2', '-p', '-c', '-f', `${I}/sasldb2`, ...args], u.password);
    }
    await run('chown', ['-R', `${cyrus.uid}:${cyrus.gid}`, inst]);

    // syslog first, so Cyrus's startup messages are captured (a reused tree still has the old socket)
    rmSync(join(root, 'dev', 'log'), { force: true });
    const syslogd = spawnInRoot(root, ['busybox', 'syslogd', '-n', '-S', '-O', `${I}/log/syslog`], {}, join(inst, 'log', 'syslogd.out'));
    for (const deadline = Date.now() + 3000; !existsSync(join(root, 'dev', 'log')) && Date.now() < deadline; ) {
      await new Promise((res) => setTimeout(res, 10));
    }

    let ports: Ports | undefined;
    let masterProc;
    for (let attempt = 1; ; attempt++) {
      const [imap, imaps, pop3, pop3s] = await getFreePorts(4);
      ports = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
      writeFileSync(join(inst, 'cyrus.conf'), cyrusConf(ports));
      masterProc = spawnInRoot(root, ['/usr/lib/cyrus/bin/master', '-C', `${I}/imapd.conf`, '-M', `${I}/cyrus.conf`, '-p', `${I}/master.pid`, '-D'], {}, masterLog);
      try {
        await waitReady(ports, cert, [masterProc, syslogd], Date.now() + 15_000, `cyrus(${opts.name})`);
        break;
      } catch (err) {
        const inUse = /in use/i.test(logTail(30));
        const m = masterProc;
        if (m.exitCode === null && m.signalCode === null) {
          const exited = new Promise((res) => m.once('exit', res));
          m.kill('SIGTERM');
          await exited;
        }
        if (inUse && attempt < 4) continue;
        throw new Error(`startCyrus(${opts.name}) failed: ${(err as Error).message}\n--- log ---\n${logTail(40)}`);
      }
    }

    // First login of every user creates its INBOX (+ special-use folders): do it now, so tests see a
    // normal, provisioned account (and a failing login shows up here, not in the middle of a test).
    await Promise.all(
      opts.users.map(async (u) => {
        const c = new ImapFlow({ host: '127.0.0.1', port: ports!.imap, secure: false, doSTARTTLS: false, logger: false, disableAutoIdle: true, auth: { user: u.user, pass: u.password } });
        c.on('error', () => {});
        try {
          await c.connect();
          await c.logout();
        } catch (err) {
          c.close();
          throw new Error(`startCyrus(${opts.name}): first login of ${u.user} failed: ${(err as Error).message}\n${logTail(20)}`);
        }
      }),
    );

    const server: CyrusServer = {
      kind: 'cyrus',
      name: opts.name,
      host: '127.0.0.1',
      imapPort: ports.imap,
      imapsPort: ports.imaps,
      pop3Port: ports.pop3,
      pop3sPort: ports.pop3s,
      caPem: cert,
      users: opts.users.map((u) => ({ ...u })),
      master,
      separator,
      prefix: separator === '.' ? 'INBOX.' : '',
      specialUse,
      supportsSpecialUse: true,
      supportsCreateSpecialUse: true,
      supportsLiteralPlus: true,
      supportsMultiAppend: true,
      acceptsBareLf: false,
      rewrites8bitHeaders: !/^\s*munge8bit:\s*(no|off|0|false)\s*$/im.test(opts.extraConfig ?? ''),
      pop3NeedsUtf8ForRawHeaders: false,
      startMs: 0,
      root,
      confPath,
      logPath,
      logTail,
      stop: async () => {
        await stop();
        certs.release();
      },
    };
    server.startMs = Math.round(performance.now() - t0);
    return server;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The imapd.conf of a running instance (for failure messages and tests of the config). */
export function cyrusConfig(server: CyrusServer): string {
  return readFileSync(server.confPath, 'utf8');
}
