/**
 * Makes sure the Debian packages the test suite needs are installed (run before `npm test`).
 *
 *   tsx scripts/ensure-test-deps.ts           check, and install what is missing when possible
 *   tsx scripts/ensure-test-deps.ts --check   check only (exit 1 when something is missing)
 *
 * Installs only when running as root with apt-get available: first
 * `DEBIAN_FRONTEND=noninteractive apt-get install -y <missing>`, and only if that fails
 * `apt-get update` followed by the same install again. Otherwise exits 1 naming the missing
 * packages and the exact command to run.
 *
 * It never starts, stops or disables system services. Installing dovecot on Debian may try to
 * start the system dovecot service; a policy-rc.d that denies it is fine, because the tests run
 * their own Dovecot instances with their own configuration, directories and ports.
 *
 * Then the Cyrus and Courier chroots (test/harness/chroot.ts): when one is missing or stale it is built
 * with debootstrap + apt-get from the host's Debian mirror, as root only (progress printed; about
 * 1 min 10 s per chroot on the 2-core CI VM, so ~2.5 min the first time). When both are present the
 * check is two small file reads. Not root: exit 1 naming what is missing and the command to run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildChroot, CHROOT_PACKAGES } from '../test/harness/chroot.js';
import { installCommand, missingChroots, missingDeps, SYSTEM_DEPS, type SystemDep } from '../test/harness/system-deps.js';

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    console.log(`[ensure-test-deps] $ ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', (err) => {
      console.error(`[ensure-test-deps] could not run ${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function describe(deps: SystemDep[]): string {
  return deps.map((d) => `  - ${d.pkg} (${d.binary}; ${d.purpose})`).join('\n');
}

async function main(): Promise<number> {
  const checkOnly = process.argv.includes('--check');
  const pkgCode = await ensurePackages(checkOnly);
  if (pkgCode !== 0) return pkgCode;
  return ensureChroots(checkOnly);
}

/** Builds the Cyrus/Courier chroots that are missing or stale (root only). */
async function ensureChroots(checkOnly: boolean): Promise<number> {
  const missing = missingChroots();
  if (missing.length === 0) {
    console.log('[ensure-test-deps] ok: cyrus and courier chroots present');
    return 0;
  }
  const what = missing.map((m) => `  - ${m.family} chroot (${m.state}) at ${m.dir}: ${CHROOT_PACKAGES[m.family].join(', ')}`).join('\n');
  const isRoot = process.getuid?.() === 0;
  if (checkOnly || !isRoot) {
    console.error(
      `[ensure-test-deps] test server chroots not built:\n${what}\n` +
        `[ensure-test-deps] not building (${checkOnly ? 'check only (--check)' : 'not running as root'}). Build them as root with:\n\n` +
        `    ${isRoot ? '' : 'sudo '}npx tsx scripts/ensure-test-deps.ts\n`,
    );
    return 1;
  }
  console.log(`[ensure-test-deps] building test server chroots (first time about 1 min 10 s each):\n${what}`);
  for (const m of missing) {
    try {
      await buildChroot(m.family, (line) => console.log(`[ensure-test-deps] ${line}`));
    } catch (err) {
      console.error(`[ensure-test-deps] ${(err as Error).message}`);
      return 1;
    }
  }
  return 0;
}

async function ensurePackages(checkOnly: boolean): Promise<number> {
  const missing = missingDeps();
  if (missing.length === 0) {
    console.log(`[ensure-test-deps] ok: ${SYSTEM_DEPS.map((d) => d.pkg).join(', ')} installed`);
    return 0;
  }
  const pkgs = missing.map((d) => d.pkg);
  console.error(`[ensure-test-deps] missing system packages:\n${describe(missing)}`);

  const isRoot = process.getuid?.() === 0;
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
  if (checkOnly || !isRoot || !aptGet) {
    const why = checkOnly
      ? 'check only (--check)'
      : !aptGet
        ? 'apt-get is not available on this system'
        : 'not running as root';
    console.error(
      `[ensure-test-deps] not installing (${why}). Install them with:\n\n    ${installCommand(pkgs, isRoot)}\n`,
    );
    return 1;
  }

  const installArgs = ['install', '-y', ...pkgs];
  let code = await run(aptGet, installArgs);
  if (code !== 0) {
    console.error(`[ensure-test-deps] apt-get install failed (exit ${code}); running apt-get update and retrying`);
    const updateCode = await run(aptGet, ['update']);
    if (updateCode !== 0) console.error(`[ensure-test-deps] apt-get update failed (exit ${updateCode})`);
    code = await run(aptGet, installArgs);
  }

  const stillMissing = missingDeps();
  if (code !== 0 || stillMissing.length > 0) {
    console.error(
      `[ensure-test-deps] could not install: ${(stillMissing.length ? stillMissing : missing).map((d) => d.pkg).join(' ')}` +
        ` (apt-get exit ${code}). Install them manually with:\n\n    ${installCommand(pkgs, isRoot)}\n`,
    );
    return 1;
  }
  console.log(`[ensure-test-deps] installed: ${pkgs.join(', ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[ensure-test-deps] failed:', err);
    process.exit(1);
  },
);
