/**
 * A private redis-server for the queue-mode tests (Debian package redis-server, installed by
 * scripts/ensure-test-deps.ts like Dovecot): its own directory, config and loopback port, with
 * the append-only file on (as the queue mode's deployment notes ask), stopped by its PID.
 *
 *   const redis = await startRedis({ name: 'queue', password: 'pw' });
 *   redis.url            // redis://:pw@127.0.0.1:PORT/0
 *   await redis.stop();
 *
 * With `tls: true` it speaks TLS only (rediss://): a private CA and a server certificate for
 * 127.0.0.1 and localhost are made with openssl in its dir at start (redis.caFile is the CA).
 *
 * Never touches the system redis service.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from './free-port.js';
import { isAlive, sleepSync } from './process-utils.js';

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
export const REDIS_CLI_BIN = '/usr/bin/redis-cli';

export interface StartRedisOptions {
  name: string;
  /** requirepass for the default user (Redis AUTH); none when left out */
  password?: string;
  /** An ACL user with all rights besides the default one: `user:pass` in the URL. */
  aclUser?: { name: string; password: string };
  /** TLS only (plain port 0, tls-port on the free port), with a CA made for this server. */
  tls?: boolean;
}

export interface RedisServer {
  host: string;
  port: number;
  dir: string;
  pid: number;
  /** redis://[:password@]127.0.0.1:PORT/0, rediss:// with tls */
  url: string;
  /** With tls: the PEM file of the CA that signed the server's certificate (no client needs it in its system store). */
  caFile?: string;
  /** Runs redis-cli against this server (authenticated) and returns stdout. */
  cli(args: string[]): string;
  /** Stops (SIGTERM, then SIGKILL) and starts again on the same port, dir and AOF; `downMs`: stays down that long first. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export function requireRedis(): void {
  if (!existsSync(REDIS_SERVER_BIN)) {
    throw new Error(`${REDIS_SERVER_BIN} is missing: install the Debian package redis-server (npx tsx scripts/ensure-test-deps.ts as root)`);
  }
}

export const OPENSSL_BIN = '/usr/bin/openssl';

/**
 * A CA and a server certificate it signed (EC P-256, 2 days), for 127.0.0.1 and localhost:
 * ca.crt, server.crt, server.key in `dir`. Clients must be told about ca.crt to trust it.
 */
function makeCertificates(dir: string, name: string): { ca: string; cert: string; key: string } {
  const run = (args: string[]) => {
    const r = spawnSync(OPENSSL_BIN, args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=mailmover test CA ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

function config(port: number, dir: string, opts: StartRedisOptions, certs?: { ca: string; cert: string; key: string }): string {
  const lines = [
    'bind 127.0.0.1',
    ...(certs
      ? // Clients are not asked for certificates of their own: AUTH names them, as with a managed Redis.
        ['port 0', `tls-port ${port}`, `tls-cert-file ${certs.cert}`, `tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-auth-clients no']
      : [`port ${port}`]),
    `dir ${dir}`,
    'daemonize no',
    'appendonly yes',
    'appendfsync everysec',
    'save ""',
    `logfile ${join(dir, 'redis.log')}`,
    'protected-mode yes',
    // BullMQ needs keys never evicted.
    'maxmemory-policy noeviction',
  ];
  if (opts.password) lines.push(`requirepass ${opts.password}`);
  if (opts.aclUser) lines.push(`user ${opts.aclUser.name} on >${opts.aclUser.password} ~* &* +@all`);
  return lines.join('\n') + '\n';
}

export async function startRedis(opts: StartRedisOptions): Promise<RedisServer> {
  requireRedis();
  const dir = mkdtempSync(join(tmpdir(), `mm-redis-${opts.name.replace(/[^a-z0-9-]/gi, '')}-`));
  const port = await getFreePort();
  const confPath = join(dir, 'redis.conf');
  const certs = opts.tls ? makeCertificates(dir, opts.name) : undefined;
  writeFileSync(confPath, config(port, dir, opts, certs));
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const c = spawn(REDIS_SERVER_BIN, [confPath], { stdio: 'ignore', detached: true });
    c.unref();
    child = c;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (c.exitCode !== null) throw new Error(`redis-server exited ${c.exitCode} at start; see ${join(dir, 'redis.log')}`);
      // Without AUTH the server still answers PING with -NOAUTH: either way it is up.
      if (await pingOk(port, certs?.ca)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port} within 10 s`);
  };

  const kill = async (): Promise<void> => {
    const pid = child?.pid;
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  };

  const onExit = () => {
    const pid = child?.pid;
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      sleepSync(50);
    }
  };
  process.once('exit', onExit);
  await launch();

  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    host: '127.0.0.1',
    port,
    dir,
    get pid() {
      return child?.pid ?? 0;
    },
    url: `${certs ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}/0`,
    ...(certs ? { caFile: certs.ca } : {}),
    cli(args: string[]): string {
      const env = { ...process.env, ...(opts.password ? { REDISCLI_AUTH: opts.password } : {}) };
      const tls = certs ? ['--tls', '--cacert', certs.ca] : [];
      const r = spawnSync(REDIS_CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...tls, ...args], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    },
    async restart(o: { downMs?: number } = {}) {
      await kill();
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await launch();
    },
    async stop() {
      await kill();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pingOk(port: number, caFile?: string): Promise<boolean> {
  // Redis sends no greeting (unlike the mail servers' probe()): ask with PING.
  return new Promise((resolve) => {
    const sock: Socket = caFile ? tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(caFile) }) : connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => finish(false), 1000);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    sock.once('error', () => finish(false));
    sock.once(caFile ? 'secureConnect' : 'connect', () => sock.write('PING\r\n'));
    sock.once('data', (d: Buffer) => {
      const line = d.toString('latin1');
      // -LOADING: still reading the AOF after a restart.
      finish(line.startsWith('+PONG') || line.startsWith('-NOAUTH'));
    });
  });
}
