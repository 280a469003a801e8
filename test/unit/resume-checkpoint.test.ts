/**
 * Where a folder's pass resumes when its target folder changed (a renamed mapping, a
 * folder-map edit): the new target folder has had no complete pass, so its survey reads it
 * from UID 1 — also in the run after one interrupted in the middle of the first pass into it.
 */
import { describe, expect, it } from 'vitest';
import { MigrationOptionsSchema } from '../../shared/migration';
import { resumeCheckpoint } from '../../bridge/engine/checkpoint';
import { tempStore } from '../support/engine-fixtures';

const opts = MigrationOptionsSchema.parse({});
const account = 'alice@old.example.com';

describe('resumeCheckpoint when the target folder changed', () => {
  it('forgets the old target folder\'s UIDVALIDITY and UIDNEXT, so a resumed pass still scans the new one whole', () => {
    const state = tempStore();
    try {
      // A complete pass of Work into Old: the survey of a later pass would start at UIDNEXT 100.
      const first = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Old' }, 7, opts);
      state.store.putCheckpoint({ ...first.cp, lastUid: 50, targetUidValidity: 1234, targetUidNext: 100 });

      const moved = resumeCheckpoint(state.store, account, { source: 'Work', target: 'New' }, 7, opts);
      expect(moved.scanWholeTarget).toBe(true);
      expect([moved.cp.targetFolder, moved.cp.lastUid, moved.cp.targetUidValidity, moved.cp.targetUidNext]).toEqual(['New', 0, null, null]);

      // The first pass into New is interrupted after some messages: its checkpoint is written as it goes.
      state.store.putCheckpoint({ ...moved.cp, lastUid: 20 });
      const resumed = resumeCheckpoint(state.store, account, { source: 'Work', target: 'New' }, 7, opts);
      expect(resumed.scanWholeTarget).toBe(true);
    } finally {
      state.cleanup();
    }
  });

  it('keeps the checkpoint when nothing changed', () => {
    const state = tempStore();
    try {
      const first = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Old' }, 7, opts);
      state.store.putCheckpoint({ ...first.cp, lastUid: 50, targetUidValidity: 1234, targetUidNext: 100 });
      const again = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Old' }, 7, opts);
      expect(again.scanWholeTarget).toBe(false);
      expect([again.cp.lastUid, again.cp.targetUidValidity, again.cp.targetUidNext]).toEqual([50, 1234, 100]);
    } finally {
      state.cleanup();
    }
  });
});

describe('resumeCheckpoint when the source folder\'s UIDVALIDITY changed', () => {
  it('is no change for a folder that held nothing (Courier renews an empty INBOX\'s on every EXAMINE)', () => {
    const state = tempStore();
    try {
      const first = resumeCheckpoint(state.store, account, { source: 'INBOX', target: 'INBOX' }, 796566130, opts);
      state.store.putCheckpoint({ ...first.cp, targetUidValidity: 1234, targetUidNext: 9 });
      const next = resumeCheckpoint(state.store, account, { source: 'INBOX', target: 'INBOX' }, 796566132, opts);
      expect(next.changedFrom).toBeUndefined();
      expect(next.scanWholeTarget).toBe(false);
      expect([next.cp.uidValidity, next.cp.targetUidNext]).toEqual([796566132, 9]);
    } finally {
      state.cleanup();
    }
  });

  it('is a change for a folder with recorded messages, even a skipped one, or a checkpoint past UID 0', () => {
    const state = tempStore();
    try {
      const first = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 7, opts);
      state.store.putCheckpoint({ ...first.cp, targetUidValidity: 1234, targetUidNext: 9 });
      state.store.recordMessages(account, 'Work', 7, [{ uid: 1, fingerprint: 'f1', outcome: 'skipped', targetUid: null, size: 10, reason: 'MESSAGE_TOO_LARGE' }]);
      const skippedOnly = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 8, opts);
      expect([skippedOnly.changedFrom, skippedOnly.scanWholeTarget]).toEqual([7, true]);

      const second = resumeCheckpoint(state.store, account, { source: 'Old', target: 'Old' }, 7, opts);
      state.store.putCheckpoint({ ...second.cp, lastUid: 3, targetUidValidity: 1234, targetUidNext: 9 });
      const moved = resumeCheckpoint(state.store, account, { source: 'Old', target: 'Old' }, 8, opts);
      expect([moved.changedFrom, moved.scanWholeTarget]).toEqual([7, true]);
    } finally {
      state.cleanup();
    }
  });
});

describe('resumeCheckpoint across a POP3 maildrop and an IMAP INBOX under the same state key', () => {
  // POP3_UID_VALIDITY: a maildrop's checkpoint never moves past UID 0, and its rows go when the
  // maildrop stops listing their UIDLs (deleted by another client, a provider's POP3 that lists
  // only recent mail) while the copies stay on the target, before the recorded UIDNEXT.
  it('is a change, whose survey reads the whole target folder, even with no row left', () => {
    const state = tempStore();
    try {
      const pop = resumeCheckpoint(state.store, account, { source: 'INBOX', target: 'INBOX' }, 0, opts);
      state.store.putCheckpoint({ ...pop.cp, targetUidValidity: 1234, targetUidNext: 400 });
      const imap = resumeCheckpoint(state.store, account, { source: 'INBOX', target: 'INBOX' }, 796566130, opts);
      expect([imap.changedFrom, imap.scanWholeTarget]).toEqual([0, true]);

      const other = tempStore();
      try {
        const first = resumeCheckpoint(other.store, account, { source: 'INBOX', target: 'INBOX' }, 796566130, opts);
        other.store.putCheckpoint({ ...first.cp, targetUidValidity: 1234, targetUidNext: 9 });
        const back = resumeCheckpoint(other.store, account, { source: 'INBOX', target: 'INBOX' }, 0, opts);
        expect([back.changedFrom, back.scanWholeTarget]).toEqual([796566130, true]);
      } finally {
        other.cleanup();
      }
    } finally {
      state.cleanup();
    }
  });
});

describe('resumeCheckpoint after a pass of a new UIDVALIDITY was cut before its first row', () => {
  it('still surveys the whole target folder, whether the UIDVALIDITY stays or changes again', () => {
    const state = tempStore();
    try {
      const first = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 7, opts);
      state.store.putCheckpoint({ ...first.cp, lastUid: 4, targetUidValidity: 1234, targetUidNext: 5 });
      state.store.recordMessages(account, 'Work', 7, [1, 2, 3, 4].map((uid) => ({ uid, fingerprint: `f${uid}`, outcome: 'copied' as const, targetUid: uid, size: 10 })));

      const changed = resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 8, opts);
      expect([changed.changedFrom, changed.scanWholeTarget]).toEqual([7, true]);
      // As planFolder and FolderRun leave it when the pass dies in its survey.
      state.store.dropMessagesOfOtherValidity(account, 'Work', 8);
      state.store.putCheckpoint(changed.cp);

      expect(resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 8, opts).scanWholeTarget).toBe(true);
      expect(resumeCheckpoint(state.store, account, { source: 'Work', target: 'Work' }, 9, opts).scanWholeTarget).toBe(true);
    } finally {
      state.cleanup();
    }
  });
});
