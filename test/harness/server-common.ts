/**
 * Pieces shared by the chroot'ed servers (cyrus.ts, courier.ts): the common server interface,
 * certificates, readiness probes, process spawning and cleanup on exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { InstanceRoot } from './chroot.js';
import { OPENSSL_BIN } from './system-deps.js';

export type ServerKind = 'dovecot' | 'cyrus' | 'courier';

export interface MailUser {
  user: string;
  password: string;
}

/**
 * What every harness server offers (Dovecot, Cyrus, Courier). Engine tests and the mailbox.ts helpers
 * use only this; server-specific extras live on the concrete objects (DovecotServer.doveadm etc.).
 */
export interface MailServer {
  kind: ServerKind;
  /** the `name` option */
  name: string;
  host: '127.0.0.1';
  /** plain IMAP (STARTTLS available) */
  imapPort: number;
  /** implicit TLS */
  imapsPort: number;
  /** plain POP3 (STLS available) */
  pop3Port: number;
  /** implicit TLS */
  pop3sPort: number;
  /** PEM of the self-signed certificate (CN 127.0.0.1, SAN IP:127.0.0.1 + DNS:localhost) */
  caPem: string;
  users: MailUser[];
  /** admin that can log in as any user (SASL PLAIN authzid), when the server has one */
  master: MailUser | undefined;
  /** hierarchy separator of the personal namespace */
  separator: '/' | '.';
  /** personal namespace prefix */
  prefix: '' | 'INBOX.';
  /** Sent, Drafts, Trash, Junk, Archive exist with their SPECIAL-USE flags from the start */
  specialUse: boolean;
  /** capability facts (what the server advertises / does), asserted in test/integration/harness-matrix.test.ts */
  supportsSpecialUse: boolean;
  supportsCreateSpecialUse: boolean;
  supportsLiteralPlus: boolean;
  supportsMultiAppend: boolean;
  /** false: APPEND of a message with a bare LF is refused (Cyrus: NO Message contains bare newlines) */
  acceptsBareLf: boolean;
  /** true: 8-bit bytes in the header of an APPENDed message are stored as 'X' (Cyrus munge8bit) */
  rewrites8bitHeaders: boolean;
  /** true: POP3 RETR/TOP of a message with raw UTF-8 headers returns a wrapper unless `UTF8` was sent (Courier) */
  pop3NeedsUtf8ForRawHeaders: boolean;
  /** ms the start took (tree, config, cert, spawn, until all four ports answered) */
  startMs: number;
  /** last lines of the server's logs, for failure messages */
  logTail(lines?: number): string;
  /** kills only this instance's processes and removes its files; idempotent */
  stop(): Promise<void>;
}

/** Dovecot's default auth_username_chars; the chroot servers use the same rule so users are portable. */
export const USERNAME_RE = /^[a-z0-9.\-_@]+$/;

export function validateUsers(users: MailUser[], master: MailUser | undefined, who: string): void {
  const seen = new Set<string>();
  for (const u of master ? [master, ...users] : users) {
    if (!USERNAME_RE.test(u.user)) throw new Error(`${who}: invalid user name ${JSON.stringify(u.user)}`);
    if (!u.password || /[\r\n\0]/.test(u.password)) throw new Error(`${who}: user ${u.user} needs a password without CR/LF/NUL`);
    if (seen.has(u.user)) throw new Error(`${who}: duplicate user ${u.user}`);
    seen.add(u.user);
  }
}

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      // never include `input` in the error: it may be a password
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${(err as { code?: unknown }).code ?? '?'}): ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A server's certificate and key (PEM). release() hands them to the next server this process starts. */
export interface ServerCert {
  cert: string;
  key: string;
  release(): void;
}

/**
 * Certificates of this process's stopped servers. A run starts about 420 servers, and an
 * openssl process per certificate cost 13 to 22 ms of CPU each; a file's servers that run at
 * the same time still never share one (a test of trusting one server's certificate and not
 * the other's needs two).
 */
const spareCerts: Array<{ cert: string; key: string }> = [];

