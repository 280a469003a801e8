/**
 * Real Dovecot (2.3) IMAP/POP3 servers for integration tests.
 *
 * Every `startDovecot()` call runs its own Dovecot master (`dovecot -F -c <conf>`, a child of the test
 * process) with a private temp directory holding everything it writes: config, base_dir (sockets,
 * master.pid), state_dir, log, passwd-files, TLS cert/key and the maildirs. Listeners are on 127.0.0.1
 * only, on free ports. The system dovecot (if any) and /etc/dovecot are never touched. A start takes
 * ~60-150 ms; stop() ~40 ms (SIGKILL: the instance's data is deleted anyway).
 *
 * Facts about Dovecot 2.3.19 this relies on / found out (most are asserted in test/integration/harness.test.ts):
 * - As root, Dovecot needs default_login_user / default_internal_user (dovenull / dovecot) and a
 *   non-root mail uid/gid (we use the `mail` system user, uid 8) with first_valid_uid <= that uid.
 *   Not root: everything runs as the current user (default_internal_group too, no chroots).
 * - ssl_dh: 2.3 only uses DH parameters for (non-EC) DHE suites. The Debian package ships
 *   /usr/share/dovecot/dh.pem, which is used when present; without it ssl_dh stays empty, which
 *   Dovecot accepts (ECDHE works). Nothing is generated at start.
 * - Failed-auth delays: auth_failure_delay=0 and no anvil auth penalty still leave a 0.5 s flush timer
 *   for failures (AUTH_FAILURE_DELAY_CHECK_MSECS); a last static passdb with nodelay removes it for
 *   plain/login. Wrong master-user passwords and failed XOAUTH2/OAUTHBEARER keep the ~0.5 s.
 * - APPENDLIMIT: Dovecot 2.3.19 does NOT advertise APPENDLIMIT, not even with quota_max_mail_size
 *   (the string occurs in no 2.3.19 binary). An APPEND bigger than maxMailSize is refused after the
 *   literal was sent: `NO [LIMIT] Mail size is larger than the maximum size allowed by server configuration`.
 * - Messages are stored with LF line ends; FETCH BODY[] returns every bare LF as CRLF (a bare CR stays,
 *   a missing final newline stays missing), so a message appended with bare LFs comes back different.
 * - NUL bytes: APPEND with a literal8 (~{n}, imapflow does that when BINARY is advertised) and even a
 *   plain literal is accepted and stored with the NUL; FETCH BODY[] returns the NUL as 0x80 (same
 *   size), FETCH BINARY[] returns it intact.
 * - Mailbox names: with separator '/' (maildir LAYOUT=fs) '+', '*', '\', '%', '.', '&', '"' and '~'
 *   can all be created; with '.' (Maildir++) the same except that '.' is the hierarchy separator and
 *   '/' is refused ("Name must not have '/' characters").
 * - Master user: "alice*admin" + admin's password and SASL PLAIN authzid=alice/authcid=admin both work.
 *   "alice*alice" with alice's own password also logs in (Dovecot falls back to the normal passdb);
 *   a master login to a non-existent user gets NO [AUTHORIZATIONFAILED].
 * - pop3_uidl_format %08Xu%08Xv prints lowercase hex.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  accessSync,
  constants as fsConstants,
  statfsSync,
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOVEADM_BIN, DOVECOT_BIN, requireDovecot } from './system-deps.js';
import { makeCert, type ServerCert } from './server-common.js';
import { getFreePorts } from './free-port.js';
import { isAlive, probe, sleepSync } from './process-utils.js';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface StartDovecotOptions {
  /** used in the temp dir name (and Dovecot's instance_name) */
  name: string;
  users: DovecotUser[];
  /** default { user: 'admin', password: 'admin-secret' } */
  master?: DovecotUser;
  /** hierarchy separator; default '/' (or '.' when prefix is 'INBOX.') */
  separator?: '/' | '.';
  /** personal namespace prefix, default ''. ('INBOX.' + '.' = Courier/Cyrus style; 'INBOX.' requires separator '.') */
  prefix?: '' | 'INBOX.';
  /**
   * default true: Sent, Drafts, Trash, Junk, Archive auto-created + subscribed with SPECIAL-USE
   * flags. false: no special_use at all (like an old provider server).
   */
  specialUse?: boolean;
  /**
   * Reject messages bigger than this many bytes (quota plugin, quota_max_mail_size): APPEND of a
   * bigger message fails with `NO [LIMIT] Mail size is too large`. Dovecot 2.3 does not advertise
   * APPENDLIMIT for it (see the file comment), so clients only learn about it from the failure.
   */
  maxMailSize?: number;
  /** default false (mail_fsync=never for fast tests); true = Dovecot default (optimized) */
  fsync?: boolean;
  /**
   * default false: Dovecot's high-performance mode (login processes serve many connections,
   * imap/pop3 processes are reused), cheaper for a test suite that opens thousands of
   * connections; true = Dovecot's default, one login process per connection (the bench, whose
   * reference figures were taken that way).
   */
  processPerConnection?: boolean;
  /**
   * access token -> username. When set, XOAUTH2 + OAUTHBEARER are enabled via an oauth2 passdb whose
   * introspection_url points to a small HTTP server the harness runs on 127.0.0.1. The object is
   * looked up live (also exposed as `server.oauth2Tokens`), so tokens can be added/revoked later.
   */
  oauth2Tokens?: Record<string, string>;
  /**
   * addition: directory in which the instance's temp dir is created. Default: $MAILMOVER_DOVECOT_TMPDIR,
   * else /dev/shm when it is a writable tmpfs with >= 1 GiB free (maildir = one file per message, and
   * creating files on this VM's ext4 costs ~0.7 ms each vs ~0.01 ms on tmpfs), else os.tmpdir().
   */
  tmpRoot?: string;
  /** addition: raw dovecot.conf text appended at the end of the generated config (later settings win) */
  extraConfig?: string;
}

