import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore, type UnplacedCopy } from '../../bridge/engine/state-store';
import { ourUnplacedCopies } from '../../bridge/engine/unplaced-copies';

/** Target UIDs by fingerprint, and the body hash each target message has. */
function targetFolder(byFingerprint: Record<string, number[]>, hashOf: Record<number, string>) {
  const reads: number[][] = [];
  return {
    reads,
    candidates: (fp: string) => byFingerprint[fp] ?? [],
    hashesOf: async (messages: ReadonlyArray<{ uid: number; size: number }>) => {
      reads.push(messages.map((m) => m.uid));
      return new Map(messages.map((m) => [m.uid, hashOf[m.uid]!]));
    },
  };
}
const copy = (fingerprint: string, bodyHash: string | null): UnplacedCopy => ({ fingerprint, size: 100, bodyHash });

describe('ourUnplacedCopies: our copies without a known target UID among look-alikes', () => {
  it('takes the lowest candidates without reading a body while no look-alike is possible', async () => {
    const t = targetFolder({ F: [3, 7], G: [4] }, {});
    expect(await ourUnplacedCopies([copy('F', 'a'), copy('F', 'b'), copy('G', 'c')], t.candidates, t.hashesOf)).toEqual([3, 7, 4]);
    expect(t.reads).toEqual([]);
  });

  it('with more candidates than copies, takes the one with the copy’s body, not the lowest (a look-alike)', async () => {
    const t = targetFolder({ F: [2, 5] }, { 2: 'look-alike', 5: 'ours' });
    expect(await ourUnplacedCopies([copy('F', 'ours')], t.candidates, t.hashesOf)).toEqual([5]);
    expect(t.reads).toEqual([[2, 5]]);
  });

  it('one candidate per copy: two identical copies take two target messages of that body', async () => {
    const t = targetFolder({ F: [1, 2, 3, 4] }, { 1: 'x', 2: 'ours', 3: 'y', 4: 'ours' });
    expect(await ourUnplacedCopies([copy('F', 'ours'), copy('F', 'ours')], t.candidates, t.hashesOf)).toEqual([2, 4]);
  });

  it('a copy whose body no candidate has takes none (it was deleted or changed): the look-alikes stay', async () => {
    const t = targetFolder({ F: [1, 2] }, { 1: 'x', 2: 'y' });
    expect(await ourUnplacedCopies([copy('F', 'gone')], t.candidates, t.hashesOf)).toEqual([]);
  });

  it('a copy without a body hash (a Message-ID, or an older row) takes the lowest candidate the hashed ones left', async () => {
    const t = targetFolder({ F: [1, 2, 3] }, { 1: 'x', 2: 'ours', 3: 'z' });
    expect(await ourUnplacedCopies([copy('F', null), copy('F', 'ours')], t.candidates, t.hashesOf)).toEqual([2, 1]);
    const withoutHashes = targetFolder({ F: [1, 2, 3] }, {});
    expect(await ourUnplacedCopies([copy('F', null)], withoutHashes.candidates, withoutHashes.hashesOf)).toEqual([1]);
    expect(withoutHashes.reads).toEqual([]);
  });
});

describe('StateStore.unplacedCopies', () => {
  it('keeps the body hash of a copy without target UID, and gives a state file of an older version the column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-unplaced-'));
    const file = join(dir, 'mailmover.sqlite');
    try {
      // A messages table as versions before body hashes wrote it.
      const old = new Database(file);
      old.exec(`CREATE TABLE messages (account TEXT NOT NULL, source_folder TEXT NOT NULL, uid_validity INTEGER NOT NULL, uid INTEGER NOT NULL,
        fingerprint TEXT NOT NULL, outcome TEXT NOT NULL, target_uid INTEGER, size INTEGER NOT NULL, reason TEXT, PRIMARY KEY (account, source_folder, uid_validity, uid))`);
      old.prepare(`INSERT INTO messages VALUES ('a', 'INBOX', 7, 1, 'F', 'copied', NULL, 100, NULL)`).run();
      old.close();
      const store = new StateStore(file);
      try {
        store.recordMessages('a', 'INBOX', 7, [
          { uid: 2, fingerprint: 'F', outcome: 'copied', targetUid: null, size: 100, bodyHash: 'h2' },
          { uid: 3, fingerprint: 'F', outcome: 'copied', targetUid: 12, size: 100 },
        ]);
        expect(store.unplacedCopies('a', 'INBOX', 7)).toEqual([
          { fingerprint: 'F', size: 100, bodyHash: null },
          { fingerprint: 'F', size: 100, bodyHash: 'h2' },
        ]);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
