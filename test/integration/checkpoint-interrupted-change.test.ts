/**
 * A pass that starts over after a source folder's UIDVALIDITY changed (checkpoint.ts: its rows
 * of the old UIDVALIDITY are dropped, the target folder is surveyed whole and the folder's
 * mail matched there by fingerprint) and is cut before it wrote its first row: a crash, a kill,
 * a disk that filled, while the whole target folder was being surveyed. Its checkpoint is
 * already stored under the new UIDVALIDITY, at UID 0, with no row, and still carries the target
 * UIDNEXT of the last complete pass, which lies after every copy of the folder's mail.
 *
 * The next pass must survey the target folder whole again: from that UIDNEXT it finds none of
 * the copies and copies the whole folder a second time. Whether the UIDVALIDITY stayed (the
 * next pass resumes the interrupted one) or changed once more (a58ad39 took "nothing recorded
 * under the old UIDVALIDITY" for an empty folder whose new UIDVALIDITY is no change).
 *
 * The cut is a state store whose recordMessages throws during that pass, as a process that
 * died there would leave it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { folderState, seedFolder, setUidValidity } from '../harness/mailbox';
import { startMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import type { DovecotServer } from '../harness/dovecot';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { imapEndpoint } from './matrix-engine-support';

const alice = (s: string): MailUser => ({ user: `alice-${s}@old.example.com`, password: 'Cut-change-src-pw-7Hs' });
const bob = (s: string): MailUser => ({ user: `bob-${s}@new.example.com`, password: 'Cut-change-tgt-pw-2Qm' });
let dovecot: DovecotMailServer;

const message = (id: string) => ({ raw: textMessage({ id, subject: id }), flags: ['\\Seen'], internalDate: new Date('2021-06-01T08:00:00Z') });

beforeAll(async () => {
  dovecot = await startMailServer('dovecot', { name: 'cut-change', users: ['again', 'same'].flatMap((s) => [alice(s), bob(s)]) });
});

afterAll(async () => {
  await dovecot?.stop();
});

describe('a pass cut before its first row, after the source folder got a new UIDVALIDITY', () => {
  it.each([
    ['changed again before the next pass', 'again', 2000],
    ['unchanged before the next pass', 'same', 1000],
  ] as const)('%s: nothing copied twice', async (_title, s, nextShift) => {
    const a = alice(s);
    const b = bob(s);
    await seedFolder(dovecot, a, 'F', ['f1', 'f2', 'f3', 'f4'].map(message));
    const state = tempStore();
    try {
      const j = job(imapEndpoint(dovecot, a), imapEndpoint(dovecot, b), { maxAttempts: 1 });
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(4);

      const before = Number((await folderState(dovecot, a, 'F')).uidValidity);
      await setUidValidity(dovecot as DovecotServer, a, 'F', before + 1000);
      const record = state.store.recordMessages.bind(state.store);
      state.store.recordMessages = () => {
        throw new Error('simulated crash: the process died before this row was written');
      };
      const cut = await migrate(j, state.store);
      state.store.recordMessages = record;
      expect(cut.status, passSummary(cut)).toBe('failed');
      expect(await idsByFolder(dovecot, b), passSummary(cut)).toEqual({ F: ['f1', 'f2', 'f3', 'f4'] });

      if (nextShift !== 1000) await setUidValidity(dovecot as DovecotServer, a, 'F', before + nextShift);
      const next = await migrate(j, state.store);
      expect(next.status, passSummary(next)).toBe('done');
      expect(await idsByFolder(dovecot, b), passSummary(next)).toEqual({ F: ['f1', 'f2', 'f3', 'f4'] });
      expect([next.messagesCopied, next.messagesAlreadyPresent], passSummary(next)).toEqual([0, 4]);
    } finally {
      state.cleanup();
    }
  });
});
