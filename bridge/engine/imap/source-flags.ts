import type { ImapFlow } from 'imapflow';
import type { SourceFlags } from '../source-driver';
import { uidRangeSets } from './uid-sets';

/**
 * The current flags of some messages of a source folder, for carrying flag changes to their
 * copies (flag-sync.ts): the folder EXAMINEd (never SELECTed: the source is read-only), then
 * one UID FETCH (FLAGS) per UID set, ranges compressed (uidRangeSets), so a folder whose
 * copies are contiguous costs one command. Undefined when the folder's UIDVALIDITY is no
 * longer the one the rows were written under: their UIDs name other messages now, and the
 * next plan handles the change.
 *
 * With CONDSTORE (RFC 7162) and `changedSince` (the folder's HIGHESTMODSEQ at the last flag
 * pass), only the messages changed since are asked for (CHANGEDSINCE), and none at all when
 * the EXAMINE's HIGHESTMODSEQ is still that one: an unchanged folder of 100,000 messages
 * then costs no FETCH, not 100,000 answers. The folder is EXAMINEd again even when this
 * connection has it open: imapflow's HIGHESTMODSEQ of a folder opened earlier in the pass is
 * that of then, and skipping on it would miss a change made since.
 */
export async function readSourceFlags(client: ImapFlow, folder: string, uidValidity: number, uids: readonly number[], changedSince?: bigint): Promise<SourceFlags | undefined> {
  const box = await client.mailboxOpen(folder, { readOnly: true });
  if (Number(box.uidValidity) !== uidValidity) return undefined;
  const highestModseq = client.enabled.has('CONDSTORE') && !box.noModseq && typeof box.highestModseq === 'bigint' ? box.highestModseq : undefined;
  const since = highestModseq !== undefined && changedSince !== undefined && changedSince <= highestModseq ? changedSince : undefined;
  const flags = new Map<number, string[]>();
  if (since !== undefined && since === highestModseq) return { flags, highestModseq, changedOnly: true };
  const wanted = new Set(uids);
  for (const set of uidRangeSets([...wanted].sort((a, b) => a - b))) {
    for await (const msg of client.fetch(set, { uid: true, flags: true }, since !== undefined ? { uid: true, changedSince: since } : { uid: true })) {
      if (wanted.has(msg.uid)) flags.set(msg.uid, [...(msg.flags ?? [])]);
    }
  }
  return { flags, highestModseq, changedOnly: since !== undefined };
}
