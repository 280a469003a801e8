/**
 * Debian bookworm chroots for the mail servers that cannot be installed next to Dovecot.
 *
 * cyrus-imapd/cyrus-pop3d and courier-imap/courier-pop Provide and Conflict `imap-server` /
 * `pop3-server` with dovecot-imapd/dovecot-pop3d, and courier also pulls in an MTA. So each server
 * family gets its own debootstrap'ed bookworm tree, built once (as root, by
 * scripts/ensure-test-deps.ts) and cached under /var/cache/mailmover-test/chroot-<family>
 * (override: $MAILMOVER_CHROOT_CACHE). A stamp file in the tree records what it was built from;
 * a change of CHROOT_BUILD_VERSION or of the package list makes it stale and it is rebuilt.
 *
 * Every server instance runs in its own copy of that tree: a hard-link copy (`cp -al`) kept in a pool
 * under <cache>/instances/<family>/slot-*, claimed by one test process at a time and reused (copying
 * and deleting ~9,000 files per test took 1-4 s under load). Own trees are needed because
 * Courier's authdaemon socket and config paths are compiled in (/run/courier/authdaemon/socket,
 * /etc/courier/authdaemonrc) and Cyrus logs only to syslog (/dev/log), so two instances sharing a tree
 * would share those. Files the harness writes into an instance (configs, userdb) are always new
 * files (unlink first), never writes into a hard-linked file, so the cached tree stays pristine.
 * A plain chroot shares the host's network namespace: servers listen on the host's 127.0.0.1.
 * No mounts are made (no /proc, no bind mounts), so nothing needs unmounting and plain chroot
 * (CAP_SYS_CHROOT) is all that is required.
 *
 * The processes of an instance are found by /proc/<pid>/root == the instance tree: exactly the
 * processes we started there and their children; nothing else on the machine can have that root.
 *
 * First build, measured on the 2-core CI VM, 2026-12-04 (deb.debian.org): debootstrap minbase ~47 s and
 * apt-get install ~20 s per family on an idle machine (~70 s each); through `npx tsx
 * scripts/ensure-test-deps.ts` from scratch with other suites running (load average 4-8): cyrus 95 s,
 * courier 92 s, ~3 min 10 s for both; under heavier load (9-11) 245 s and 270 s. The check when both
 * are present is two small file reads (< 1 ms; the script itself takes ~1.9 s, mostly tsx start-up).
 * A new instance slot is a `cp -al` of ~7,000 files (0.2 s idle, ~1 s under load); a reused one costs
 * nothing. Sizes: cyrus 227 MB, courier 153 MB.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
  createWriteStream,
} from 'node:fs';
import { join } from 'node:path';
import { isAlive, sleepSync } from './process-utils.js';

export type ChrootFamily = 'cyrus' | 'courier';

/** Bump when the build procedure changes in a way that needs a rebuild. */
export const CHROOT_BUILD_VERSION = 1;

export const CHROOT_PACKAGES: Readonly<Record<ChrootFamily, readonly string[]>> = {
  // sasl2-bin: saslpasswd2 for the per-instance sasldb; busybox: syslogd, because Cyrus logs only to syslog
  cyrus: ['cyrus-imapd', 'cyrus-pop3d', 'cyrus-common', 'sasl2-bin', 'libsasl2-modules', 'busybox'],
  // courier-authlib-userdb: makeuserdb for the per-instance userdb (courier-authdaemon reads it).
  // An MTA (exim4-daemon-light, Debian's default-mta) comes along as a dependency; it is never started.
  courier: ['courier-imap', 'courier-pop', 'courier-authdaemon', 'courier-authlib-userdb'],
};

export const SUITE = 'bookworm';

export function chrootCacheRoot(): string {
  return process.env.MAILMOVER_CHROOT_CACHE || '/var/cache/mailmover-test';
}

export function chrootDir(family: ChrootFamily): string {
  return join(chrootCacheRoot(), `chroot-${family}`);
}

export function instancesDir(): string {
  return join(chrootCacheRoot(), 'instances');
}

const STAMP = '.mailmover-chroot.json';

