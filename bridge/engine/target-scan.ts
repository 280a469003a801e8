import type { ImapFlow } from 'imapflow';
import { MigrationError } from './errors';
import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from './fingerprint';

export interface TargetEntry {
  uid: number;
  size: number;
  fingerprint: string;
  exactFingerprint: string;
}

/**
 * Reads the fingerprints of a target folder's messages from `fromUid` on, leaving out
 * the UIDs our own records account for. The folder is EXAMINEd and then deselected
 * again: Courier-IMAP refuses APPEND into the mailbox a connection holds read-only
 * ("Current box is selected READ-ONLY"), and the same connection appends next.
 */
export async function scanTarget(target: ImapFlow, folder: string, fromUid: number, ours: Set<number>): Promise<TargetEntry[]> {
  const out: TargetEntry[] = [];
  await target.mailboxOpen(folder, { readOnly: true });
  try {
    for (const msg of await target.fetchAll(`${fromUid}:*`, { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) {
      // `N:*` returns the highest message even when its UID is below N (RFC 3501 6.4.8).
      if (msg.uid < fromUid || ours.has(msg.uid)) continue;
      const size = msg.size ?? 0;
      out.push({ uid: msg.uid, size, fingerprint: fingerprint(msg.headers, size), exactFingerprint: exactFingerprint(msg.headers, size) });
    }
  } finally {
    await deselect(target);
  }
  return out;
}

/**
 * Leaves the selected state of a mailbox the caller opened with EXAMINE (callers here
 * never SELECT on the target). UNSELECT where offered (RFC 3691), else CLOSE, which
 * expunges nothing on a mailbox opened with EXAMINE (RFC 3501 6.4.2). A deselect the
 * server refuses fails the pass (retried): an APPEND on Courier would be refused anyway.
 */
export async function deselect(client: ImapFlow): Promise<void> {
  if (!client.mailbox || !client.usable) return;
  const closed = await (client as unknown as { run(cmd: string, opts: object): Promise<unknown> }).run('CLOSE', { unselect: true });
  if (closed === false) {
    throw new MigrationError('TARGET_REFUSED', `The target would not leave folder "${client.mailbox ? client.mailbox.path : ''}" after reading it (UNSELECT/CLOSE refused).`, { side: 'target' });
  }
}
