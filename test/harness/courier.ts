/**
 * Real Courier-IMAP 5.0 / Courier POP3 (Debian bookworm courier-imap, courier-pop, courier-authdaemon)
 * servers for integration tests.
 *
 * Each `startCourier()` runs in its own tree, a hard-link copy of the cached bookworm chroot (a reused slot, see chroot.ts),
 * because authdaemond's socket (/run/courier/authdaemon/socket) and config (/etc/courier/authdaemonrc,
 * /etc/courier/userdb.dat) are compiled-in paths. Processes, all `chroot <tree> ...` children of the test:
 * authdaemond (module authuserdb, users in a per-instance userdb with SHA-512 crypt passwords) and four
 * couriertcpd listeners on free ports on 127.0.0.1: imaplogin+imapd (STARTTLS), couriertls+imaplogin
 * (IMAPS), courierpop3login+courierpop3d (STLS), couriertls+courierpop3login (POP3S). Their environment
 * is Debian's /etc/courier/{imapd,imapd-ssl,pop3d,pop3d-ssl} as shipped, sourced by a small script, with
 * only the certificate, the TLS cache file and the per-IP limits overridden (and IMAP_ULIMITD's
 * `ulimit -v` of the init script not applied). Maildirs are <tree>/run/mm/home/<user>/Maildir, owned
 * by the chroot's `mail` user. Logs (stderr of all processes): <tree>/run/mm/log/courier.log.
 * stop() kills the processes rooted in the tree and removes /run/mm there (the tree is reused).
 *
 * Facts about Courier-IMAP 5.0.13 / courier-pop 1.0.16 (Debian bookworm) found here; [asserted] ones are
 * checked in test/integration/harness-matrix.test.ts:
 * - Namespace (("INBOX." ".")): folders are INBOX.<name>, separator '.', Maildir++ on disk. [asserted]
 * - CAPABILITY (Debian's IMAP_CAPABILITY): IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD SORT QUOTA IDLE
 *   ACL ACL2=UNION STARTTLS ENABLE UTF8=ACCEPT. No SPECIAL-USE, no LITERAL+, no MULTIAPPEND, no
 *   CONDSTORE, no MOVE. [asserted] AUTH=PLAIN only after STARTTLS / on IMAPS; LOGIN works in clear.
 * - No special-use folders and no way to flag one (no SPECIAL-USE / CREATE-SPECIAL-USE). [asserted]
 * - POP3: for a message with raw UTF-8 (8-bit) header bytes, RETR/TOP return a generated
 *   "Cannot display Unicode content" wrapper (a different message, size differing from LIST) unless the
 *   client sent `UTF8` first (CAPA advertises "UTF8 USER"). [asserted]
 * - APPEND of a bare-LF message is accepted; BODY[] returns it with CRLF. A NUL byte (plain literal)
 *   is stored and BODY[] returns it intact (Dovecot shows 0x80 there). [asserted]
 * - POP3 CAPA advertises LOGIN-DELAY 10 but does not enforce it; UIDL is Maildir-based.
 * - A failed IMAP or POP3 login is answered after a hard-coded ~5 s pause (imaplogin/courierpop3login sleep).
 * - STARTTLS runs couriertls as the courier user: the TLS session cache must be courier's (else
 *   "NO STARTTLS failed: ... Permission denied" after "OK Begin SSL/TLS negotiation now").
 * - authdaemond with DEBUG_LOGIN=2 logs passwords in clear: kept at 0.
 */
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireInstanceRoot, INSTANCE_DIR as I, tailFile, writeFresh } from './chroot.js';
import { getFreePorts } from './free-port.js';
import {
  chrootUser,
  makeCert,
  sha512Crypt,
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

export interface StartCourierOptions {
  name: string;
  users: MailUser[];
}

export interface CourierServer extends MailServer {
  kind: 'courier';
  /** the instance's tree (chroot) */
  root: string;
  logPath: string;
  /** Maildir of a user as the host sees it */
  maildir(user: string): string;
}


function tcpdScript(o: { port: number; tls: boolean; pop3: boolean }): string {
  const login = o.pop3
    ? '/usr/lib/courier/courier/courierpop3login /usr/lib/courier/courier/courierpop3d Maildir'
    : '/usr/lib/courier/courier/imaplogin /usr/bin/imapd Maildir';
  const conf = o.pop3 ? ['/etc/courier/pop3d', '/etc/courier/pop3d-ssl'] : ['/etc/courier/imapd', '/etc/courier/imapd-ssl'];
  // What /usr/lib/courier/{imapd,imapd-ssl,pop3d,pop3d-ssl} (the init scripts) do, minus courierlogger
  // (logs go to our stderr file) and the pid files, in the foreground.
  return [
    '#!/bin/sh',
    'set -a',
    'prefix=/usr; exec_prefix=/usr; sbindir=/usr/sbin; bindir=/usr/bin',
    ...conf.map((c) => `. ${c}`),
    `TLS_CERTFILE=${I}/ssl/server.pem`,
    `TLS_CACHEFILE=${I}/tls-cache`,
    o.pop3 ? 'POP3_STARTTLS=YES' : 'IMAP_STARTTLS=YES',
    o.tls ? (o.pop3 ? 'POP3_TLS=1' : 'IMAP_TLS=1') : '',
    'umask 022',
    `exec /usr/sbin/couriertcpd -address=127.0.0.1 -maxprocs=100 -maxperip=100 -nodnslookup -noidentlookup ${o.port} ` +
      (o.tls ? '/usr/bin/couriertls -server -tcpd ' : '') +
      login,
    '',
  ].join('\n');
}

export async function startCourier(opts: StartCourierOptions): Promise<CourierServer> {
  const t0 = performance.now();
  validateUsers(opts.users, undefined, 'startCourier');
  const tree = acquireInstanceRoot('courier', opts.name);
  trackRoot(tree);
  const root = tree.dir;
  const inst = join(root, I);
  const logPath = join(inst, 'log', 'courier.log');
  const logTail = (lines = 50): string => tailFile(logPath, lines);
  const stop = instanceStopper(tree);
  try {
    const mail = chrootUser(root, 'mail');
    for (const d of ['ssl', 'home', 'log']) mkdirSync(join(inst, d), { recursive: true, mode: 0o755 });
    mkdirSync(join(root, 'run/courier/authdaemon'), { recursive: true, mode: 0o750 });
    rmSync(join(root, 'run/courier/authdaemon/socket'), { force: true }); // left by the tree's previous user
    writeFileSync(logPath, '');
    const certs = await makeCert(join(inst, 'ssl', 'cert.pem'), join(inst, 'ssl', 'key.pem'));
    const { cert, key } = certs;
    // As Debian's package and init scripts have them: the pem readable by its group, the TLS
    // session cache owned by courier (couriertls of a STARTTLS runs as courier: "Permission denied")
    const courier = chrootUser(root, 'courier');
    writeFileSync(join(inst, 'ssl', 'server.pem'), key + cert, { mode: 0o640 });
    chownSync(join(inst, 'ssl', 'server.pem'), 0, statSync(join(root, 'etc/courier/imapd.pem')).gid); // the package's group
    writeFileSync(join(inst, 'tls-cache'), '', { mode: 0o600 });
    chownSync(join(inst, 'tls-cache'), courier.uid, courier.gid);

    // authdaemond: userdb only; DEBUG_LOGIN stays 0 (2 would log passwords)
    writeFresh(join(root, 'etc/courier/authdaemonrc'), 'authmodulelist="authuserdb"\ndaemons=3\nauthdaemonvar=/run/courier/authdaemon\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=""\nLOGGEROPTS=""\n');
    const lines: string[] = [];
    for (const u of opts.users) {
      const hash = await sha512Crypt(u.password);
      const home = `${I}/home/${u.user}`;
      lines.push(`${u.user}\tuid=${mail.uid}|gid=${mail.gid}|home=${home}|mail=${home}/Maildir|systempw=${hash}\n`);
      const md = join(root, home, 'Maildir');
      for (const sub of ['', 'cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true, mode: 0o700 });
      for (const p of [join(root, home), md, join(md, 'cur'), join(md, 'new'), join(md, 'tmp')]) chownSync(p, mail.uid, mail.gid);
    }
    for (const f of ['userdb', 'userdb.dat', 'userdbshadow.dat', 'userdb.lock']) rmSync(join(root, 'etc/courier', f), { force: true });
    writeFresh(join(root, 'etc/courier/userdb'), lines.join(''), 0o600);
    await run('chroot', [root, 'makeuserdb']);

    const children = [spawnInRoot(root, ['/usr/lib/courier/courier-authlib/authdaemond'], {}, logPath)];
    for (const deadline = Date.now() + 5000; !existsSync(join(root, 'run/courier/authdaemon/socket')); ) {
      if (Date.now() > deadline || children[0]!.exitCode !== null) throw new Error(`authdaemond did not start\n${logTail(20)}`);
      await new Promise((res) => setTimeout(res, 10));
    }

    let ports: Ports | undefined;
    for (let attempt = 1; ; attempt++) {
      const [imap, imaps, pop3, pop3s] = await getFreePorts(4);
      ports = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
      const tcpd = [];
      for (const [svc, port, tls, pop3] of [
        ['imap', ports.imap, false, false],
        ['imaps', ports.imaps, true, false],
        ['pop3', ports.pop3, false, true],
        ['pop3s', ports.pop3s, true, true],
      ] as const) {
        writeFileSync(join(inst, `${svc}.sh`), tcpdScript({ port, tls, pop3 }), { mode: 0o755 });
        tcpd.push(spawnInRoot(root, ['/bin/sh', `${I}/${svc}.sh`], {}, logPath));
      }
      try {
        await waitReady(ports, cert, [...children, ...tcpd], Date.now() + 15_000, `courier(${opts.name})`);
        children.push(...tcpd);
        break;
      } catch (err) {
        for (const c of tcpd) if (c.exitCode === null) c.kill('SIGTERM');
        const inUse = /in use/i.test(logTail(20));
        if (inUse && attempt < 4) continue;
        throw new Error(`startCourier(${opts.name}) failed: ${(err as Error).message}\n--- log ---\n${logTail(40)}`);
      }
    }

    const server: CourierServer = {
      kind: 'courier',
      name: opts.name,
      host: '127.0.0.1',
      imapPort: ports.imap,
      imapsPort: ports.imaps,
      pop3Port: ports.pop3,
      pop3sPort: ports.pop3s,
      caPem: cert,
      users: opts.users.map((u) => ({ ...u })),
      master: undefined,
      separator: '.',
      prefix: 'INBOX.',
      specialUse: false,
      supportsSpecialUse: false,
      supportsCreateSpecialUse: false,
      supportsLiteralPlus: false,
      supportsMultiAppend: false,
      acceptsBareLf: true,
      rewrites8bitHeaders: false,
      pop3NeedsUtf8ForRawHeaders: true,
      startMs: 0,
      root,
      logPath,
      maildir: (user: string) => join(root, I, 'home', user, 'Maildir'),
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

