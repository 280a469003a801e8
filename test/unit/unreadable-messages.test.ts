/**
 * The bisection of a FETCH that keeps failing (narrowFailingFetch) against a scripted source:
 * which messages it blames, how many fetches it spends, and when it blames none.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { skipIsFinal } from '../../bridge/engine/append-refusal';
import { MigrationError } from '../../bridge/engine/errors';
import type { ImapClient } from '../../bridge/engine/imap-client';
import { foldersWithMessagesFirst } from '../../bridge/engine/imap/imap-source';
import { OMITTED_WORDS } from '../../bridge/engine/imap/omitted-messages';
import { newRunReads, sourceRescue, STRETCH_ALONE_MAX } from '../../bridge/engine/imap/source-rescue';
import { mayBeAMessage, narrowFailingFetch, unreadableReason } from '../../bridge/engine/imap/unreadable-messages';

/** A connection as closeQuietly sees it; `usable` goes false when the "server" drops it. */
class FakeConnection {
  usable = true;
  async logout(): Promise<void> {
    this.usable = false;
  }
  close(): void {
    this.usable = false;
  }
}

function dropped(words: string): Error {
  return Object.assign(new Error('Connection not available'), { code: 'NoConnection', reason: words });
}

/** A source on which a FETCH including any of `bad` drops the connection (Dovecot), or every FETCH does (`all`). */
function source(opts: { bad?: number[]; all?: boolean; no?: boolean; breaksAfter?: number }) {
  let fetches = 0;
  let connections = 0;
  const bad = new Set(opts.bad ?? []);
  const fetch = async (c: ImapFlow, uids: number[]): Promise<Array<{ uid: number }>> => {
    fetches++;
    const conn = c as unknown as FakeConnection;
    const broken = opts.breaksAfter !== undefined && fetches > opts.breaksAfter;
    if (opts.all || broken || uids.some((u) => bad.has(u))) {
      if (opts.no) throw Object.assign(new Error('Command failed'), { responseStatus: 'NO', responseText: 'Internal error occurred' });
      conn.usable = false;
      throw dropped('FETCH failed: Internal error occurred');
    }
    return uids.map((uid) => ({ uid }));
  };
  const fresh = async (): Promise<ImapFlow> => {
    connections++;
    return new FakeConnection() as unknown as ImapFlow;
  };
  return { fetch, fresh, fetches: () => fetches, connections: () => connections };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('narrowFailingFetch', () => {
  it('finds the one message a server drops the session over, in about two fetches per halving', async () => {
    const s = source({ bad: [613] });
    const uids = range(1000);
    const out = await narrowFailingFetch(uids, s.fetch, s.fresh, dropped('FETCH failed'));
    expect(out.unreadable.map((u) => u.uid)).toEqual([613]);
    expect(out.unreadable[0]!.words).toContain('Internal error occurred');
    expect(out.got.map((m) => m.uid).sort((a, b) => a - b)).toEqual(uids.filter((u) => u !== 613));
    // The whole set again, two halves per level (log2 1000 < 10), the message alone once more,
    // and a control: a message that came through, fetched again after the last blame (on the
    // fresh connection the session goes on with: Dovecot dropped the one 613 failed on, so it
    // costs no connection).
    expect(s.fetches()).toBeLessThanOrEqual(1 + 2 * 10 + 1 + 1);
    expect((out.client as unknown as FakeConnection).usable).toBe(true);
  });

  it('finds two damaged messages, and a NO the same way as a drop', async () => {
    const s = source({ bad: [3, 40], no: true });
    const out = await narrowFailingFetch(range(64), s.fetch, s.fresh, new Error('first'));
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual([3, 40]);
    expect(out.got).toHaveLength(62);
  });

  it('a fault that does not come back: the set goes through on the fresh connection, nothing blamed', async () => {
    const s = source({});
    const out = await narrowFailingFetch(range(10), s.fetch, s.fresh, dropped('cut'));
    expect(out.unreadable).toEqual([]);
    expect(out.got).toHaveLength(10);
    expect(s.fetches()).toBe(1);
  });

  it('a damaged stretch (twelve in a row, and three more): every one found, no readable message blamed, about a connection each', async () => {
    const bad = [...range(12).map((i) => 40 + i), 7, 90, 91];
    const s = source({ bad });
    const out = await narrowFailingFetch(range(120), s.fetch, s.fresh, dropped('FETCH failed'));
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual([...bad].sort((a, b) => a - b));
    expect(out.got.map((m) => m.uid).sort((a, b) => a - b)).toEqual(range(120).filter((u) => !bad.includes(u)));
    // Halving's budget (3 damaged messages' worth), then one by one: a connection or two per
    // damaged message and a control every four in a row, not one per message of the set.
    expect(s.connections()).toBeLessThanOrEqual(2 + 3 * (2 * 7 + 1) + 2 * bad.length + bad.length / 4);
    expect(s.connections()).toBeLessThan(120);
    expect((out.client as unknown as FakeConnection).usable).toBe(true);
  });

  it('damage spread all over the set (one message in ten): no set of ten goes through, still every damaged one found', async () => {
    const bad = range(20).map((i) => i * 10 - 5);
    const s = source({ bad });
    const out = await narrowFailingFetch(range(200), s.fetch, s.fresh, dropped('FETCH failed'));
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(bad);
    // Each readable message once: the two messages fetched to tell damage from a dead link are not kept.
    expect(out.got.map((m) => m.uid).sort((a, b) => a - b)).toEqual(range(200).filter((u) => !bad.includes(u)));
  });

  it('most of the set damaged (36 old messages restored unreadable, 4 new ones fine): every quarter fails, still the 4 copied and the 36 found', async () => {
    const bad = range(36);
    const s = source({ bad });
    const out = await narrowFailingFetch(range(40), s.fetch, s.fresh, dropped('FETCH failed'));
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(bad);
    expect(out.got.map((m) => m.uid).sort((a, b) => a - b)).toEqual(range(40).slice(36));
  });

  it('a whole chunk damaged, while another message of the folder came through earlier in the run: each one blamed, one connection or so apiece', async () => {
    const s = source({ bad: range(10) });
    const out = await narrowFailingFetch(range(10), s.fetch, s.fresh, dropped('FETCH failed'), undefined, async function* () { yield 99; });
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(range(10));
    expect(out.got).toEqual([]);
    // Set, halves, quarters, five probes, the known message, then each alone (controls every four): no halving past the probes.
    expect(s.connections()).toBeLessThanOrEqual(7 + 5 + 1 + 10 + 3 + 1);
    // The same with a link that fails everything, the known message included: the first error stands.
    const dead = source({ all: true });
    const first = dropped('the first one');
    await expect(narrowFailingFetch(range(10), dead.fetch, dead.fresh, first, undefined, async function* () { yield 99; })).rejects.toBe(first);
  });

  it('a whole chunk damaged, the first candidate elsewhere in the folder damaged too, the second readable: each one blamed, the candidates asked only once nothing came through', async () => {
    const s = source({ bad: [...range(10), 11] });
    let asked = 0;
    const candidates = async function* (): AsyncGenerator<number> {
      asked++;
      yield 11;
      yield 40;
    };
    const out = await narrowFailingFetch(range(10), s.fetch, s.fresh, dropped('FETCH failed'), undefined, candidates);
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(range(10));
    expect(out.got).toEqual([]);
    expect(asked).toBe(1);
    // A set of which a part comes through never asks.
    const partly = source({ bad: [3] });
    await narrowFailingFetch(range(10), partly.fetch, partly.fresh, dropped('FETCH failed'), undefined, candidates);
    expect(asked).toBe(1);
  });

  it('one by one, a source that starts failing everything: the control fails, the first error stands, nothing blamed', async () => {
    // Twenty damaged messages spread over the set (beyond the halving's budget), then, after
    // 70 fetches, while the narrowing goes one by one, every fetch fails.
    const s = source({ bad: range(20).map((i) => i * 10 - 5), breaksAfter: 70 });
    const first = dropped('the first one');
    await expect(narrowFailingFetch(range(200), s.fetch, s.fresh, first)).rejects.toBe(first);
  });

  it('a source that starts failing every fetch while the halves are narrowed: the first error stands, no readable message blamed', async () => {
    // One damaged message (5); after 9 fetches every fetch fails (the server's store went
    // away, a link that cuts every body). Failed before: returned normally with 1, 2, 3, 4,
    // 6, 7 skipped as unreadable (each had failed alone on a fresh connection after other
    // messages came through, and nothing checked that anything still came through).
    const s = source({ bad: [5], breaksAfter: 9 });
    const first = dropped('the first one');
    await expect(narrowFailingFetch(range(100), s.fetch, s.fresh, first)).rejects.toBe(first);
  });

  it('a source that starts failing everything for the last few messages of the one-by-one stage: the first error stands', async () => {
    const bad = range(20).map((i) => i * 10 - 5);
    const healthy = source({ bad });
    await narrowFailingFetch(range(200), healthy.fetch, healthy.fresh, dropped('FETCH failed'));
    // The same narrowing on a source that fails everything from three fetches before its end:
    // fewer failures in a row than the one-by-one stage's control waits for. Failed before:
    // returned normally with readable 148, 149 and 150 skipped as unreadable.
    const s = source({ bad, breaksAfter: healthy.fetches() - 3 });
    const first = dropped('the first one');
    await expect(narrowFailingFetch(range(200), s.fetch, s.fresh, first)).rejects.toBe(first);
  });

  it('a source that fails every fetch: the first error stands after a few fetches, nothing blamed', async () => {
    const s = source({ all: true });
    const first = dropped('the first one');
    await expect(narrowFailingFetch(range(5000), s.fetch, s.fresh, first)).rejects.toBe(first);
    // The set, halves and quarters (7), then five messages alone.
    expect(s.fetches()).toBeLessThanOrEqual(12);
  });

  it('a source that cannot be reached again: the first error stands', async () => {
    const first = dropped('the first one');
    const fetch = async (): Promise<never[]> => [];
    const unreachable = async (): Promise<ImapFlow> => {
      throw new MigrationError('CONNECT_FAILED', 'refused', { side: 'source' });
    };
    await expect(narrowFailingFetch(range(3), fetch, unreachable, first)).rejects.toBe(first);
  });
});

describe('sourceRescue', () => {
  it('a message a Cyrus-like source leaves out of an OK answer during a narrowing is reported unreadable, not left out of both lists', async () => {
    // UID 4 is listed by the index but left out of every OK FETCH answer (Cyrus, a spool
    // file it cannot open). The window's FETCH failed twice (a cut link): the narrowing's
    // fetch of the whole set again comes through, without 4. The planning window
    // (plan-folder fetchWindow) takes `got` and `unreadable` as they are: a UID in neither is
    // never planned and the checkpoint passes it. Failed before: 4 was in neither.
    const listed = range(10);
    class FakeCyrus extends FakeConnection {
      async mailboxOpen(): Promise<{ uidValidity: number }> {
        return { uidValidity: 7 };
      }
      async search(q: { uid: string }): Promise<number[]> {
        const ranges = q.uid.split(',').map((r) => r.split(':').map((x) => (x === '*' ? Infinity : Number(x))));
        return listed.filter((u) => ranges.some(([lo, hi]) => u >= lo! && u <= (hi ?? lo)!));
      }
    }
    const fetch = async (_c: ImapFlow, uids: number[]): Promise<Array<{ uid: number }>> => uids.filter((u) => u !== 4).map((uid) => ({ uid }));
    let adopted: unknown;
    const rescue = sourceRescue(
      async () => new FakeCyrus() as unknown as ImapClient,
      [],
      async (c) => {
        adopted = c;
      },
      newRunReads(),
    );
    const first = dropped('cut');
    // The first failure of a span is left to the pass's retry; the second is narrowed.
    await expect(rescue.narrow('INBOX', 7, '1:*', fetch, first)).rejects.toBe(first);
    const out = await rescue.narrow('INBOX', 7, '1:*', fetch, first);
    expect(out.got.map((m) => m.uid)).toEqual(listed.filter((u) => u !== 4));
    expect(out.unreadable).toEqual([{ uid: 4, words: OMITTED_WORDS }]);
    expect((adopted as FakeCyrus).usable).toBe(true);
  });
});

describe('the first chunk of a folder all damaged, nothing of the folder read yet in the run', () => {
  /**
   * A Dovecot-like folder of 30 messages whose first ten the server cannot read (it drops
   * the session over a FETCH that includes one), or all of them, or a link that fails
   * every FETCH; the index (UID SEARCH) answers in every case.
   */
  function folder(opts: { damaged: number[]; linkDown?: boolean; count?: number; unreachableAfterAlone?: number[] }) {
    const listed = range(opts.count ?? 30);
    const bad = new Set(opts.damaged);
    const searches: number[] = [];
    /** Every FETCH of bodies, by the UIDs asked for. */
    const fetched: number[][] = [];
    let connections = 0;
    class FakeDovecot extends FakeConnection {
      async mailboxOpen(): Promise<{ uidValidity: number }> {
        return { uidValidity: 7 };
      }
      async search(q: { uid?: string }): Promise<number[]> {
        searches.push(1);
        if (!q.uid) return listed;
        const [lo, hi] = q.uid.split(':').map((x) => (x === '*' ? Infinity : Number(x)));
        return listed.filter((u) => u >= lo! && u <= (hi ?? lo)!);
      }
      // Sizes from the index: message 12 is the smallest of those after 1-10, 30 of the last ten.
      async fetchAll(set: string): Promise<Array<{ uid: number; size: number }>> {
        return set.split(',').map(Number).map((uid) => ({ uid, size: uid === 12 ? 100 : uid === 30 ? 200 : 5000 + uid }));
      }
    }
    const fetch = async (c: ImapFlow, uids: number[]): Promise<Array<{ uid: number }>> => {
      fetched.push(uids);
      if (opts.linkDown || uids.some((u) => bad.has(u))) {
        (c as unknown as FakeDovecot).usable = false;
        throw dropped('FETCH failed: Internal error occurred');
      }
      return uids.filter((u) => listed.includes(u)).map((uid) => ({ uid }));
    };
    const fresh = async (): Promise<ImapClient> => {
      connections++;
      // Refused once each of these was fetched alone twice (as a half, then alone on a fresh
      // connection): the next connection is the candidates' lookup.
      const alone = opts.unreachableAfterAlone;
      if (alone && alone.every((uid) => fetched.filter((u) => u.length === 1 && u[0] === uid).length >= 2)) throw dropped('connect ECONNREFUSED');
      return new FakeDovecot() as unknown as ImapClient;
    };
    return { fresh, fetch, searches, fetched, connections: () => connections };
  }

  it('a message after the chunk comes through: every message of the chunk is blamed and the chunk does not stop the folder (before: the first error, every run, for the whole folder)', async () => {
    const f = folder({ damaged: range(10) });
    const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, range(10), f.fetch, first)).rejects.toBe(first);
    const out = await rescue.narrow('INBOX', 7, range(10), f.fetch, first);
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(range(10));
    expect(out.got).toEqual([]);
    expect(f.searches.length).toBe(1);
  });

  it('the candidate fetched is the smallest of those after the set (each control fetches it again)', async () => {
    const f = folder({ damaged: range(10) });
    const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, range(10), f.fetch, first)).rejects.toBe(first);
    await rescue.narrow('INBOX', 7, range(10), f.fetch, first);
    const alone = f.fetched.filter((u) => u.length === 1 && u[0]! > 10).map((u) => u[0]);
    expect(new Set(alone)).toEqual(new Set([12]));
  });

  it('a first chunk of two, or of one message, all damaged: blamed once a message after it comes through (before: the folder failed); with a link that fails every FETCH, the first error', async () => {
    for (const set of [[1, 2], [1]]) {
      const f = folder({ damaged: set });
      const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
      const first = dropped('FETCH failed: Internal error occurred');
      await expect(rescue.narrow('INBOX', 7, set, f.fetch, first)).rejects.toBe(first);
      const out = await rescue.narrow('INBOX', 7, set, f.fetch, first);
      expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(set);
      const dead = folder({ damaged: [], linkDown: true });
      const deadRescue = sourceRescue(dead.fresh, [], async () => {}, newRunReads());
      await expect(deadRescue.narrow('INBOX', 7, set, dead.fetch, first)).rejects.toBe(first);
      // Before, a set of one was blamed on a link that fails everything.
      await expect(deadRescue.narrow('INBOX', 7, set, dead.fetch, first)).rejects.toBe(first);
    }
  });

  it('a message known to have come through that no longer does (deleted on the old server meanwhile): the index is asked next', async () => {
    const f = folder({ damaged: range(10) });
    const reads = newRunReads();
    const rescue = sourceRescue(f.fresh, [], async () => {}, reads);
    // UID 99 came through earlier in the run and has been expunged since: it fetches as nothing.
    rescue.read('INBOX', { uidValidity: 7, uid: 99 });
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, range(10), f.fetch, first)).rejects.toBe(first);
    const out = await rescue.narrow('INBOX', 7, range(10), f.fetch, first);
    expect(out.unreadable.map((u) => u.uid).sort((a, b) => a - b)).toEqual(range(10));
    expect(f.searches.length).toBe(1);
  });

  it('a source that cannot be reached again when the candidates are looked up: the first error (a connection problem), not FOLDER_UNREADABLE', async () => {
    const f = folder({ damaged: range(2), unreachableAfterAlone: range(2) });
    const reads = newRunReads();
    const rescue = sourceRescue(f.fresh, [], async () => {}, reads);
    // Another folder came through earlier in the run: before, the refused lookup gave no
    // candidates, and the folder was called damaged.
    rescue.read('Work');
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, range(2), f.fetch, first)).rejects.toBe(first);
    await expect(rescue.narrow('INBOX', 7, range(2), f.fetch, first)).rejects.toBe(first);
    expect(f.searches).toEqual([]);
  });

  it('a message alone in its folder that fails alone: skipped as before (no candidate to ask)', async () => {
    const f = folder({ damaged: [1], count: 1 });
    const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, [1], f.fetch, first)).rejects.toBe(first);
    const out = await rescue.narrow('INBOX', 7, [1], f.fetch, first);
    expect(out.unreadable.map((u) => u.uid)).toEqual([1]);
  });

  it(`a planning window of more than ${STRETCH_ALONE_MAX} of which nothing comes through does not go one at a time: the first error, after a few dozen connections; a chunk that big does (--batch-messages)`, async () => {
    const n = STRETCH_ALONE_MAX + 1;
    const f = folder({ damaged: range(n), count: n + 30 });
    const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('INBOX', 7, `1:${n}`, f.fetch, first)).rejects.toBe(first);
    const before = f.searches.length;
    await expect(rescue.narrow('INBOX', 7, `1:${n}`, f.fetch, first)).rejects.toBe(first);
    expect(f.connections()).toBeLessThan(40);
    // One search: the window's UIDs; none for candidates.
    expect(f.searches.length - before).toBe(1);

    const chunk = folder({ damaged: range(n), count: n + 30 });
    const chunkRescue = sourceRescue(chunk.fresh, [], async () => {}, newRunReads());
    await expect(chunkRescue.narrow('INBOX', 7, range(n), chunk.fetch, first)).rejects.toBe(first);
    const out = await chunkRescue.narrow('INBOX', 7, range(n), chunk.fetch, first);
    expect(out.unreadable).toHaveLength(n);
  });

  it('the whole folder damaged, or a link that fails every FETCH: no candidate comes through, the first error stands, nothing blamed', async () => {
    for (const f of [folder({ damaged: range(30) }), folder({ damaged: [], linkDown: true })]) {
      const rescue = sourceRescue(f.fresh, [], async () => {}, newRunReads());
      const first = dropped('FETCH failed: Internal error occurred');
      await expect(rescue.narrow('INBOX', 7, range(10), f.fetch, first)).rejects.toBe(first);
      await expect(rescue.narrow('INBOX', 7, range(10), f.fetch, first)).rejects.toBe(first);
    }
  });
});