export interface DovecotServer {
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
  baseDir: string;
  master: DovecotUser;
  separator: '/' | '.';
  prefix: '' | 'INBOX.';
  users: DovecotUser[];
  /** runs `doveadm -c <conf> ...`, resolves stdout, rejects with stderr on failure */
  doveadm(args: string[]): Promise<string>;
  /** appends to the passwd-file (takes effect without restart) */
  addUser(u: DovecotUser): Promise<void>;
  /** last lines of this instance's log, for failure messages */
  logTail(lines?: number): string;
  /** kills only the dovecot master it started (and the oauth http server), removes the temp dir */
  stop(): Promise<void>;

  // ---- additions ----
  /** the `name` option */
  name: string;
  /** path of the generated dovecot.conf */
  confPath: string;
  /** path of this instance's log file */
  logPath: string;
  /** PID of the Dovecot master process */
  pid: number;
  /** whether special-use mailboxes were configured */
  specialUse: boolean;
  maxMailSize: number | undefined;
  /** live token -> username map of the OAuth2 introspection server (undefined when OAuth2 is off) */
  oauth2Tokens: Record<string, string> | undefined;
  /** URL Dovecot uses for token introspection (undefined when OAuth2 is off) */
  oauth2IntrospectionUrl: string | undefined;
  /** home directory of a user (the Maildir is `<home>/Maildir`) */
  userHome(user: string): string;
  /** ms the start took (config, cert, spawn, until all four ports answered) */
  startMs: number;
}