interface Stamp {
  version: number;
  family: ChrootFamily;
  packages: string[];
  /** dpkg versions of the packages, for messages and the report */
  installed?: Record<string, string>;
  builtAt?: string;
  buildSeconds?: number;
}

function wantedStamp(family: ChrootFamily): Stamp {
  return { version: CHROOT_BUILD_VERSION, family, packages: [...CHROOT_PACKAGES[family]].sort() };
}

/** The stamp of the cached tree, or undefined when there is none. */
export function readStamp(family: ChrootFamily): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(chrootDir(family), STAMP), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** 'ok', 'missing', or 'stale' (built from another version or package list). Cheap: one small file read. */
export function chrootState(family: ChrootFamily): 'ok' | 'missing' | 'stale' {
  const s = readStamp(family);
  if (!s) return 'missing';
  const w = wantedStamp(family);
  return s.version === w.version && JSON.stringify([...s.packages].sort()) === JSON.stringify(w.packages) ? 'ok' : 'stale';
}

/** Throws a clear error naming what is missing and how to get it (used when a server is started). */
export function requireChroot(family: ChrootFamily): void {
  const state = chrootState(family);
  if (state === 'ok') return;
  throw new Error(
    `The ${family} test server needs a Debian ${SUITE} chroot at ${chrootDir(family)} (${state}) with ` +
      `${CHROOT_PACKAGES[family].join(', ')}.\nBuild it (as root) with:  npx tsx scripts/ensure-test-deps.ts\n` +
      `(npm test runs it first; it needs debootstrap and the Debian mirror).`,
  );
}

// ---------------------------------------------------------------------------------------------
// building (root only; called by scripts/ensure-test-deps.ts)

interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  signedBy?: string;
}

/**
 * Debian sources of the host (one-line sources.list and deb822 *.sources), limited to the bookworm
 * suites, so the chroot uses the same mirror (and snapshot, if pinned) as the host's apt.
 */
export function hostDebianSources(): AptSource[] {
  const out: AptSource[] = [];
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join('/etc/apt/sources.list.d', f));
    }
  } catch {
    /* none */
  }
  const keep = (suite: string): boolean => suite === SUITE || suite.startsWith(`${SUITE}-`) || suite.startsWith(`${SUITE}/`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields: Record<string, string> = {};
        let last = '';
        for (const line of stanza.split('\n')) {
          if (/^\s*#/.test(line) || !line.trim()) continue;
          const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (m) {
            last = m[1]!.toLowerCase();
            fields[last] = m[2]!.trim();
          } else if (last && /^\s/.test(line)) fields[last] += ` ${line.trim()}`;
        }
        if (!(fields.types ?? '').split(/\s+/).includes('deb')) continue;
        if ((fields.enabled ?? 'yes').toLowerCase() === 'no') continue;
        const suites = (fields.suites ?? '').split(/\s+/).filter(keep);
        if (!suites.length) continue;
        for (const uri of (fields.uris ?? '').split(/\s+/).filter(Boolean)) {
          out.push({ uri, suites, components: (fields.components ?? 'main').split(/\s+/), signedBy: fields['signed-by'] });
        }
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
        if (m && keep(m[2]!)) out.push({ uri: m[1]!, suites: [m[2]!], components: m[3]!.trim().split(/\s+/) });
      }
    }
  }
  return out;
}

/** The mirror debootstrap uses: the host's source for the plain bookworm suite, else deb.debian.org. */
export function debianMirror(sources = hostDebianSources()): string {
  return sources.find((s) => s.suites.includes(SUITE))?.uri ?? 'http://deb.debian.org/debian';
}

function sourcesFile(sources: AptSource[], mirror: string): string {
  const list = sources.length ? sources : [{ uri: mirror, suites: [SUITE], components: ['main'] }];
  return (
    list
      .map(
        (s) =>
          `Types: deb\nURIs: ${s.uri}\nSuites: ${s.suites.join(' ')}\nComponents: ${s.components.join(' ')}\n` +
          // the chroot has debian-archive-keyring (apt depends on it) at the same path as the host
          (s.signedBy && existsSync(s.signedBy) ? `Signed-By: ${s.signedBy}\n` : ''),
      )
      .join('\n')
  );
}

