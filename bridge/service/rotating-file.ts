import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureOwnerOnlyDir, ensureOwnerOnlyFile, restrictIfPresent } from '../engine/owner-only';

/**
 * An append-only log file that rotates by size: bridge.log → bridge.log.1 → …
 * → bridge.log.<keep>, the oldest dropped. Writes are synchronous so that the
 * last lines before a crash or a SIGTERM are on disk. Mode 0600: logs name
 * mailboxes, which is nobody else's business.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly keep = 5,
  ) {
    // A log left by an older version may be 0644: tightened too, not only new files.
    ensureOwnerOnlyDir(dirname(path));
    ensureOwnerOnlyFile(path);
    for (let n = 1; n <= keep; n++) restrictIfPresent(`${path}.${n}`);
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const name = (n: number) => `${this.path}.${n}`;
    if (existsSync(name(this.keep))) rmSync(name(this.keep));
    for (let n = this.keep - 1; n >= 1; n--) if (existsSync(name(n))) renameSync(name(n), name(n + 1));
    renameSync(this.path, name(1));
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