const DEFAULT_MASTER: DovecotUser = { user: 'admin', password: 'admin-secret' };
const DIR_PREFIX = 'mailmover-dovecot-';
/** Dovecot's default auth_username_chars (we keep the default, so enforce it up front). */
const USERNAME_RE = /^[a-z0-9.\-_@]+$/;
const SPECIAL_USE_MAILBOXES: ReadonlyArray<[string, string]> = [
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

// ---------------------------------------------------------------------------------------------
// process bookkeeping and cleanup

interface LiveInstance {
  baseDir: string;
  child: ChildProcess;
  /** Dovecot instance_name; appears in the titles of all its processes */
  tag: string;
  http?: HttpServer;
}
const live = new Set<LiveInstance>();
let cleanupRegistered = false;


/**
 * Synchronous best-effort cleanup for process exit / fatal signals: SIGTERM our masters, give them up
 * to 2 s, SIGKILL what is left of those instances, remove their dirs.
 */
function cleanupAllSync(): void {
  const instances = [...live];
  live.clear();
  const pending: Array<{ inst: LiveInstance; pid: number; kids: number[] }> = [];
  for (const inst of instances) {
    inst.http?.close();
    const pid = inst.child.pid;
    if (!pid || inst.child.exitCode !== null || inst.child.signalCode !== null) continue;
    const kids = childPids(pid);
    try {
      process.kill(pid, 'SIGTERM');
      pending.push({ inst, pid, kids });
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 2000;
  while (pending.some((p) => isAlive(p.pid)) && Date.now() < deadline) sleepSync(20);
  for (const p of pending) {
    for (const k of [p.pid, ...p.kids]) {
      if (k === p.pid ? isAlive(k) && isInstanceProcess(k, p.inst.baseDir) : isInstanceProcess(k, p.inst.tag)) {
        try {
          process.kill(k, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }
  for (const inst of instances) {
    try {
      rmSync(inst.baseDir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only take over a signal nobody else handles; re-raise it after cleaning up so the
    // process still dies of it.
    if (process.listenerCount(sig) > 0) continue;
    const handler = (): void => {
      cleanupAllSync();
      process.removeListener(sig, handler);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/**
 * Removes leftovers of earlier runs whose owning (test) process died without cleaning up: only our
 * own temp dirs, and only a Dovecot master whose command line names that dir's config.
 */
function sweepStaleInstances(): void {
  const roots = [...new Set([process.env.MAILMOVER_DOVECOT_TMPDIR, SHM, tmpdir()].filter((r): r is string => !!r))];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root).filter((e) => e.startsWith(DIR_PREFIX));
    } catch {
      continue;
    }
    for (const entry of entries) sweepDir(join(root, entry));
  }
}

function sweepDir(dir: string): void {
  try {
    const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { pid?: number };
    if (typeof owner.pid !== 'number' || isAlive(owner.pid)) return;
    const conf = join(dir, 'dovecot.conf');
    const pidFile = join(dir, 'run', 'master.pid');
    if (existsSync(pidFile)) {
      const masterPid = Number(readFileSync(pidFile, 'utf8').trim());
      if (masterPid > 1 && isAlive(masterPid)) {
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${masterPid}/cmdline`, 'utf8');
        } catch {
          /* not linux, or gone */
        }
        if (!cmdline.includes(conf)) return; // not ours (pid reused): leave it alone
        const kids = childPids(masterPid);
        process.kill(masterPid, 'SIGTERM');
        const deadline = Date.now() + 2000;
        while (isAlive(masterPid) && Date.now() < deadline) sleepSync(20);
        if (isAlive(masterPid) && isInstanceProcess(masterPid, conf)) process.kill(masterPid, 'SIGKILL');
        const tag = readFileSync(conf, 'utf8').match(/^instance_name = (\S+)$/m)?.[1];
        for (const k of kids) {
          if (tag && isInstanceProcess(k, tag)) process.kill(k, 'SIGKILL');
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* no owner.json (being created right now?) or unreadable: skip */
  }
}

const SHM = '/dev/shm';

function pickTmpRoot(explicit: string | undefined): string {
  if (explicit) return explicit;
  const env = process.env.MAILMOVER_DOVECOT_TMPDIR;
  if (env) return env;
  try {
    const st = statfsSync(SHM);
    // 0x01021994 = TMPFS_MAGIC
    if (st.type === 0x01021994 && st.bavail * st.bsize >= 1024 ** 3) {
      accessSync(SHM, fsConstants.W_OK);
      return SHM;
    }
  } catch {
    /* no usable /dev/shm */
  }
  return tmpdir();
}

// ---------------------------------------------------------------------------------------------
// helpers

function run(cmd: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const e = new Error(
          `${cmd} ${args.join(' ')} failed (exit ${(err as { code?: unknown }).code ?? '?'}): ${stderr.trim() || err.message}`,
        );
        (e as Error & { stderr?: string; stdout?: string }).stderr = stderr;
        (e as Error & { stderr?: string; stdout?: string }).stdout = stdout;
        reject(e);
      } else {
        resolve(stdout);
      }
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

interface MailIds {
  uid: number;
  gid: number;
  loginUser: string;
  internalUser: string;
  /** only set when not root (as root Dovecot's default, the 'dovecot' group, is used) */
  internalGroup?: string;
  root: boolean;
}

function lookupPasswd(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const f = r.stdout.trim().split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

function mailIds(): MailIds {
  const root = process.getuid?.() === 0;
  if (!root) {
    // Non-root Dovecot: everything runs as the current user.
    const me = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    return { uid: process.getuid!(), gid: process.getgid!(), loginUser: me, internalUser: me, internalGroup: group, root };
  }
  for (const name of ['mail', 'dovecot']) {
    const ids = lookupPasswd(name);
    if (ids && ids.uid > 0) return { ...ids, loginUser: 'dovenull', internalUser: 'dovecot', root };
  }
  throw new Error('startDovecot: no non-root "mail" or "dovecot" system user found (getent passwd mail)');
}

function validateUser(u: DovecotUser, what: string): void {
  if (!u || typeof u.user !== 'string' || typeof u.password !== 'string') {
    throw new Error(`startDovecot: ${what} must be { user, password }`);
  }
  if (!USERNAME_RE.test(u.user)) {
    throw new Error(
      `startDovecot: ${what} name ${JSON.stringify(u.user)} must match ${USERNAME_RE} ` +
        `(Dovecot lowercases logins with its default auth_username_format=%Lu; '*' is the master-user separator)`,
    );
  }
  if (/[:\r\n]/.test(u.password) || u.password.length === 0) {
    throw new Error(`startDovecot: ${what} password must be non-empty and must not contain ':' or line breaks (passwd-file)`);
  }
}

function passwdLine(u: DovecotUser): string {
  // user:password:uid:gid:gecos:home:shell:extra — uid/gid/home come from mail_uid/default_fields
  return `${u.user}:{PLAIN}${u.password}::::::\n`;
}

function confQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

interface Ports {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
}

interface ConfigInput {
  baseDir: string;
  instanceName: string;
  ports: Ports;
  ids: MailIds;
  separator: '/' | '.';
  prefix: '' | 'INBOX.';
  specialUse: boolean;
  maxMailSize: number | undefined;
  fsync: boolean;
  processPerConnection: boolean;
  oauth2: boolean;
  extraConfig: string | undefined;
}

function buildConfig(c: ConfigInput): string {
  const b = c.baseDir;
  const dh = existsSync('/usr/share/dovecot/dh.pem') ? `ssl_dh = </usr/share/dovecot/dh.pem` : `# no dh.pem on this system: ECDHE only`;
  const layout = c.separator === '/' ? ':LAYOUT=fs' : ''; // '.' = Maildir++ (Dovecot's maildir default)
  const mailboxes = c.specialUse
    ? SPECIAL_USE_MAILBOXES.map(
        ([name, flag]) => `  mailbox ${confQuote(name)} {\n    special_use = ${flag}\n    auto = subscribe\n  }`,
      ).join('\n')
    : '  # specialUse: false — no special_use mailboxes at all';
  const mechs = c.oauth2 ? 'plain login xoauth2 oauthbearer' : 'plain login';
  const pwMechs = c.oauth2 ? '  mechanisms = plain login\n' : '';
  const noChroot = c.ids.root ? '' : '  chroot =\n';
  // Dovecot's high-performance mode unless asked otherwise (doc.dovecot.org, "Login
  // processes"): the suite opens thousands of connections, and a login process (with its TLS
  // set-up) per connection cost about a third of its CPU. Clients see the same protocol.
  const perConnection = c.processPerConnection ? '' : '  service_count = 0\n';
  const quota =
    c.maxMailSize !== undefined
      ? `
mail_plugins = $mail_plugins quota
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
plugin {
  quota = count:User quota
  quota_vsizes = yes
  quota_max_mail_size = ${c.maxMailSize}
}
`
      : '';

  return `# Generated by mailmover test harness (test/harness/dovecot.ts). Private instance; do not edit.
instance_name = ${c.instanceName}
base_dir = ${b}/run
state_dir = ${b}/state
log_path = ${b}/dovecot.log
info_log_path = ${b}/dovecot.log
debug_log_path = ${b}/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "

protocols = imap pop3
listen = 127.0.0.1
shutdown_clients = yes

default_login_user = ${c.ids.loginUser}
default_internal_user = ${c.ids.internalUser}
${c.ids.internalGroup ? `default_internal_group = ${c.ids.internalGroup}\n` : ''}mail_uid = ${c.ids.uid}
mail_gid = ${c.ids.gid}
first_valid_uid = ${c.ids.uid}
first_valid_gid = ${Math.min(c.ids.gid, 1)}

mail_location = maildir:~/Maildir${layout}
mail_fsync = ${c.fsync ? 'optimized' : 'never'}
mail_max_userip_connections = 1000
pop3_uidl_format = %08Xu%08Xv

ssl = yes
ssl_cert = <${b}/ssl/cert.pem
ssl_key = <${b}/ssl/key.pem
${dh}

disable_plaintext_auth = no
auth_mechanisms = ${mechs}
auth_master_user_separator = *
auth_failure_delay = 0
auth_verbose = yes

namespace inbox {
  inbox = yes
  separator = ${c.separator}
  prefix = ${c.prefix}
${mailboxes}
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN ${b}/master-users
  master = yes
  pass = yes
${pwMechs}}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${b}/users
${pwMechs}}
${
  c.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${b}/oauth2.conf.ext
}
`
    : ''
}# Fail fast: a wrong password / unknown user would otherwise get its NO only after Dovecot's
# failure-delay queue is flushed (a 500 ms timer, even with auth_failure_delay = 0). This last passdb
# "succeeds" with nodelay and then fails the request: same NO [AUTHENTICATIONFAILED], no wait.
# Not for xoauth2/oauthbearer (it would suppress their JSON error challenge) and not for master
# passdbs (a failed master passdb would then fall through to the user's own password): those keep
# the ~0.5 s delay.
passdb {
  driver = static
  mechanisms = plain login
  args = nopassword=y nodelay=y
  result_success = return-fail
}
userdb {
  driver = passwd-file
  args = ${b}/users
  default_fields = home=${b}/mail/%u
}
${quota}
service imap-login {
${noChroot}${perConnection}  inet_listener imap {
    address = 127.0.0.1
    port = ${c.ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${c.ports.imaps}
    ssl = yes
  }
}
service pop3-login {
${noChroot}${perConnection}  inet_listener pop3 {
    address = 127.0.0.1
    port = ${c.ports.pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${c.ports.pop3s}
    ssl = yes
  }
}
${
  c.processPerConnection
    ? ''
    : `service imap {
  service_count = 0
}
service pop3 {
  service_count = 0
}
`
}service anvil {
${noChroot}  # no brute-force auth penalty (2..15 s delays) in tests
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
${c.ids.root ? '' : 'service imap-urlauth-login {\n  chroot =\n}\n'}${c.extraConfig ? `\n# extraConfig\n${c.extraConfig}\n` : ''}`;
}


/**
 * Waits for the IMAP greeting. Dovecot's master binds every listener before it starts any
 * process and exits when one cannot be bound ("if any listening fails, fail completely",
 * src/master/main.c), so a greeting on one port means all four are listening. Probing each port
 * too made every start spawn a POP3 login process and shake hands twice over TLS, which most
 * files never use: each start took 38 ms longer and 24 ms more CPU (a suite run has about 300).
 */
async function waitReady(ports: Ports, child: ChildProcess, deadlineMs: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('dovecot exited during startup');
    if (await probe(ports.imap, '* OK', 2000)) return;
    if (Date.now() > deadlineMs) throw new Error(`dovecot did not answer on 127.0.0.1:${ports.imap} in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function startOAuthServer(tokens: Record<string, string>): Promise<{ server: HttpServer; url: string }> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // introspection_mode = post: body "token=<bearer>" (form encoded). Also accept
        // Authorization: Bearer (mode auth) and ?token= (mode get) to be lenient.
        const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const authz = req.headers.authorization ?? '';
        const token =
          body.get('token') ?? url.searchParams.get('token') ?? (/^Bearer\s+(.+)$/i.exec(authz)?.[1] ?? '');
        const user = Object.prototype.hasOwnProperty.call(tokens, token) ? tokens[token] : undefined;
        const payload = user ? { active: true, username: user, sub: user, scope: 'mail' } : { active: false };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr !== 'object') return reject(new Error('oauth server: no address'));
      resolve({ server, url: `http://127.0.0.1:${addr.port}/introspect` });
    });
  });
}

function tailFile(path: string, lines: number): string {
  try {
    const text = readFileSync(path, 'utf8');
    const all = text.split('\n');
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------

export async function startDovecot(opts: StartDovecotOptions): Promise<DovecotServer> {
  const t0 = performance.now();
  requireDovecot();
  registerCleanup();
  sweepStaleInstances();

  const master = opts.master ?? { ...DEFAULT_MASTER };
  const prefix = opts.prefix ?? '';
  const separator = opts.separator ?? (prefix === 'INBOX.' ? '.' : '/');
  if (prefix === 'INBOX.' && separator !== '.') {
    throw new Error(`startDovecot: prefix 'INBOX.' requires separator '.' (got ${JSON.stringify(separator)})`);
  }
  const specialUse = opts.specialUse ?? true;
  const fsync = opts.fsync ?? false;
  if (opts.maxMailSize !== undefined && !(Number.isInteger(opts.maxMailSize) && opts.maxMailSize > 0)) {
    throw new Error('startDovecot: maxMailSize must be a positive integer (bytes)');
  }
  validateUser(master, 'master user');
  const seen = new Set<string>([master.user]);
  for (const u of opts.users) {
    validateUser(u, 'user');
    if (seen.has(u.user)) throw new Error(`startDovecot: duplicate user ${u.user}`);
    seen.add(u.user);
  }
  const ids = mailIds();

  const safeName = opts.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 24) || 'dovecot';
  const baseDir = mkdtempSync(join(pickTmpRoot(opts.tmpRoot), `${DIR_PREFIX}${safeName}-`));
  const confPath = join(baseDir, 'dovecot.conf');
  const logPath = join(baseDir, 'dovecot.log');
  const usersPath = join(baseDir, 'users');
  const mailRoot = join(baseDir, 'mail');
  let http: HttpServer | undefined;
  let inst: LiveInstance | undefined;
  let certs: ServerCert | undefined;

  try {
    chmodSync(baseDir, 0o755); // the mail uid and dovecot's unprivileged processes must traverse it
    writeFileSync(join(baseDir, 'owner.json'), JSON.stringify({ pid: process.pid, name: opts.name, started: new Date().toISOString() }));
    mkdirSync(join(baseDir, 'state'), { mode: 0o755 });
    mkdirSync(join(baseDir, 'ssl'), { mode: 0o700 });
    mkdirSync(mailRoot, { mode: 0o770 });
    if (ids.root) chownSync(mailRoot, ids.uid, ids.gid);
    // passwd-files are read by the auth process, which runs as default_internal_user
    writeFileSync(usersPath, opts.users.map(passwdLine).join(''), { mode: 0o644 });
    writeFileSync(join(baseDir, 'master-users'), passwdLine(master), { mode: 0o644 });

    const certPath = join(baseDir, 'ssl', 'cert.pem');
    const keyPath = join(baseDir, 'ssl', 'key.pem');
    certs = await makeCert(certPath, keyPath);
    const caPem = certs.cert;

    let oauth2IntrospectionUrl: string | undefined;
    const oauth2Tokens = opts.oauth2Tokens;
    if (oauth2Tokens) {
      const o = await startOAuthServer(oauth2Tokens);
      http = o.server;
      http.unref(); // see c.unref() below
      oauth2IntrospectionUrl = o.url;
      writeFileSync(
        join(baseDir, 'oauth2.conf.ext'),
        [
          `introspection_mode = post`,
          `introspection_url = ${o.url}`,
          `force_introspection = yes`,
          `username_attribute = username`,
          `active_attribute = active`,
          `active_value = true`,
          `timeout_msecs = 5000`,
          '',
        ].join('\n'),
        { mode: 0o644 },
      );
    }

    const instanceName = `mailmover-${safeName}-${baseDir.slice(-6)}`;
    let child: ChildProcess | undefined;
    let ports: Ports | undefined;
    let stderr = '';
    const maxAttempts = 5;
    for (let attempt = 1; ; attempt++) {
      const [imap, imaps, pop3, pop3s] = await getFreePorts(4);
      ports = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
      writeFileSync(
        confPath,
        buildConfig({ baseDir, instanceName, ports, ids, separator, prefix, specialUse, maxMailSize: opts.maxMailSize, fsync, processPerConnection: opts.processPerConnection ?? false, oauth2: !!oauth2Tokens, extraConfig: opts.extraConfig }),
      );
      writeFileSync(logPath, '');
      stderr = '';
      const c = spawn(DOVECOT_BIN, ['-F', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
      c.stderr!.setEncoding('utf8');
      c.stderr!.on('data', (d: string) => {
        if (stderr.length < 64 * 1024) stderr += d;
      });
      c.on('error', () => {}); // reported through spawnError / the exit checks
      const spawnError = new Promise<Error>((resolve) => c.once('error', resolve));
      inst = { baseDir, child: c, tag: instanceName, http };
      live.add(inst);
      try {
        await Promise.race([
          waitReady(ports, c, Date.now() + 15_000),
          spawnError.then((e) => {
            throw e;
          }),
        ]);
        child = c;
        // Do not keep the test process alive just because a server was not stopped: it then exits
        // normally and the 'exit' handler stops the server.
        c.unref();
        (c.stderr as unknown as { unref?: () => void }).unref?.();
        break;
      } catch (err) {
        await killChild(c, instanceName);
        live.delete(inst);
        const log = tailFile(logPath, 30);
        const inUse = /Address already in use/i.test(stderr + log);
        if (inUse && attempt < maxAttempts) continue;
        throw new Error(
          `startDovecot(${opts.name}) failed: ${(err as Error).message}\n--- stderr ---\n${stderr.trim()}\n--- ${logPath} ---\n${log}`,
        );
      }
    }

    const server: DovecotServer = {
      host: '127.0.0.1',
      imapPort: ports.imap,
      imapsPort: ports.imaps,
      pop3Port: ports.pop3,
      pop3sPort: ports.pop3s,
      caPem,
      baseDir,
      master,
      separator,
      prefix,
      users: opts.users.map((u) => ({ ...u })),
      name: opts.name,
      confPath,
      logPath,
      pid: child.pid!,
      specialUse,
      maxMailSize: opts.maxMailSize,
      oauth2Tokens,
      oauth2IntrospectionUrl,
      startMs: 0,
      userHome: (user: string) => join(mailRoot, user),
      doveadm: (args: string[]) => run(DOVEADM_BIN, ['-c', confPath, ...args]),
      addUser: async (u: DovecotUser) => {
        validateUser(u, 'user');
        if (u.user === master.user || server.users.some((x) => x.user === u.user)) {
          throw new Error(`addUser: user ${u.user} already exists`);
        }
        appendFileSync(usersPath, passwdLine(u));
        server.users.push({ ...u });
        // Dovecot's passwd-file driver stats the file at most once per second, so a lookup in the
        // same second as the append may still miss the user: wait until the auth process sees it.
        const deadline = Date.now() + 5000;
        for (;;) {
          try {
            await server.doveadm(['user', '-f', 'home', u.user]);
            return;
          } catch (err) {
            if (Date.now() > deadline) throw new Error(`addUser: ${u.user} not visible to Dovecot: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
      logTail: (lines = 50) => tailFile(logPath, lines),
      stop: async () => {
        if (!inst || !live.has(inst)) return;
        live.delete(inst);
        await killChild(inst.child, instanceName);
        if (http) {
          http.closeAllConnections();
          await new Promise<void>((r) => http!.close(() => r()));
        }
        rmSync(baseDir, { recursive: true, force: true });
        certs?.release();
      },
    };
    server.startMs = Math.round(performance.now() - t0);
    return server;
  } catch (err) {
    if (inst) live.delete(inst);
    if (http) http.close();
    rmSync(baseDir, { recursive: true, force: true });
    throw err;
  }
}

/** PIDs whose parent is `ppid` (Linux /proc; empty elsewhere). */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** True while `pid` is alive and still one of this instance's processes (title contains the tag). */
function isInstanceProcess(pid: number, tag: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tag);
  } catch {
    return false;
  }
}

/**
 * Stops the dovecot master we spawned and its processes at once with SIGKILL. The instance's
 * directory is deleted right after, so nothing of a clean shutdown is kept, and a SIGTERM'd
 * master takes about a second to wait for its children (~1 s of every test file's teardown).
 * Processes spawned in the same moment (a login process still starting) are not yet in the
 * list: they exit when they find their master gone; any of the instance's processes still there
 * after 2 s (matched by PID and by the instance name in their process title) get a SIGKILL.
 */
async function killChild(c: ChildProcess, tag?: string): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || !c.pid) return;
  const pid = c.pid;
  const kids = tag ? childPids(pid) : [];
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (const k of kids) {
    try {
      process.kill(k, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  // The child is unref'd; without something holding the event loop, a process whose last
  // task is this stop would end (exit 13) before the 'exit' event arrives.
  const keepAlive = setInterval(() => undefined, 1000);
  await exited;
  clearInterval(keepAlive);
  if (!tag) return;
  const deadline = Date.now() + 2000;
  let left = kids.filter((k) => isInstanceProcess(k, tag));
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    left = left.filter((k) => isInstanceProcess(k, tag));
  }
  for (const k of left) {
    try {
      process.kill(k, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