/** Runs a command, its output going to `log` (a write stream); resolves with the exit code. */
function runLogged(cmd: string, args: string[], log: NodeJS.WritableStream, env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...env } });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (err) => {
      log.write(`could not run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** PIDs whose root directory is `dir` or below it (the processes running in that chroot). */
export function processesRootedIn(dir: string): number[] {
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
      const root = readlinkSync(`/proc/${e}/root`);
      if (root === dir || root.startsWith(`${dir}/`)) out.push(Number(e));
    } catch {
      /* exited, or not ours to inspect */
    }
  }
  return out;
}

export interface BuildProgress {
  (line: string): void;
}

/**
 * Builds the chroot of `family` from scratch (debootstrap minbase + apt-get install of its packages
 * with service starts denied), into a temp dir that replaces the cached tree only when everything
 * succeeded. Root only. Output of the tools goes to <cache>/build-<family>.log; `progress` gets a
 * line per step.
 */
export async function buildChroot(family: ChrootFamily, progress: BuildProgress = console.log): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`building the ${family} chroot needs root`);
  const t0 = Date.now();
  const cache = chrootCacheRoot();
  mkdirSync(cache, { recursive: true, mode: 0o755 });
  const final = chrootDir(family);
  const tmp = `${final}.build-${process.pid}`;
  const logPath = join(cache, `build-${family}.log`);
  const log = createWriteStream(logPath);
  const sources = hostDebianSources();
  const mirror = debianMirror(sources);
  const fail = (what: string, code: number): Error => {
    const tail = (() => {
      try {
        return readFileSync(logPath, 'utf8').split('\n').slice(-25).join('\n');
      } catch {
        return '';
      }
    })();
    return new Error(`${family} chroot: ${what} failed (exit ${code}); full log: ${logPath}\n${tail}`);
  };
  try {
    // leftovers of an interrupted build (its pid is in the name): whatever still runs there goes first
    for (const e of readdirSync(cache)) {
      const m = new RegExp(`^chroot-${family}\\.build-(\\d+)$`).exec(e);
      if (!m || (Number(m[1]) !== process.pid && isAlive(Number(m[1])))) continue;
      killRootedSync(join(cache, e), 1000);
      rmSync(join(cache, e), { recursive: true, force: true });
    }
    progress(`[chroot ${family}] debootstrap --variant=minbase ${SUITE} from ${mirror} (about 50 s) ...`);
    let code = await runLogged('debootstrap', ['--variant=minbase', SUITE, tmp, mirror], log);
    if (code !== 0) throw fail('debootstrap', code);

    // No daemon may start inside the tree: it would listen on the host's ports (shared network).
    writeFileSync(join(tmp, 'usr/sbin/policy-rc.d'), '#!/bin/sh\n# mailmover test chroot: never start services\nexit 101\n', { mode: 0o755 });
    // Docs, man pages and translations are not needed and are a third of the files every instance copy links.
    writeFileSync(
      join(tmp, 'etc/dpkg/dpkg.cfg.d/01-mailmover-nodoc'),
      ['path-exclude=/usr/share/doc/*', 'path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/info/*', 'path-exclude=/usr/share/locale/*', ''].join('\n'),
    );
    rmSync(join(tmp, 'etc/apt/sources.list'), { force: true });
    writeFileSync(join(tmp, 'etc/apt/sources.list.d/debian.sources'), sourcesFile(sources, mirror));
    const aptEnv = { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
    progress(`[chroot ${family}] apt-get update + install ${CHROOT_PACKAGES[family].join(' ')} (about 30 s) ...`);
    code = await runLogged('chroot', [tmp, 'apt-get', 'update'], log, aptEnv);
    if (code !== 0) throw fail('apt-get update', code);
    code = await runLogged('chroot', [tmp, 'apt-get', 'install', '-y', '--no-install-recommends', ...CHROOT_PACKAGES[family]], log, aptEnv);
    if (code !== 0) throw fail('apt-get install', code);
    await runLogged('chroot', [tmp, 'apt-get', 'clean'], log, aptEnv);
    // what debootstrap installed before the path-excludes: fewer files for every instance copy
    for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'var/lib/apt/lists']) {
      if (!existsSync(join(tmp, d))) continue;
      for (const e of readdirSync(join(tmp, d))) rmSync(join(tmp, d, e), { recursive: true, force: true });
    }

    // Belt and braces: nothing from the build may keep running (policy-rc.d should have stopped it).
    for (const pid of processesRootedIn(tmp)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }

    const installed: Record<string, string> = {};
    for (const pkg of CHROOT_PACKAGES[family]) {
      const r = spawnSync('chroot', [tmp, 'dpkg-query', '-W', '-f=${Version}', pkg], { encoding: 'utf8' });
      if (r.status !== 0 || !r.stdout.trim()) throw new Error(`${family} chroot: ${pkg} is not installed after apt-get install (see ${logPath})`);
      installed[pkg] = r.stdout.trim();
    }
    const stamp: Stamp = { ...wantedStamp(family), installed, builtAt: new Date().toISOString(), buildSeconds: Math.round((Date.now() - t0) / 1000) };
    writeFileSync(join(tmp, STAMP), JSON.stringify(stamp, null, 2));
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    progress(`[chroot ${family}] ready in ${stamp.buildSeconds} s: ${Object.entries(installed).map(([p, v]) => `${p} ${v}`).join(', ')}`);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    log.end();
  }
}

// ---------------------------------------------------------------------------------------------
// per-instance trees: a pool of hard-link copies, reused

/** Owner record of a claimed slot. */
interface Owner {
  pid: number;
  name: string;
  started: string;
}


const OWNER = '.mailmover-owner.json';
const SLOT_STAMP = '.mailmover-slot.json';
/** The per-instance directory inside a tree: configs, mail, logs. Removed when the slot is released. */
export const INSTANCE_DIR = '/run/mm';

function slotsDir(family: ChrootFamily): string {
  return join(instancesDir(), family);
}

/** Identity of the cached tree a slot was copied from: a rebuilt chroot makes old slots useless. */
function treeId(family: ChrootFamily): string {
  const s = readStamp(family);
  return `${s?.version}:${s?.builtAt}`;
}

/** Takes `slot` when nobody (alive) owns it. Atomic: O_EXCL create, stale owners are renamed away first. */
function tryClaim(slot: string, owner: Owner): boolean {
  const ownerPath = join(slot, OWNER);
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(ownerPath, JSON.stringify(owner), { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    let current: Owner | undefined;
    try {
      current = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner;
    } catch {
      return false; // being written right now
    }
    if (isAlive(current.pid)) return false;
    // Dead owner: whoever renames its record away may take the slot (a second claimer gets ENOENT).
    const aside = `${ownerPath}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      renameSync(ownerPath, aside);
    } catch {
      return false;
    }
    rmSync(aside, { force: true });
  }
  return false;
}

