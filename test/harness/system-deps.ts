/**
 * System (Debian package) dependencies of the test suite.
 *
 * The integration tests start real Dovecot servers (IMAP + POP3), Cyrus and Courier servers (each in a
 * cached Debian chroot, see chroot.ts) and the extension tests drive a real Chromium. Those come from
 * Debian packages, not from npm. `scripts/ensure-test-deps.ts`
 * (run before `npm test`) installs missing ones when it can; `requireDovecot()` gives a clear
 * error in the harness itself when the suite is run some other way.
 *
 * Nothing here ever starts, stops or disables a system service.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chrootDir, chrootState, type ChrootFamily } from './chroot.js';

export interface SystemDep {
  /** Debian package name */
  pkg: string;
  /** A file the package installs; its presence is what the harness really needs */
  binary: string;
  /** What the tests use it for (for messages) */
  purpose: string;
}

export const DOVECOT_BIN = '/usr/sbin/dovecot';
export const DOVEADM_BIN = '/usr/bin/doveadm';
export const DOVECOT_IMAP_BIN = '/usr/lib/dovecot/imap';
export const DOVECOT_POP3_BIN = '/usr/lib/dovecot/pop3';
export const OPENSSL_BIN = '/usr/bin/openssl';
export const CHROMIUM_BIN = '/usr/bin/chromium';

/** The packages `npm test` needs. dovecot-core (dovecot, doveadm) is pulled in by both dovecot packages. */
export const SYSTEM_DEPS: readonly SystemDep[] = [
  { pkg: 'dovecot-imapd', binary: DOVECOT_IMAP_BIN, purpose: 'real IMAP server for integration tests' },
  { pkg: 'dovecot-pop3d', binary: DOVECOT_POP3_BIN, purpose: 'real POP3 server for integration tests' },
  { pkg: 'chromium', binary: CHROMIUM_BIN, purpose: 'browser for extension end-to-end tests' },
  { pkg: 'isync', binary: '/usr/bin/mbsync', purpose: 'mbsync, compared against in the benchmark (npm run bench)' },
  { pkg: 'time', binary: '/usr/bin/time', purpose: 'GNU time: peak RSS and CPU of the migrating process in the benchmark' },
  { pkg: 'debootstrap', binary: '/usr/sbin/debootstrap', purpose: 'builds the Debian bookworm chroots the Cyrus and Courier test servers run in' },
  { pkg: 'redis-server', binary: '/usr/bin/redis-server', purpose: 'Redis for the queue-mode (BullMQ) tests; each test starts its own instance, never the system service' },
  { pkg: 'dnsmasq-base', binary: '/usr/sbin/dnsmasq', purpose: 'real DNS server on loopback for the cut-over DNS check tests (dnsmasq-base: the binary only, no system service)' },
];

/**
 * The chroot'ed servers (they conflict with dovecot-imapd/-pop3d as Debian packages, see chroot.ts).
 * Not apt packages of the host: scripts/ensure-test-deps.ts builds them with debootstrap and caches
 * them under /var/cache/mailmover-test.
 */
export const CHROOT_FAMILIES: readonly ChrootFamily[] = ['cyrus', 'courier'];

/** Chroots that are not built, or built from another package list / build version. */
export function missingChroots(): Array<{ family: ChrootFamily; state: 'missing' | 'stale'; dir: string }> {
  const out: Array<{ family: ChrootFamily; state: 'missing' | 'stale'; dir: string }> = [];
  for (const family of CHROOT_FAMILIES) {
    const state = chrootState(family);
    if (state !== 'ok') out.push({ family, state, dir: chrootDir(family) });
  }
  return out;
}

function hasDpkgQuery(): boolean {
  return existsSync('/usr/bin/dpkg-query');
}

/**
 * True when dpkg reports the package as installed (`install ok installed`). On a system without
 * dpkg the package status is unknown and `undefined` is returned.
 */
export function dpkgInstalled(pkg: string): boolean | undefined {
  if (!hasDpkgQuery()) return undefined;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  if (r.error) return undefined;
  return r.status === 0 && r.stdout.trim() === 'install ok installed';
}

/** A dependency counts as present when dpkg says it is installed (where dpkg exists) and its binary exists. */
export function isDepPresent(dep: SystemDep): boolean {
  const installed = dpkgInstalled(dep.pkg);
  return installed !== false && existsSync(dep.binary);
}

export function missingDeps(deps: readonly SystemDep[] = SYSTEM_DEPS): SystemDep[] {
  return deps.filter((d) => !isDepPresent(d));
}

export function installCommand(pkgs: readonly string[], asRoot = process.getuid?.() === 0): string {
  const cmd = `DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`;
  return asRoot ? cmd : `sudo ${cmd}`;
}

/**
 * Throws a clear error when the Dovecot binaries the harness needs are missing.
 * Called by `startDovecot()` before doing anything else.
 */
export function requireDovecot(): void {
  const needed: Array<{ file: string; pkg: string }> = [
    { file: DOVECOT_BIN, pkg: 'dovecot-core' },
    { file: DOVEADM_BIN, pkg: 'dovecot-core' },
    { file: DOVECOT_IMAP_BIN, pkg: 'dovecot-imapd' },
    { file: DOVECOT_POP3_BIN, pkg: 'dovecot-pop3d' },
    { file: OPENSSL_BIN, pkg: 'openssl' },
  ];
  const missing = needed.filter((n) => !existsSync(n.file));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  // dovecot-core comes with the two protocol packages; name those so the command installs everything.
  const toInstall = pkgs.includes('dovecot-core')
    ? [...new Set(['dovecot-imapd', 'dovecot-pop3d', ...pkgs.filter((p) => p !== 'dovecot-core')])]
    : pkgs;
  throw new Error(
    `The Dovecot test harness needs ${missing.map((m) => m.file).join(', ')} ` +
      `(Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(', ')}), which ${missing.length > 1 ? 'are' : 'is'} not installed.\n` +
      `Install with:  ${installCommand(toInstall)}\n` +
      `(or run \`npx tsx scripts/ensure-test-deps.ts\`, which npm test runs first).`,
  );
}
