import type { ImapFlow } from 'imapflow';
import type { VerifyUnsearched } from '../../shared/verify';
import type { ByteBudget } from '../engine/byte-budget';
import { closeQuietly } from '../engine/connect';
import { classifyError, type ErrorContext } from '../engine/errors';
import type { BodyDigest } from './body-digest';
import { bodyHashes } from './body-hashes';
import { readFolderMeta, type MessageMeta } from './folder-meta';
import { unreadableReason } from './unreadable-reason';

/**
 * The target folders no checked source folder maps to, read only when verify searches them for
 * a missing message's copy (verify-account.ts settleElsewhere). They are the new system's own
 * folders: one may be broken, or removed, or closed to the user by an ACL, and it must not fail
 * the verify of the folders that were migrated. So, like the folders the filters leave out
 * (filtered-out.ts), they are read on a connection of their own, opened at the first read, that
 * a stall or a dropped connection takes down without the verify's own; any error (NO, BAD, a
 * stall, a drop) leaves that folder out of the search, noted with the reason (`unsearched`): a
 * missing message whose copy may be there is reported missing (at worst --fix copies it once
 * more), never taken for found on a guess.
 *
 * A target that refuses that second login (a per-user connection limit) would lose the whole
 * search, which worked on one connection before: they are then read on the verify's own
 * (`shared`). A refusal leaves that one usable (imapflow drops the selected state with the
 * failed EXAMINE); only a drop there costs the rest of the search, and whatever else the verify
 * still had to read.
 */
export class UnmappedTargets {
  /** the connection of its own, once opened */
  private own: ImapFlow | undefined;
  /** why no connection of its own could be opened, once one could not */
  private ownRefused: string | undefined;
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly connect: () => Promise<ImapFlow>,
    private readonly shared: ImapFlow,
    private readonly where: ErrorContext,
  ) {}

  /** The messages of `folder`; undefined when it could not be read. */
  messages(folder: string): Promise<MessageMeta[] | undefined> {
    return this.attempt(folder, async (c) => (await readFolderMeta(c, folder)).messages);
  }

  /** Body digests of some messages of `folder` (the candidates for a missing message without a Message-ID); undefined when they could not be read. */
  bodies(folder: string, messages: MessageMeta[], budget: ByteBudget, chunkBytes: number): Promise<Map<number, BodyDigest> | undefined> {
    return this.attempt(folder, async (c) => {
      await c.mailboxOpen(folder, { readOnly: true });
      return bodyHashes(c, messages, budget, chunkBytes);
    });
  }

  /** The folders left out of the search, with why, in the order they failed. */
  get unsearched(): VerifyUnsearched[] {
    return [...this.refused].map(([folder, reason]) => ({ folder, reason }));
  }

  async close(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await closeQuietly(own);
  }

  private async attempt<T>(folder: string, read: (client: ImapFlow) => Promise<T>): Promise<T | undefined> {
    if (this.refused.has(folder)) return undefined;
    const client = await this.session();
    if (typeof client === 'string') {
      this.refused.set(folder, client);
      return undefined;
    }
    try {
      return await read(client);
    } catch (err) {
      this.refused.set(folder, unreadableReason(err, this.where));
      // After a stall or a drop the connection is gone; after a refusal a new one costs a
      // login and starts from a known state. The verify's own is the caller's to close.
      if (client === this.own) {
        this.own = undefined;
        await closeQuietly(client);
      }
      return undefined;
    }
  }

  /** The connection to read on, or why there is none. */
  private async session(): Promise<ImapFlow | string> {
    if (this.own) return this.own;
    if (this.ownRefused === undefined) {
      try {
        return (this.own = await this.connect());
      } catch (err) {
        // Not tried again: each attempt would cost a login the target refuses.
        this.ownRefused = classifyError(err, this.where).message;
      }
    }
    if (this.shared.usable) return this.shared;
    return `no connection of its own could be opened (${this.ownRefused}), and the verify's own was lost`;
  }
}
