/** The account's total is known before the first folder is planned (the monitor's % is of the whole mailbox). */
import { describe, expect, it } from 'vitest';
import type { FolderRun } from '../../bridge/engine/folder-run';
import { ProgressTracker } from '../../bridge/engine/progress';
import type { AccountProgress } from '../../shared/migration';

const run = (source: string, total: number, copied: number): FolderRun =>
  ({ source, target: source, done: false, counts: { total, copied, skipped: 0, alreadyPresent: 0, bytesCopied: copied * 10, bytesTotal: total * 10 } }) as unknown as FolderRun;

describe('ProgressTracker totals', () => {
  it('counts every folder before planning and replaces a count by its plan', async () => {
    const seen: AccountProgress[] = [];
    const t = new ProgressTracker('acct', (p) => seen.push(p), 0);
    const counts: Record<string, number> = { INBOX: 8, Sent: 7, Archive: 5 };
    await t.expectFolders(Object.keys(counts), async (f) => counts[f]!);
    expect(seen.at(-1)!.messagesTotal).toBe(20);
    // INBOX planned with one more message than STATUS said (new mail): the plan wins.
    t.track(run('INBOX', 9, 8));
    expect(seen.at(-1)!.messagesTotal).toBe(21);
    expect(seen.at(-1)!.messagesCopied).toBe(8);
    expect(seen.at(-1)!.etaSeconds).not.toBe(0);
  });

  it('leaves out a folder that cannot be counted until its plan arrives', async () => {
    const seen: AccountProgress[] = [];
    const t = new ProgressTracker('acct', (p) => seen.push(p), 0);
    await t.expectFolders(['INBOX', 'Gone'], async (f) => {
      if (f === 'Gone') throw new Error('NO such folder');
      return 4;
    });
    expect(seen.at(-1)!.messagesTotal).toBe(4);
  });
});
