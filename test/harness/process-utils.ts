/**
 * Small process and socket helpers the harness servers share (Dovecot on the host, Cyrus and
 * Courier in their chroots).
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Whether a process exists (EPERM: it exists, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Blocks the thread: for exit handlers, where nothing asynchronous runs any more. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Connects (with TLS when `ca` is given, trusting only that certificate) and resolves true once a
 * banner line starting with `expect` arrives. Reading the banner also means the login process that
 * took the connection has finished initializing (matters for a prompt shutdown).
 */
export function probe(port: number, expect: string, timeoutMs: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = ca
      ? tlsConnect({ host: '127.0.0.1', port, ca: [ca], servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port });
    let buf = '';
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('error', () => done(false));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith(expect));
    });
    sock.once('close', () => done(false));
  });
}
