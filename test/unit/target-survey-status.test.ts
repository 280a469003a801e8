/**
 * The STATUS a target survey starts from. imapflow answers a refused STATUS with false; the
 * survey asks once more before it fails the folder's planning (and with it the pass). The
 * connection is a stand-in: what is tested is how the survey treats the answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../bridge/engine/state-store';
import { StoredTargetSurvey, targetFolderStatus } from '../../bridge/engine/target-survey';

const mapping = { source: 'Drafts', target: 'Drafts' };
const cp = { lastUid: 0, uidValidity: 1, targetFolder: 'Drafts', filterKey: '', targetUidValidity: null, targetUidNext: null } as unknown as Parameters<typeof StoredTargetSurvey.take>[4];

/** A target whose STATUS answers are `answers`, in turn (false: refused); an empty folder. */
function target(answers: Array<false | 'error'>): { client: ImapFlow; asked: () => number } {
  let n = 0;
  const client = {
    status: async (folder: string) => {
      expect(folder).toBe('Drafts');
      const a = answers[n++];
      if (a === 'error') throw new Error('Connection not available');
      if (a === false) return false;
      return { path: folder, messages: 0, uidNext: 1, uidValidity: 7n };
    },
  };
  return { client: client as unknown as ImapFlow, asked: () => n };
}

describe('StoredTargetSurvey.take: the STATUS it starts from', () => {
  let dir: string | undefined;
  let store: StateStore | undefined;
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-survey-'));
    store = StateStore.open(dir);
    return store;
  };
  afterEach(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a STATUS asked ahead and refused is asked once more', async () => {
    const t = target([false, undefined as never]);
    const survey = await StoredTargetSurvey.take(t.client, open(), 'a', mapping, cp, false, targetFolderStatus(t.client, 'Drafts'));
    expect(t.asked()).toBe(2);
    expect(survey.uidNext).toBe(1);
    expect(survey.empty).toBe(true);
  });

  it('a STATUS asked ahead that failed (connection) is asked once more too', async () => {
    const t = target(['error', undefined as never]);
    const survey = await StoredTargetSurvey.take(t.client, open(), 'a', mapping, cp, false, targetFolderStatus(t.client, 'Drafts'));
    expect(t.asked()).toBe(2);
    expect(survey.uidNext).toBe(1);
  });

  it('refused twice: TARGET_REFUSED, naming the folder', async () => {
    const t = target([false, false]);
    await expect(StoredTargetSurvey.take(t.client, open(), 'a', mapping, cp, false, targetFolderStatus(t.client, 'Drafts'))).rejects.toMatchObject({ code: 'TARGET_REFUSED', message: expect.stringContaining('"Drafts"') });
    expect(t.asked()).toBe(2);
  });

  it('an answer asked ahead is used as it is: one STATUS in all', async () => {
    const t = target([undefined as never]);
    await StoredTargetSurvey.take(t.client, open(), 'a', mapping, cp, false, targetFolderStatus(t.client, 'Drafts'));
    expect(t.asked()).toBe(1);
  });
});
