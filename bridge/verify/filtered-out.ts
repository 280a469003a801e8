import type { ImapFlow } from 'imapflow';
import type { FolderMapping } from '../../shared/folders/map-folders';
import type { VerifyUnsearched } from '../../shared/verify';
import type { AccountJob } from '../engine/account-job';
import { closeQuietly } from '../engine/connect';
import type { ErrorContext } from '../engine/errors';
import type { MailboxLayout } from '../engine/discover';
import { planMappings } from '../engine/plan-mappings';
import { readFolderMeta, type MessageMeta } from './folder-meta';
import { matchMessages } from './match-messages';
import { unreadableReason } from './unreadable-reason';

/**
 * The source folders the job's folder filters (--include-folder / --exclude-folder) leave out,
 * each with the target folder it would go to. Their target folders are not checked, yet they
 * are still the user's mail on the new system: a message filed into one there is `elsewhere`
 * (verify-account.ts). What each also holds, the copies of its own source folder's messages
 * (an earlier run without the filter, another tool), must not stand in for another folder's
 * lost message: notCopiesOf leaves those out.
 */
export function filteredOutMappings(source: MailboxLayout, target: MailboxLayout, job: AccountJob, checked: readonly FolderMapping[]): FolderMapping[] {
  const unfiltered = planMappings(source, target, { ...job, options: { ...job.options, includeFolders: [], excludeFolders: [] } });
  const kept = new Set(checked.map((m) => m.source));
  return unfiltered.filter((m) => m.selectable && !kept.has(m.source));
}

/**
 * The messages of `target` that no message of `source` accounts for: paired by fingerprint as
 * multisets (matchMessages, every source message expected whatever its flags or date), as a
 * checked folder leaves only its unpaired copies to be found elsewhere. Among messages without a
 * Message-ID that share a fingerprint the pairing is by count, so the copy left over may not be
 * the one whose body a missing message has: it is then reported missing (copied again by --fix,
 * at worst a double), never taken for found.
 */
export function notCopiesOf(source: readonly MessageMeta[], target: readonly MessageMeta[]): MessageMeta[] {
  return matchMessages([...source], [...target], { deleted: 'copy', keywordOk: () => true, recordedSkips: new Map() }).extra;
}

/**
 * The source folders the filters leave out, per target folder they map to, read only when
 * verify needs them (verify-account.ts settleElsewhere: a missing message has a candidate copy
 * in that target folder). A folder is often left out because it is broken or huge (one the
 * migration found unreadable, Gmail's All Mail): one that cannot be read must not fail the
 * verify of the folders the user did ask for. So it is read on a connection of its own, opened
 * at the first read, that a stall or a dropped connection takes down without the verify's own;
 * and any error (NO, BAD, a stall, a drop, a login refused) gives `undefined`: the caller then
 * takes no candidate from that target folder, and the message is reported missing (at worst
 * --fix copies it once more), never taken for found on a guess; the report says so
 * (`unsearched`), as it does for a target folder verify cannot read (unmapped-targets.ts).
 */
export class FilteredOutSources {
  private client: ImapFlow | undefined;
  /** target folder -> why it was left out of the search */
  private readonly failed = new Map<string, string>();

  constructor(
    /** target folder -> the source folders the filters leave out that map to it */
    readonly byTarget: ReadonlyMap<string, readonly string[]>,
    private readonly connect: () => Promise<ImapFlow>,
    private readonly where: ErrorContext,
  ) {}

  /** The target folders left out of the search, with why. */
  get unsearched(): VerifyUnsearched[] {
    return [...this.failed].map(([folder, reason]) => ({ folder, reason }));
  }

  /** The messages of every filtered-out source folder of `target`; undefined when one of them could not be read. */
  async messagesFor(target: string): Promise<MessageMeta[] | undefined> {
    const out: MessageMeta[] = [];
    for (const folder of this.byTarget.get(target) ?? []) {
      try {
        this.client ??= await this.connect();
        out.push(...(await readFolderMeta(this.client, folder)).messages);
      } catch (err) {
        this.failed.set(target, `its copies of source folder "${folder}", which the folder filters leave out, cannot be told from another folder's, as that folder could not be read: ${unreadableReason(err, this.where)}`);
        // After a stall or a drop the connection is gone; after a refusal a new one costs a
        // login and starts from a known state.
        const broken = this.client;
        this.client = undefined;
        await closeQuietly(broken);
        return undefined;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await closeQuietly(client);
  }
}
