import { closeQuietly } from '../connect';
import { MigrationError } from '../errors';
import type { ImapClient } from '../imap-client';
import { OMITTED_WORDS, stillListed } from './omitted-messages';
import { mayBeAMessage, narrowFailingFetch, serverWords, type SourceRescue } from './unreadable-messages';

/** UIDs from `lo` to `hi` of a folder whose FETCH failed once. */
export interface FailedSpan {
  folder: string;
  uidValidity: number;
  lo: number;
  hi: number;
}

/**
 * Records a failed FETCH of `uids` and says whether it overlaps one that failed before in
 * this run. The first failure is left to the pass's retry (a cut link, a server restart: the
 * retry simply goes through); only a span that fails again is narrowed down.
 */
function failedAgain(failed: FailedSpan[], folder: string, uidValidity: number, uids: readonly number[] | string): boolean {
  let lo: number;
  let hi: number;
  if (typeof uids === 'string') {
    const [from, to] = uids.split(':');
    lo = Number(from);
    hi = to === undefined ? lo : to === '*' ? Infinity : Number(to);
  } else {
    lo = Math.min(...uids);
    hi = Math.max(...uids);
  }
  const again = failed.some((f) => f.folder === folder && f.uidValidity === uidValidity && f.lo <= hi && lo <= f.hi);
  failed.push({ folder, uidValidity, lo, hi });
  return again;
}

/**
 * What came through in one run, over all its sessions (SourceRescue.read): the folders a
 * FETCH came through for, and per folder and UIDVALIDITY a UID whose body did.
 */
export interface RunReads {
  folders: Set<string>;
  bodies: Map<string, number>;
}

export const newRunReads = (): RunReads => ({ folders: new Set(), bodies: new Map() });

/** A fresh connection to the failing folder; a source that changed says so, one that cannot be reached again is the connection problem it was. */
async function freshOrFirstError<C extends ImapClient>(fresh: () => Promise<C>, firstError: unknown): Promise<C> {
  try {
    return await fresh();
  } catch (err) {
    if (err instanceof MigrationError && err.code === 'SOURCE_CHANGED') throw err;
    throw firstError;
  }
}

/**
 * The most messages of a planning window of which nothing came through that go one at a time
 * on the strength of another message of the folder coming through: about a connection each
 * (a server that drops the session over a damaged message), so a chunk's worth (chunkMessages'
 * default), not a window's 5,000; a bigger window fails its folder. A chunk goes one at a
 * time whatever its size: its size is the user's (--batch-messages).
 */
export const STRETCH_ALONE_MAX = 200;

/** UIDs of the failing folder, outside the failing set, the smallest of which each candidate is (see othersInFolder). */
const CANDIDATE_POOL = 10;

/**
 * A few UIDs of the folder `fresh` opens that are not in `set`, from its index (UID SEARCH,
 * then RFC822.SIZE: no message is read): the smallest of the first few after the set, of the
 * last few, and of a few between. For a set of which nothing comes through and no message
 * of whose folder did yet (the folder's first chunk all damaged): if one of these comes
 * through, the set is a damaged stretch and the rest of the folder is copied, instead of the
 * whole folder waiting for its repair. The smallest, since each later control fetches it
 * again. A source that cannot be reached again, or changed, says so as the narrowing's
 * other connections do; one whose index cannot be read gives none.
 */
async function othersInFolder<C extends ImapClient>(fresh: () => Promise<C>, set: readonly number[], firstError: unknown): Promise<number[]> {
  const c = await freshOrFirstError(fresh, firstError);
  try {
    const inSet = new Set(set);
    const highest = set.reduce((a, b) => Math.max(a, b), 0);
    const outside = ((await c.search({ all: true }, { uid: true })) || []).filter((uid) => !inSet.has(uid)).sort((a, b) => a - b);
    const after = outside.findIndex((uid) => uid > highest);
    const middle = Math.max(0, Math.floor(outside.length / 2) - CANDIDATE_POOL / 2);
    const pools = [
      after < 0 ? [] : outside.slice(after, after + CANDIDATE_POOL),
      outside.slice(-CANDIDATE_POOL),
      outside.slice(middle, middle + CANDIDATE_POOL),
    ].filter((pool) => pool.length > 0);
    let sizes = new Map<number, number>();
    try {
      const listed = await c.fetchAll([...new Set(pools.flat())].join(','), { uid: true, size: true }, { uid: true });
      sizes = new Map(listed.map((m) => [m.uid, m.size ?? Infinity]));
    } catch {
      // Without sizes: the first of each.
    }
    const smallest = (pool: number[]): number => pool.reduce((a, b) => ((sizes.get(b) ?? Infinity) < (sizes.get(a) ?? Infinity) ? b : a));
    return [...new Set(pools.map(smallest))];
  } catch {
    return [];
  } finally {
    await closeQuietly(c);
  }
}

/** Other folders a control FETCH tries at most (each one with messages), and folders it opens at most. */
const CONTROL_FOLDERS = 2;
const CONTROL_OPENS = 10;
/** The newest messages of a folder the control FETCH takes the smallest of. */
const CONTROL_CANDIDATES = 20;

/**
 * A source session's rescue of a FETCH that failed (SourceRescue): the first failure of a UID
 * span is thrown for the pass to retry; one that fails again is narrowed on connections from
 * `reconnect`, each with the folder opened read-only and its UIDVALIDITY checked, and the
 * session goes on with the narrowing's last live connection (`adopt`). `folders`: the source's
 * selectable folders, those with messages first (the listing), for the control FETCH below.
 */