/** Kills what a previous user of the slot left running and empties its per-instance state. */
function resetSlot(slot: string): void {
  killRootedSync(slot, 1000);
  rmSync(join(slot, INSTANCE_DIR), { recursive: true, force: true });
  for (const e of readdirSync(join(slot, 'tmp'))) rmSync(join(slot, 'tmp', e), { recursive: true, force: true });
}

/**
 * Slots whose test process died without stopping its servers (SIGKILL, crash): kill what still runs
 * there (it may hold ports and CPU) and free them.
 */
function sweepDeadOwners(base: string): void {
  for (const e of readdirSync(base).filter((x) => x.startsWith('slot-'))) {
    const slot = join(base, e);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(join(slot, OWNER), 'utf8')) as Owner;
    } catch {
      continue; // free (or being claimed right now)
    }
    if (isAlive(owner.pid)) continue;
    const sweeper: Owner = { pid: process.pid, name: 'sweep', started: new Date().toISOString() };
    if (!tryClaim(slot, sweeper)) continue;
    resetSlot(slot);
    rmSync(join(slot, OWNER), { force: true });
  }
}

export interface InstanceRoot {
  /** absolute path of the tree; start processes with `chroot <dir> ...` */
  dir: string;
  /** kills every process in the tree, removes the per-instance state and frees the slot */
  release(): Promise<void>;
  /** synchronous release for process exit */
  releaseSync(): void;
}

