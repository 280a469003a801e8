import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What `read` gives once the target stopped changing: after a client is killed, an APPEND the
 * server had fully received may still be committed (Courier: seconds later), so a count read at
 * once may grow. Reads every `pollMs` until two reads in a row agree (compared by `key`);
 * throws after 30 reads that kept changing.
 */
export async function settled<T>(read: () => Promise<T>, opts: { pollMs?: number; key?: (value: T) => unknown } = {}): Promise<T> {
  const key = opts.key ?? ((v: T) => v);
  let last = await read();
  for (let i = 0; i < 30; i++) {
    await sleep(opts.pollMs ?? 200);
    const now = await read();
    if (key(now) === key(last)) return now;
    last = now;
  }
  throw new Error(`the target kept changing after the kill: ${JSON.stringify(last)}`);
}