export function sourceRescue<C extends ImapClient>(
  reconnect: () => Promise<C>,
  failed: FailedSpan[],
  adopt: (client: C) => Promise<void>,
  reads: RunReads,
  folders: () => readonly string[] = () => [],
): SourceRescue {
  /**
   * Whether a message of another folder than `folder` comes through now, on a connection of
   * its own, with the FETCH that failed (`fetch`: the bodies of a chunk, or a planning
   * window's metadata): the smallest of the newest few messages, in up to CONTROL_FOLDERS
   * folders that hold messages. The evidence that the link is fine when no FETCH of another
   * folder came through in this run: a run whose other folders have nothing new fetches
   * nothing of them (plan-folder.ts), and so does every run after a FOLDER_UNREADABLE until
   * the folder is repaired.
   */
  const readsElsewhere = async <T>(folder: string, fetch: (client: C, uids: number[]) => Promise<T[]>): Promise<boolean> => {
    let c: C | undefined;
    let tried = 0;
    let opens = 0;
    try {
      for (const other of folders()) {
        if (other === folder) continue;
        if (tried >= CONTROL_FOLDERS || opens >= CONTROL_OPENS) break;
        if (!c || !c.usable) {
          await closeQuietly(c);
          c = undefined;
          try {
            c = await reconnect();
          } catch {
            return false;
          }
        }
        try {
          opens++;
          const box = await c.mailboxOpen(other, { readOnly: true });
          if (!box.exists) continue;
          tried++;
          // UIDs and sizes come from the index: no message is read yet.
          const newest = await c.fetchAll(`${Math.max(1, box.exists - CONTROL_CANDIDATES + 1)}:*`, { uid: true, size: true });
          const smallest = newest.sort((a, b) => (a.size ?? 0) - (b.size ?? 0))[0];
          if (smallest === undefined) continue;
          const got = await fetch(c, [smallest.uid]);
          if (got.length > 0) return true;
        } catch {
          // Not evidence either way for this folder (damaged too, or gone): the next one.
        }
      }
      return false;
    } finally {
      await closeQuietly(c);
    }
  };
  return {
    read: (folder, body) => {
      reads.folders.add(folder);
      if (body) reads.bodies.set(`${folder}\n${body.uidValidity}`, body.uid);
    },
    narrow: async (folder, uidValidity, uids, fetch, firstError) => {
      if (!mayBeAMessage(firstError) || !failedAgain(failed, folder, uidValidity, uids)) throw firstError;
      const fresh = async (): Promise<C> => {
        const c = await reconnect();
        try {
          const box = await c.mailboxOpen(folder, { readOnly: true });
          if (Number(box.uidValidity) !== uidValidity) {
            throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${folder}" changed during the migration; re-planning.`, { side: 'source' });
          }
          return c;
        } catch (err) {
          await closeQuietly(c);
          throw err;
        }
      };
      let list: number[];
      if (typeof uids === 'string') {
        // The UIDs of a range come from the index alone (UID SEARCH): no message is read.
        const c = await freshOrFirstError(fresh, firstError);
        try {
          const found = await c.search({ uid: uids }, { uid: true });
          list = (found || []).sort((a, b) => a - b);
        } catch {
          throw firstError;
        } finally {
          await closeQuietly(c);
        }
      } else list = [...uids];
      // Not one message of the folder came through while other folders did in this run, or
      // one does now (a control FETCH): the folder is damaged on the server (a link that
      // fails everything fails them too).
      const folderUnreadable = async (): Promise<unknown> =>
        [...reads.folders].some((f) => f !== folder) || (await readsElsewhere(folder, fetch))
          ? new MigrationError(
              'FOLDER_UNREADABLE',
              `The source server could not read any message of folder "${folder}" it was asked for (it said ${serverWords(firstError)}), while messages of other folders come through: the folder is likely damaged on the old server (file permissions, a broken index). The folders it can read are copied before it; this one is tried again by the next run.`,
              { side: 'source', cause: firstError, facts: { kind: 'folder-unreadable', folder } },
            )
          : firstError;
      const known = reads.bodies.get(`${folder}\n${uidValidity}`);
      // The message known to have come through first; if it no longer does (deleted on the old
      // server meanwhile), the index's. None for a planning window too big to go through alone.
      const readableElsewhere = async function* (): AsyncGenerator<number> {
        if (typeof uids === 'string' && list.length > STRETCH_ALONE_MAX) return;
        if (known !== undefined && !list.includes(known)) yield known;
        yield* await othersInFolder(fresh, list, firstError);
      };
      const narrowed = await narrowFailingFetch(list, fetch, fresh, firstError, folderUnreadable, readableElsewhere);
      await adopt(narrowed.client);
      // A UID the fetches that came through left out of their OK answers (Cyrus, a spool file
      // it cannot open) is in neither list: a planning window would pass it over for good.
      // The index is asked, as after any FETCH (omitted-messages.ts); one it no longer lists
      // was expunged meanwhile.
      const answered = new Set([...narrowed.got.map((m) => m.uid), ...narrowed.unreadable.map((u) => u.uid)]);
      const leftOut = await stillListed(narrowed.client, list.filter((uid) => !answered.has(uid)));
      return { got: narrowed.got, unreadable: [...narrowed.unreadable, ...leftOut.map((uid) => ({ uid, words: OMITTED_WORDS }))] };
    },
  };
}
