import { createHash } from 'node:crypto';
import type { UidlEntry } from './client';

/**
 * The key each listed message is known by across runs: its UIDL, which RFC 1939 (section 7)
 * says is unique in the maildrop and never reused. Some servers break this (Dovecot with a
 * `pop3_uidl_format` that holds only the mailbox's UIDVALIDITY gives every message the same
 * UIDL). A key by position among the repeats (`uidl#2`) is not stable: once an earlier
 * repeat is deleted, a later message inherits its key and its row, and is taken for a message
 * already copied — never stored. Repeated UIDLs are therefore keyed by the message's header
 * and size, which do not change with the maildrop around it; identical repeats (same header
 * and size) are numbered among themselves, and since they are the same message, a shift
 * among them cannot hide one that was never copied.
 *
 * `header` reads a message's header (TOP n 0); undefined when the server cannot, and the
 * message is then keyed by its size alone, the best left without downloading it.
 */
export async function uidlKeys(
  entries: readonly UidlEntry[],
  sizes: ReadonlyMap<number, number>,
  header: (msg: number, uidl: string) => Promise<Buffer | undefined>,
): Promise<{ keys: string[]; repeated: number }> {
  const count = new Map<string, number>();
  for (const { uidl } of entries) count.set(uidl, (count.get(uidl) ?? 0) + 1);
  const seen = new Map<string, number>();
  const keys: string[] = [];
  let repeated = 0;
  for (const { msg, uidl } of entries) {
    if (count.get(uidl) === 1) {
      keys.push(uidl);
      continue;
    }
    repeated++;
    const size = sizes.get(msg) ?? 0;
    const head = await header(msg, uidl);
    const content = head ? createHash('sha256').update(head).update(`\0${size}`).digest('hex').slice(0, 20) : `size${size}`;
    const base = `${uidl}#${content}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    keys.push(n === 1 ? base : `${base}#${n}`);
  }
  return { keys, repeated };
}
