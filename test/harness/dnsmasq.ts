/**
 * A real DNS server on loopback for the cut-over tests: Debian's dnsmasq (package dnsmasq-base,
 * only the binary, no system service) with its own config on a free port, answering only from
 * the records the test gives. `--no-resolv --no-hosts` and `local=/#/` make every other name
 * NXDOMAIN instead of being forwarded anywhere. `restart(zone)` serves a changed zone on the same
 * port (the before/during/after states of a cut-over). Only the PID started here is ever killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from './free-port.js';

export const DNSMASQ_BIN = '/usr/sbin/dnsmasq';

export type ZoneRecord =
  | { type: 'MX'; name: string; host: string; priority: number }
  | { type: 'TXT'; name: string; value: string }
  | { type: 'CNAME'; name: string; target: string }
  | { type: 'SRV'; name: string; target: string; port: number; priority?: number; weight?: number };

export interface Dnsmasq {
  port: number;
  /** "127.0.0.1:PORT", for --dns-server. */
  server: string;
  restart(zone: readonly ZoneRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/** Name of a record every zone carries: answered once dnsmasq is up. */
const READY_NAME = 'mailmover-dnsmasq-ready.test';

function configText(zone: readonly ZoneRecord[]): string {
  const lines = ['local=/#/', 'pid-file=', 'local-ttl=300', `txt-record=${READY_NAME},"up"`];
  for (const r of zone) {
    if (/[",\n]/.test(r.name)) throw new Error(`record name not supported by this harness: ${r.name}`);
    switch (r.type) {
      case 'MX':
        lines.push(`mx-host=${r.name},${r.host},${r.priority}`);
        break;
      case 'TXT':
        // One string of at most 255 bytes: enough for the records under test; quotes would end it.
        if (r.value.includes('"') || Buffer.byteLength(r.value) > 255) throw new Error(`TXT value not supported by this harness: ${r.value}`);
        lines.push(`txt-record=${r.name},"${r.value}"`);
        break;
      case 'CNAME':
        lines.push(`cname=${r.name},${r.target}`);
        break;
      case 'SRV':
        lines.push(`srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 1}`);
        break;
    }
  }
  return lines.join('\n') + '\n';
}

export function requireDnsmasq(): void {
  if (!existsSync(DNSMASQ_BIN)) {
    throw new Error(`The DNS tests need ${DNSMASQ_BIN} (Debian package dnsmasq-base). Install with: apt-get install -y dnsmasq-base (npm test does it via scripts/ensure-test-deps.ts).`);
  }
}

async function waitReady(server: string, child: ChildProcess, log: () => string): Promise<void> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([server]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited with ${child.exitCode}: ${log()}`);
    try {
      await r.resolveTxt(READY_NAME);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on ${server} within 10 s: ${log()}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

export async function startDnsmasq(zone: readonly ZoneRecord[]): Promise<Dnsmasq> {
  requireDnsmasq();
  // The free port is a TCP one; its UDP twin (or the TCP port itself, a moment later) may be
  // taken by another test's server: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await getFreePort(), zone);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startOn(port: number, zone: readonly ZoneRecord[]): Promise<Dnsmasq> {
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-dnsmasq-'));
  const conf = join(dir, 'dnsmasq.conf');
  const server = `127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let log = '';

  async function launch(z: readonly ZoneRecord[]): Promise<void> {
    writeFileSync(conf, configText(z));
    log = '';
    const c = spawn(
      DNSMASQ_BIN,
      ['--no-resolv', '--no-hosts', '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--conf-file=${conf}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    c.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    child = c;
    await waitReady(server, c, () => log);
  }

  async function kill(): Promise<void> {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 3000).unref();
    });
  }

  try {
    await launch(zone);
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    server,
    async restart(z) {
      await kill();
      await launch(z);
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
