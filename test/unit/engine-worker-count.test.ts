/**
 * How many workers a pass starts: one per MESSAGES_PER_WORKER messages it may copy, so a
 * small account or a re-run logs in once per side, within the --concurrency cap.
 */
import { describe, expect, it } from 'vitest';
import { MigrationOptionsSchema } from '../../shared/migration';
import { filterKey } from '../../bridge/engine/checkpoint';
import { MESSAGES_PER_WORKER, pendingEstimate, workersFor } from '../../bridge/engine/worker-count';
import type { FolderMapping } from '../../shared/folders/map-folders';
import { tempStore } from '../support/engine-fixtures';

const opts = MigrationOptionsSchema.parse({});
const mapping = (source: string) => ({ source, target: source, selectable: true, sanitized: [] }) as unknown as FolderMapping;

describe('worker count', () => {
  it('one worker for a small mailbox, more with the work, never above the cap', () => {
    expect(workersFor(0, 4)).toBe(1);
    expect(workersFor(5, 4)).toBe(1);
    expect(workersFor(MESSAGES_PER_WORKER, 4)).toBe(1);
    expect(workersFor(MESSAGES_PER_WORKER + 1, 4)).toBe(2);
    expect(workersFor(100_000, 4)).toBe(4);
    expect(workersFor(Infinity, 3)).toBe(3);
  });

  it('counts only the UIDs above a complete pass of the same identity; unknown counts take every worker', () => {
    const st = tempStore();
    try {
      const account = 'a';
      st.store.putCheckpoint({ account, sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 7, lastUid: 1000, filterKey: filterKey(opts), targetUidValidity: 3, targetUidNext: 1001, copied: 1000, skipped: 0, alreadyPresent: 0 });
      const folders = [mapping('INBOX'), mapping('Work')];
      const counts = new Map([['INBOX', 1000], ['Work', 20]]);
      // INBOX unchanged, Work never copied: 20 to consider.
      expect(pendingEstimate(st.store, account, folders, counts, new Map([['INBOX', { messages: 1000, uidNext: 1001, uidValidity: 7 }]]), opts)).toBe(20);
      // 100 new in INBOX.
      expect(pendingEstimate(st.store, account, folders, counts, new Map([['INBOX', { messages: 1100, uidNext: 1101, uidValidity: 7 }]]), opts)).toBe(120);
      // Another UIDVALIDITY: the whole folder.
      expect(pendingEstimate(st.store, account, folders, counts, new Map([['INBOX', { messages: 1000, uidNext: 1001, uidValidity: 8 }]]), opts)).toBe(1020);
      // No listing status: the counts.
      expect(pendingEstimate(st.store, account, folders, counts, new Map(), opts)).toBe(1020);
      expect(pendingEstimate(st.store, account, folders, new Map([['INBOX', 1000]]), new Map(), opts)).toBe(Infinity);
    } finally {
      st.cleanup();
    }
  });
});
