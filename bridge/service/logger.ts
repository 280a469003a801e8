import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loggableError } from './loggable-error';
import { RotatingFile } from './rotating-file';
import type { SecretScrubber } from './secret-scrubber';

export type { Logger } from 'pino';

export const LOG_FILE = 'bridge.log';

/** Keys whose values never reach a log line, wherever they sit (pino redaction paths). */
const REDACT_KEYS = ['password', 'pass', 'token', 'accessToken', 'sourcePassword', 'targetPassword', 'csvBase64', 'authorization', 'secret'];
const REDACT_PATHS = REDACT_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LogLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  jobId?: string;
  accountId?: string;
}

const LEVEL_NAMES: Record<number, LogLine['level']> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };

export interface BridgeLogger {
  logger: Logger;
  file: string;
  /** Receives every line (after scrubbing) as a structured record; the WebSocket forwards them to subscribers. */
  onLine(listener: (line: LogLine) => void): () => void;
  close(): void;
}

/**
 * The bridge's structured log (pino): JSON lines to stderr and to a rotating file
 * in the state dir, each line first stripped of every secret the scrubber knows
 * (structured redaction by key happens before, in pino).
 */
export function createBridgeLogger(opts: {
  stateDir: string;
  scrubber: SecretScrubber;
  level?: string;
  stderr?: { write(s: string): unknown } | null;
}): BridgeLogger {
  const file = new RotatingFile(join(opts.stateDir, 'logs', LOG_FILE));
  const listeners = new Set<(line: LogLine) => void>();
  const stderr = opts.stderr === undefined ? process.stderr : opts.stderr;
  const destination = {
    write(raw: string): void {
      const line = opts.scrubber.scrub(raw);
      file.write(line);
      stderr?.write(line);
      if (listeners.size === 0) return;
      try {
        const rec = JSON.parse(line) as { time: number; level: number; msg?: string; jobId?: string; accountId?: string };
        const out: LogLine = { time: new Date(rec.time).toISOString(), level: LEVEL_NAMES[rec.level] ?? 'info', msg: rec.msg ?? '' };
        if (typeof rec.jobId === 'string') out.jobId = rec.jobId;
        if (typeof rec.accountId === 'string') out.accountId = rec.accountId;
        for (const l of listeners) l(out);
      } catch {
        // not one JSON line: nothing to forward
      }
    },
  };
  const logger = pino(
    {
      name: 'mailmover-bridge',
      level: opts.level ?? process.env.MAILMOVER_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: loggableError },
      base: { pid: process.pid },
    },
    destination,
  );
  return {
    logger,
    file: file.path,
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => file.close(),
  };
}