/**
 * Claims a tree for one server instance: a free slot of the pool (hard-link copies of the cached
 * chroot under <cache>/instances/<family>/), or a new one (`cp -al`, ~0.2 s on an idle disk, several
 * seconds under load, which is why slots are reused instead of copied and deleted per test).
 * Slots of test processes that died are reclaimed (their processes killed). The caller writes its
 * files below INSTANCE_DIR or with writeFresh() (never into a hard-linked file of the cache).
 */
export function acquireInstanceRoot(family: ChrootFamily, name: string): InstanceRoot {
  requireChroot(family);
  if (process.getuid?.() !== 0) {
    throw new Error(`The ${family} test server runs in a chroot (${chrootDir(family)}), which needs root (CAP_SYS_CHROOT); run the tests as root.`);
  }
  const owner: Owner = { pid: process.pid, name, started: new Date().toISOString() };
  const base = slotsDir(family);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const id = treeId(family);
  sweepDeadOwners(base);
  let dir: string | undefined;
  for (const e of readdirSync(base).filter((x) => x.startsWith('slot-')).sort()) {
    const slot = join(base, e);
    if (!tryClaim(slot, owner)) continue;
    let slotId = '';
    try {
      slotId = (JSON.parse(readFileSync(join(slot, SLOT_STAMP), 'utf8')) as { tree: string }).tree;
    } catch {
      /* no stamp: broken slot */
    }
    if (slotId !== id) {
      // copied from an older build of the chroot: drop it
      killRootedSync(slot, 500);
      rmSync(slot, { recursive: true, force: true });
      continue;
    }
    dir = slot;
    break;
  }
  if (!dir) {
    const tmp = join(base, `.new-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    const r = spawnSync('cp', ['-al', chrootDir(family), tmp], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`could not copy ${chrootDir(family)} to ${tmp}: ${r.stderr || r.error?.message}`);
    }
    rmSync(join(tmp, STAMP), { force: true });
    writeFileSync(join(tmp, SLOT_STAMP), JSON.stringify({ tree: id }));
    writeFileSync(join(tmp, OWNER), JSON.stringify(owner)); // born claimed
    dir = join(base, `slot-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`);
    renameSync(tmp, dir);
  }
  resetSlot(dir);
  mkdirSync(join(dir, INSTANCE_DIR), { recursive: true, mode: 0o755 });
  const slot = dir;
  let released = false;
  const free = (): void => {
    rmSync(join(slot, INSTANCE_DIR), { recursive: true, force: true });
    rmSync(join(slot, OWNER), { force: true });
  };
  return {
    dir: slot,
    release: async () => {
      if (released) return;
      released = true;
      await killRooted(slot);
      free();
    },
    releaseSync: () => {
      if (released) return;
      released = true;
      killRootedSync(slot, 1500);
      free();
    },
  };
}

/** Writes a new file (removing a hard link first, so the cached tree is never modified). */
export function writeFresh(path: string, data: string | Buffer, mode = 0o644): void {
  rmSync(path, { force: true });
  writeFileSync(path, data, { mode });
}

/** SIGTERM every process in the tree, SIGKILL what is left after `graceMs`. Synchronous. */
export function killRootedSync(dir: string, graceMs = 2000): void {
  let pids = processesRootedIn(dir);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.length && Date.now() < deadline) {
    sleepSync(20);
    pids = processesRootedIn(dir);
  }
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Async variant of killRootedSync, for stop(): does not block the event loop while waiting. */
export async function killRooted(dir: string, graceMs = 2000): Promise<void> {
  let pids = processesRootedIn(dir);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  // a child process that is unref'd would let a script whose last task is stop() end early
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const deadline = Date.now() + graceMs;
    while (pids.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      pids = processesRootedIn(dir);
    }
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  } finally {
    clearInterval(keepAlive);
  }
}

/** Last `lines` lines of a text file ('' when it does not exist). */
export function tailFile(path: string, lines: number): string {
  try {
    const all = readFileSync(path, 'utf8').split('\n');
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}
