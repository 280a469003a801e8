import type { ImapFlow } from 'imapflow';
import type { FlagRequest, SourceFlags } from '../source-driver';
import { uidRangeSets } from './uid-sets';

/**
 * The current flags of some messages of a source folder, for carrying flag changes to their
 * copies (flag-sync.ts): the folder EXAMINEd (never SELECTed: the source is read-only), then
 * UID FETCH (FLAGS). Undefined when the folder's UIDVALIDITY is no longer the one the rows were
 * written under: their UIDs name other messages now, and the next plan handles the change.
 *
 * - `{ uids }`: one UID FETCH per UID set, ranges compressed (uidRangeSets), so a folder whose
 *   copies are contiguous costs one command; answers for other messages are dropped.
 * - `{ changedSince, first, last }` (CONDSTORE, RFC 7162; `changedSince` the folder's
 *   HIGHESTMODSEQ at the last flag pass): one `UID FETCH first:last (FLAGS) (CHANGEDSINCE n)`,
 *   none at all when the EXAMINE's HIGHESTMODSEQ is still that one. A folder of 100,000
 *   messages of which 100 arrived costs 100 answers, not 100,000. When the server cannot
 *   answer it (CONDSTORE gone, or a HIGHESTMODSEQ below the one asked about: the folder's
 *   modification sequence was reset), nothing is fetched and `changedOnly` is false.
 *
 * The folder is EXAMINEd again even when this connection has it open: imapflow's HIGHESTMODSEQ
 * of a folder opened earlier in the pass is that of then, and skipping on it would miss a
 * change made since.
 */
export async function readSourceFlags(client: ImapFlow, folder: string, uidValidity: number, request: FlagRequest): Promise<SourceFlags | undefined> {
  const box = await client.mailboxOpen(folder, { readOnly: true });
  if (Number(box.uidValidity) !== uidValidity) return undefined;
  const highestModseq = client.enabled.has('CONDSTORE') && !box.noModseq && typeof box.highestModseq === 'bigint' ? box.highestModseq : undefined;
  const flags = new Map<number, string[]>();
  if ('changedSince' in request) {
    if (highestModseq === undefined || request.changedSince > highestModseq) return { flags, highestModseq, changedOnly: false };
    if (request.changedSince < highestModseq) {
      for await (const msg of client.fetch(`${request.first}:${request.last}`, { uid: true, flags: true }, { uid: true, changedSince: request.changedSince })) {
        flags.set(msg.uid, [...(msg.flags ?? [])]);
      }
    }
    return { flags, highestModseq, changedOnly: true };
  }
  const wanted = new Set(request.uids);
  for (const set of uidRangeSets([...wanted].sort((a, b) => a - b))) {
    for await (const msg of client.fetch(set, { uid: true, flags: true }, { uid: true })) {
      if (wanted.has(msg.uid)) flags.set(msg.uid, [...(msg.flags ?? [])]);
    }
  }
  return { flags, highestModseq, changedOnly: false };
}
