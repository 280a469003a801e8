import type { ImapFlow } from 'imapflow';
import { closeQuietly } from '../connect';
import { classifyError, MigrationError } from '../errors';
import { originOf } from '../error-origin';
import { isTemporaryRefusal } from '../temporary-refusal';

/**
 * A source server that cannot read one message (a file it may not open, a broken size in
 * its index, a damaged store) fails every FETCH that includes it: Dovecot drops the session
 * ("FETCH failed: Internal error"), others answer NO. Retrying the pass hits the same
 * message again, so one damaged message would stop the whole account. This finds such
 * messages by bisecting the UID set on fresh connections, so the rest can be copied and
 * the damaged ones reported (and tried again by the next run). A link or server that fails
 * everything is not narrowed into skips: a message is blamed only when it fails alone on a
 * fresh connection while other messages of the same set came through.
 */

/** How a skip for a message the source could not deliver is recorded; not final, so the next run plans it again. */
export const UNREADABLE_PREFIX = 'SOURCE_UNREADABLE';

export function unreadableReason(words: string): string {
  return `${UNREADABLE_PREFIX}: the source server could not read this message: ${words}; check the message on the old server`;
}

/**
 * A message the source sent with no bytes at all: no message is empty (a header block at
 * least), so the server failed to read it. Courier-IMAP answers the FETCH of a message
 * file it cannot read with an empty literal; an empty file in a damaged Maildir gives the
 * same. Never stored as the message: the next run tries it again.
 */
export const EMPTY_MESSAGE_WORDS = 'it sent the message empty (0 bytes)';

export interface Unreadable {
  uid: number;
  /** The server's own words about the failure. */
  words: string;
}

/**
 * Whether a failed FETCH could be the fault of a message in it: the connection dropped, or
 * a plain NO. Not a timeout (a stalled link), a throttle, a temporary refusal, nor an error
 * of the engine's own (a changed UIDVALIDITY, a stop).
 */
export function mayBeAMessage(err: unknown): boolean {
  if (err instanceof MigrationError) return false;
  const cause = originOf(err)?.cause ?? err;
  if (cause instanceof MigrationError) return false;
  const e = (cause ?? {}) as { responseStatus?: string; serverResponseCode?: string; responseText?: string; message?: string };
  if (e.responseStatus === 'NO') return !isTemporaryRefusal(e);
  const classified = classifyError(err, { side: 'source', account: '', host: '', port: 0 });
  return classified.code === 'CONNECT_FAILED';
}

/** What the server said about a failed FETCH, for the report. */
export function serverWords(err: unknown): string {
  const cause = (originOf(err)?.cause ?? err ?? {}) as { reason?: string; responseText?: string; message?: string; code?: string };
  const raw = (err ?? {}) as { reason?: string; responseText?: string };
  const words = cause.responseText || cause.reason || raw.responseText || raw.reason || '';
  return words.trim() ? `"${words.trim()}"` : `the connection was closed while it was sent (${cause.code ?? cause.message ?? 'closed'})`;
}

export interface Narrowed<T, F extends ImapFlow = ImapFlow> {
  /** What the fetches that succeeded returned, for every UID but the unreadable ones. */
  got: T[];
  unreadable: Unreadable[];
  /** A live connection with the folder open, for the session to go on with. */
  client: F;
}

/**
 * After this many messages in a row failed alone while the narrowing goes one by one, a
 * message that came through earlier is fetched again on a fresh connection: a source that
 * now fails that one too has a broken link or server, not one more damaged message.
 */
const CONTROL_EVERY = 4;

/**
 * Fetches `uids` again after `firstError`, narrowing a set that keeps failing down to the
 * messages that fail alone. First the whole set once more on a fresh connection (a passing
 * fault ends here); then halves of each failing set, every fetch after a failure on a fresh
 * connection; each message left alone is tried once more on a connection of its own.
 * Halving costs a few fetches per damaged message and level (log2 of the set), which pays
 * for a few damaged messages among many. Past that budget (a damaged stretch: a restored
 * backup with the wrong owner, a disk fault), the messages still in doubt go one at a
 * time, about one new connection per damaged message, with a control fetch of a message
 * that came through after every few failures in a row, and once more when messages were
 * blamed after the last fetch that came through. When nothing at all came through, or a
 * control fails, the first error stands, as a connection problem.
 */
