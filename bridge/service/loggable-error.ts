/**
 * What a log line keeps of an error: its type, message and stack, and the fields that say
 * what failed (a code, a system call, an address, a server's answer), not the rest of its
 * own fields. Libraries attach what they were doing to their errors, and that can be a
 * secret: ioredis puts the failed command on it, an AUTH with the Redis password among its
 * arguments, and rejects every queued command with that same error. A `cause` is kept the
 * same way, a few levels deep.
 */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'responseStatus', 'responseText', 'statusCode'] as const;
const MAX_CAUSES = 3;

export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  cause?: LoggedError | string;
  [field: string]: unknown;
}

export function loggableError(err: unknown, depth = 0): LoggedError | string {
  if (!(err instanceof Error)) return String(err);
  const out: LoggedError = { type: err.constructor?.name || err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  const fields = err as unknown as Record<string, unknown>;
  for (const key of KEPT_FIELDS) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  if (err.cause !== undefined && depth < MAX_CAUSES) out.cause = loggableError(err.cause, depth + 1);
  return out;
}