describe('what may be the fault of one message', () => {
  it('a dropped connection or a plain NO; not a throttle, a timeout or an error of the engine', () => {
    expect(mayBeAMessage(dropped('FETCH failed'))).toBe(true);
    expect(mayBeAMessage(Object.assign(new Error('x'), { responseStatus: 'NO', responseText: 'Broken physical size' }))).toBe(true);
    expect(mayBeAMessage(Object.assign(new Error('x'), { responseStatus: 'NO', serverResponseCode: 'UNAVAILABLE', responseText: 'Server busy' }))).toBe(false);
    expect(mayBeAMessage(Object.assign(new Error('x'), { responseStatus: 'NO', responseText: 'Request is throttled. Suggested Backoff Time: 5000 milliseconds' }))).toBe(false);
    expect(mayBeAMessage(Object.assign(new Error('timeout'), { code: 'SOCKET_TIMEOUT' }))).toBe(false);
    expect(mayBeAMessage(new MigrationError('SOURCE_CHANGED', 'changed', { side: 'source' }))).toBe(false);
  });

  it('the reason says the source could not read it, with the server\'s words, and what to do', () => {
    const reason = unreadableReason('"Broken physical size"');
    expect(reason).toContain('the source server could not read this message: "Broken physical size"');
    expect(reason).toContain('check the message on the old server');
    // A skip the next run plans again: the message may be repaired on the old server meanwhile.
    expect(skipIsFinal(reason)).toBe(false);
  });

  it('a folder not one message of which comes through, while another folder came through in the run: FOLDER_UNREADABLE naming it; with no other folder read, the connection problem', async () => {
    class FakeDovecot extends FakeConnection {
      async mailboxOpen(): Promise<{ uidValidity: number }> {
        return { uidValidity: 7 };
      }
    }
    const fetch = async (c: ImapFlow): Promise<Array<{ uid: number }>> => {
      (c as unknown as FakeDovecot).usable = false;
      throw dropped('FETCH failed: Internal error occurred');
    };
    const rescueWith = (read: string[]) => {
      const rescue = sourceRescue(async () => new FakeDovecot() as unknown as ImapClient, [], async () => {}, newRunReads());
      for (const f of read) rescue.read(f);
      return rescue;
    };
    const first = dropped('FETCH failed: Internal error occurred');
    const uids = range(20);

    const afterWork = rescueWith(['Work']);
    await expect(afterWork.narrow('Archive', 7, uids, fetch, first)).rejects.toBe(first);
    const err = await afterWork.narrow('Archive', 7, uids, fetch, first).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).toInfo()).toMatchObject({ code: 'FOLDER_UNREADABLE', side: 'source', facts: { kind: 'folder-unreadable', folder: 'Archive' } });
    expect((err as MigrationError).message).toContain('"FETCH failed: Internal error occurred"');

    // Only the failing folder itself, or nothing, came through: no evidence about the link.
    for (const read of [['Archive'], []]) {
      const rescue = rescueWith(read);
      await expect(rescue.narrow('Archive', 7, uids, fetch, first)).rejects.toBe(first);
      await expect(rescue.narrow('Archive', 7, uids, fetch, first)).rejects.toBe(first);
    }
  });
});