/** A self-signed EC certificate for 127.0.0.1/localhost, written to the two paths (the key 0600). */
export async function makeCert(certPath: string, keyPath: string): Promise<ServerCert> {
  const spare = spareCerts.pop();
  if (spare) {
    writeFileSync(certPath, spare.cert);
    writeFileSync(keyPath, spare.key, { mode: 0o600 });
  } else {
    await run(OPENSSL_BIN, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '3650',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    chmodSync(keyPath, 0o600);
  }
  const pems = spare ?? { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  let released = false;
  return {
    ...pems,
    release: () => {
      if (released) return;
      released = true;
      spareCerts.push(pems);
    },
  };
}

/**
 * SHA-512 crypt hashes of passwords this process has hashed (`openssl passwd -6`, one process
 * per user of a Courier start otherwise); the same test passwords recur in every file.
 */
const cryptHashes = new Map<string, string>();

export async function sha512Crypt(password: string): Promise<string> {
  let hash = cryptHashes.get(password);
  if (hash === undefined) {
    // password on stdin: never on a command line
    hash = (await run(OPENSSL_BIN, ['passwd', '-6', '-stdin'], `${password}\n`)).trim();
    cryptHashes.set(password, hash);
  }
  return hash;
}

/** uid/gid of a user in a chroot's /etc/passwd (the chroot's users need not exist on the host). */
export function chrootUser(root: string, name: string): { uid: number; gid: number } {
  const line = readFileSync(`${root}/etc/passwd`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const f = line?.split(':');
  const uid = Number(f?.[2]);
  const gid = Number(f?.[3]);
  if (!f || !Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${name} in ${root}/etc/passwd`);
  return { uid, gid };
}

import { probe } from './process-utils.js';

export { probe };

export interface Ports {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
}

/** Waits until all four ports greet; fails early when one of `children` exits. */
export async function waitReady(ports: Ports, ca: string, children: ChildProcess[], deadlineMs: number, what: string): Promise<void> {
  const checks: Array<[number, string, string | undefined]> = [
    [ports.imap, '* OK', undefined],
    [ports.pop3, '+OK', undefined],
    [ports.imaps, '* OK', ca],
    [ports.pop3s, '+OK', ca],
  ];
  // in parallel: each first connection makes the server fork/exec a login process, slow under load
  let failure: Error | undefined;
  await Promise.all(
    checks.map(async ([port, expect, tlsCa]) => {
      for (;;) {
        if (failure) return;
        const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
        if (dead) throw (failure = new Error(`${what}: ${dead.spawnargs.slice(2, 4).join(' ')} exited during startup (${dead.exitCode ?? dead.signalCode})`));
        if (await probe(port, expect, 2000, tlsCa)) return;
        if (Date.now() > deadlineMs) throw (failure = new Error(`${what} did not answer on 127.0.0.1:${port}${tlsCa ? ' (TLS)' : ''} in time`));
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
}

/**
 * Starts `chroot <root> <argv...>` with only `env`, stdout+stderr appended to `logFile` (a path
 * outside or inside the tree). The child is unref'd: a test process that forgets stop() still exits,
 * and its 'exit' handler (registerChrootCleanup) kills the instance.
 */
export function spawnInRoot(root: string, argv: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    // detached: own process group. Cyrus's master answers SIGTERM with kill(0, SIGTERM), which in the
    // test's process group would terminate vitest itself.
    const child = spawn('chroot', [root, ...argv], { stdio: ['ignore', fd, fd], detached: true, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env } });
    child.on('error', () => {}); // reported by the readiness checks
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// cleanup of instances still running when the test process ends

const liveRoots = new Set<InstanceRoot>();
let cleanupRegistered = false;

function cleanupAllSync(): void {
  for (const root of [...liveRoots]) {
    liveRoots.delete(root);
    try {
      root.releaseSync();
    } catch {
      /* best effort */
    }
  }
}

/** Releases `root` (kills its processes) when the test process exits without stopping the server. */
export function trackRoot(root: InstanceRoot): void {
  liveRoots.add(root);
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.on('exit', cleanupAllSync);
  const signo = { SIGINT: 2, SIGHUP: 1, SIGTERM: 15 } as const;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(sig) > 0) {
      // someone (dovecot.ts, vitest) handles it: clean ours first and let them decide
      process.prependListener(sig, cleanupAllSync);
      continue;
    }
    // Nobody handles it: clean up, then exit as the signal would have (process.exit also runs the
    // 'exit' handlers of dovecot.ts, which a re-raised signal would skip).
    process.on(sig, () => {
      cleanupAllSync();
      process.exit(128 + signo[sig]);
    });
  }
}

export function untrackRoot(root: InstanceRoot): void {
  liveRoots.delete(root);
}

/** stop() of a chroot instance: idempotent; the tree goes back to the pool and is forgotten. */
export function instanceStopper(root: InstanceRoot): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await root.release();
    untrackRoot(root);
  };
}