export async function narrowFailingFetch<T extends { uid: number }, F extends ImapFlow>(
  uids: readonly number[],
  fetch: (client: F, uids: number[]) => Promise<T[]>,
  fresh: () => Promise<F>,
  firstError: unknown,
  /**
   * The error when not one message of the set came through (default: `firstError`); asked
   * once the narrowing's connection is closed, so it may open one of its own.
   */
  nothingCameThrough: () => unknown = () => firstError,
  /**
   * Messages of the same folder (not in `uids`) that may come through: one whose body came
   * through earlier in the run, then a few the folder's index lists. Asked only when nothing
   * of the set comes through, and taken one at a time: each is fetched alone on a fresh
   * connection, and the first that comes through makes the set a damaged stretch (every
   * message of a chunk unreadable), gone through one by one, not a link that fails everything.
   */
  readableElsewhere: () => AsyncIterable<number> = async function* () {},
): Promise<Narrowed<T, F>> {
  const levels = Math.ceil(Math.log2(Math.max(2, uids.length)));
  // Room for three damaged messages in one set: two halves per level each, and a confirmation.
  let budget = 2 + 3 * (2 * levels + 1);
  let client: F | undefined;
  /** Whether `client` is a new connection nothing was fetched on yet. */
  let untouched = false;
  const open = async (): Promise<F> => {
    if (client && client.usable) return client;
    await closeQuietly(client);
    client = undefined;
    try {
      client = await fresh();
    } catch (err) {
      // The source cannot even be reached again: the connection problem it was.
      if (err instanceof MigrationError && err.code === 'SOURCE_CHANGED') throw err;
      throw firstError;
    }
    untouched = true;
    return client;
  };
  const reconnect = async (): Promise<F> => {
    await closeQuietly(client);
    client = undefined;
    return open();
  };
  const nothingThrough = async (): Promise<never> => {
    await closeQuietly(client);
    client = undefined;
    throw await nothingCameThrough();
  };
  type Attempt = { ok: true; got: T[] } | { ok: false; err: unknown; onFresh: boolean };
  const attempt = async (set: number[], onFresh: boolean): Promise<Attempt> => {
    const c = onFresh ? await reconnect() : await open();
    const wasUntouched = untouched;
    untouched = false;
    try {
      return { ok: true, got: await fetch(c, set) };
    } catch (err) {
      if (!mayBeAMessage(err)) throw err;
      return { ok: false, err, onFresh: wasUntouched };
    }
  };

  const got: T[] = [];
  const unreadable: Unreadable[] = [];
  let cameThrough = 0;
  /**
   * A UID that came through, for the control fetches: one the server sent (Cyrus answers OK
   * and leaves out a message it cannot read, so a set that came through may not hold it).
   */
  let readable: number | undefined;
  /** Messages blamed since the last fetch that came through (a message, a probe or a control). */
  let blamedSince = 0;
  const through = (set: number[], items: T[]): void => {
    got.push(...items);
    cameThrough++;
    readable = items[0]?.uid ?? readable;
    blamedSince = 0;
  };
  const blame = (uid: number, words: string): void => {
    unreadable.push({ uid, words });
    blamedSince++;
  };
  /**
   * `readable` again, alone on a fresh connection (its body is not kept: it is in `got`
   * already). A source that now fails it too has a broken link or server: the messages
   * blamed meanwhile are not blamed, the first error stands.
   */
  const control = async (): Promise<void> => {
    if (readable === undefined) throw firstError;
    const check = await attempt([readable], true);
    if (!check.ok || check.got.length === 0) throw firstError;
    blamedSince = 0;
  };
  let failed = 0;
  let probed = false;
  // The whole set again, its halves and its quarters all failing, nothing at all through:
  // a link or server that fails everything, or damage spread all over the set (one message
  // in ten), or most of it (old messages restored unreadable, new ones fine). A few
  // messages of the set alone on fresh connections tell them apart: the first, the last,
  // and three between (so that no regular spacing of damage hits them all); their bodies
  // are not kept (each is fetched again with its part of the set). Given up when none
  // comes through.
  const hopeless = async (): Promise<boolean> => {
    if (cameThrough > 0 || failed < 7) return false;
    if (probed) return true;
    probed = true;
    const n = uids.length;
    const probes = [...new Set([0, n - 1, Math.floor(n / 2), Math.floor(n / 3), Math.floor((2 * n) / 3)])].map((i) => uids[i]!);
    for (const uid of probes) {
      const probe = await attempt([uid], true);
      if (probe.ok && probe.got.length > 0) {
        cameThrough++;
        readable = probe.got[0]!.uid;
        blamedSince = 0;
        return false;
      }
    }
    if (await elsewhereComesThrough()) {
      // The folder's other messages come through, not one of these: halving would only fail
      // again at every level; every message alone instead.
      budget = 0;
      return false;
    }
    return true;
  };
  /** Whether a message of the folder outside the set came through (readableElsewhere): 'none' when there was none to try. */
  let elsewhere: 'through' | 'failed' | 'none' | undefined;
  /** Asks readableElsewhere once; the narrowing's connection is closed first, so the lookup is not one connection more. */
  const elsewhereComesThrough = async (): Promise<boolean> => {
    if (elsewhere !== undefined) return elsewhere === 'through';
    elsewhere = 'none';
    await closeQuietly(client);
    client = undefined;
    for await (const uid of readableElsewhere()) {
      elsewhere = 'failed';
      const check = await attempt([uid], true);
      if (check.ok && check.got.length > 0) {
        cameThrough++;
        readable = check.got[0]!.uid;
        blamedSince = 0;
        elsewhere = 'through';
        break;
      }
    }
    return elsewhere === 'through';
  };
  /** UIDs the halving had no budget left for. */
  const inDoubt: number[] = [];
  try {
    const all = [...uids];
    budget--;
    const again = await attempt(all, true);
    if (again.ok) return { got: again.got, unreadable, client: client! };
    failed++;
    const failing: Array<{ set: number[]; err: unknown }> = [{ set: all, err: again.err }];
    while (failing.length > 0) {
      const { set, err } = failing.pop()!;
      if (budget <= 0) {
        inDoubt.push(...set);
        continue;
      }
      if (set.length === 1) {
        // Alone, on a connection of its own: a link that fails everything fails here too,
        // and is told apart by nothing else having come through.
        budget--;
        const alone = await attempt(set, true);
        if (alone.ok) {
          through(set, alone.got);
        } else {
          failed++;
          blame(set[0]!, serverWords(alone.err ?? err));
        }
        if (await hopeless()) await nothingThrough();
        continue;
      }
      const mid = Math.ceil(set.length / 2);
      for (const half of [set.slice(0, mid), set.slice(mid)]) {
        if (budget <= 0) {
          inDoubt.push(...half);
          continue;
        }
        // After a failure the connection may be gone (Dovecot drops it) or in doubt: a new one.
        budget--;
        const r = await attempt(half, false);
        if (r.ok) {
          through(half, r.got);
        } else {
          failed++;
          if (await hopeless()) await nothingThrough();
          failing.push({ set: half, err: r.err });
          await reconnect();
        }
      }
    }
    if (inDoubt.length > 0) {
      if (readable === undefined) throw firstError;
      await oneByOne(inDoubt.sort((a, b) => a - b));
    }
    // Nothing of the set came through, each message tried alone (a set too small for the
    // probes): blamed only if a message elsewhere in the folder comes through now. A message
    // alone in its folder, failing alone on fresh connections, is blamed as it always was.
    if (cameThrough === 0 && !(await elsewhereComesThrough()) && !(uids.length === 1 && elsewhere === 'none')) await nothingThrough();
    // Messages blamed after the last fetch that came through: a source that started failing
    // everything meanwhile blames every message it is asked for alone (the halving never
    // checks), so a message that came through is fetched once more before they are blamed.
    if (blamedSince > 0 && readable !== undefined) await control();
  } catch (err) {
    await closeQuietly(client);
    throw err;
  }
  const live = client && client.usable ? client : await reconnect();
  return { got, unreadable, client: live };

  /**
   * Each message alone: on the connection in use, and once more on a fresh one when that
   * fails (a damaged message right after another costs one connection, not two). A message
   * is blamed when it fails alone on a fresh connection.
   */
  async function oneByOne(rest: number[]): Promise<void> {
    let inARow = 0;
    for (const uid of rest) {
      let r = await attempt([uid], false);
      if (!r.ok && !r.onFresh) r = await attempt([uid], true);
      if (r.ok) {
        through([uid], r.got);
        inARow = 0;
        continue;
      }
      failed++;
      blame(uid, serverWords(r.err));
      if (++inARow % CONTROL_EVERY === 0) await control();
    }
  }
}

/**
 * A source session's way out of a FETCH that failed: narrows it (narrowFailingFetch) on
 * fresh connections to `folder`, checked against `uidValidity`, and goes on with the last
 * live one of them. `uids`: the UIDs, or a UID range the session lists first.
 */
export interface SourceRescue {
  narrow<T extends { uid: number }>(
    folder: string,
    uidValidity: number,
    uids: readonly number[] | string,
    fetch: (client: ImapFlow, uids: number[]) => Promise<T[]>,
    firstError: unknown,
  ): Promise<{ got: T[]; unreadable: Unreadable[] }>;
  /**
   * Tells the rescue that a FETCH in `folder` came through: a folder whose every message
   * then fails is the folder's fault, not the link's, when other folders came through. With
   * `body` (the UIDVALIDITY and a UID whose body came through), a chunk of that folder of
   * which nothing comes through later is a damaged stretch, gone through one by one.
   */
  read(folder: string, body?: { uidValidity: number; uid: number }): void;
}