describe('FOLDER_UNREADABLE when no other folder was fetched in this run', () => {
  /**
   * A Dovecot-like source: `Archive` fails every FETCH of its messages (the connection drops),
   * `Work` holds three messages that come through, unless `linkDown` (a link that fails every
   * FETCH of a message). UIDs and sizes come from the index: they always do.
   */
  function server(linkDown: boolean) {
    let connections = 0;
    const controls: Array<{ folder: string; uids: number[] }> = [];
    class FakeDovecot extends FakeConnection {
      opened = '';
      constructor() {
        super();
        connections++;
      }
      async mailboxOpen(path: string): Promise<{ path: string; uidValidity: number; exists: number }> {
        this.opened = path;
        return { path, uidValidity: 7, exists: path === 'Work' ? 3 : path === 'Archive' ? 20 : 0 };
      }
      async fetchAll(): Promise<Array<{ uid: number; seq: number; size: number }>> {
        return this.opened === 'Work' ? [{ uid: 4, seq: 1, size: 900 }, { uid: 5, seq: 2, size: 300 }, { uid: 6, seq: 3, size: 5000 }] : [];
      }
    }
    // The FETCH that failed (a chunk's bodies, say), on whichever folder the connection has open.
    const fetch = async (c: ImapFlow, uids: number[]): Promise<Array<{ uid: number }>> => {
      const conn = c as unknown as FakeDovecot;
      if (conn.opened !== 'Archive') controls.push({ folder: conn.opened, uids });
      if (linkDown || conn.opened !== 'Work') {
        conn.usable = false;
        throw dropped('FETCH failed: Internal error occurred');
      }
      return uids.map((uid) => ({ uid }));
    };
    return { fresh: async () => new FakeDovecot() as unknown as ImapClient, fetch, connections: () => connections, controls };
  }

  it("a later run, whose other folders have nothing new (planned from the listing, nothing fetched): the folder is still FOLDER_UNREADABLE, not 'could not connect'", async () => {
    // The run after a FOLDER_UNREADABLE (the service retries it: transient) finds Work
    // unchanged: planFolder fetches nothing of it, so no FETCH of another folder comes
    // through. Before, the narrowing of Archive then ended with the first error, the
    // CONNECT_FAILED 'check the host name, port and firewall' the code was made to replace,
    // on every run after the first (and for good once the service gave up retrying).
    const s = server(false);
    const rescue = sourceRescue(s.fresh, [], async () => {}, newRunReads(), () => ['INBOX', 'Archive', 'Work']);
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('Archive', 7, range(20), s.fetch, first)).rejects.toBe(first);
    const err = await rescue.narrow('Archive', 7, range(20), s.fetch, first).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).toInfo()).toMatchObject({ code: 'FOLDER_UNREADABLE', side: 'source', facts: { kind: 'folder-unreadable', folder: 'Archive' } });
    // The control: the same FETCH, of the smallest of Work's newest messages (INBOX is empty).
    expect(s.controls).toEqual([{ folder: 'Work', uids: [5] }]);
    // Nothing of another folder was sent earlier in this run: the text does not say so.
    expect((err as MigrationError).message).not.toContain('in this run');
  });

  it('a link that fails every FETCH fails the control in the other folder too: the first error stands', async () => {
    const s = server(true);
    const rescue = sourceRescue(s.fresh, [], async () => {}, newRunReads(), () => ['INBOX', 'Archive', 'Work']);
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('Archive', 7, range(20), s.fetch, first)).rejects.toBe(first);
    const before = s.connections();
    await expect(rescue.narrow('Archive', 7, range(20), s.fetch, first)).rejects.toBe(first);
    // The control costs a connection or two, not one per listed folder.
    expect(s.connections() - before).toBeLessThanOrEqual(16);
  });

  it('the only folder with messages is the failing one: no evidence, the first error stands', async () => {
    const s = server(false);
    const rescue = sourceRescue(s.fresh, [], async () => {}, newRunReads(), () => ['Archive', 'INBOX']);
    const first = dropped('FETCH failed: Internal error occurred');
    await expect(rescue.narrow('Archive', 7, range(20), s.fetch, first)).rejects.toBe(first);
    await expect(rescue.narrow('Archive', 7, range(20), s.fetch, first)).rejects.toBe(first);
  });
});

describe('where the control FETCH looks', () => {
  it('selectable folders the listing says hold messages, then those it says nothing of; not empty or \\Noselect ones', () => {
    const f = (path: string, messages?: number, flags: string[] = []) => ({ path, delimiter: '/', flags, ...(messages === undefined ? {} : { status: { messages, uidNext: 1, uidValidity: 1 } }) });
    const layout = { delimiter: '/', prefix: '', capabilities: [], folders: [f('INBOX', 0), f('Old'), f('Work', 3), f('Parent', undefined, ['\\Noselect']), f('Sent', 9)] };
    expect(foldersWithMessagesFirst(layout)).toEqual(['Work', 'Sent', 'Old']);
  });
});
