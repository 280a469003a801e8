/**
 * verify looks for a message missing from its target folder in the target folders no checked
 * source folder maps to (mail the user filed there on the new system: `elsewhere`, which
 * --fix does not copy again). The target folder of a source folder the user filtered out
 * (--exclude-folder) is one of those: still the user's mail, so what the user filed there is
 * elsewhere. But it also holds the copies of that folder's own source messages (an earlier run
 * without the filter): every message of it was taken as a candidate, so a message lost from
 * INBOX whose twin the excluded folder holds (the same mail kept in both folders) was taken for
 * found, and --fix left it lost. Only the copies no message of its own source folder accounts
 * for are candidates, as for the folders verify checks.
 *
 * Dovecot as the source, each kind of the matrix as the target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { verifyAccount } from '../../bridge/verify/verify-account';
import type { VerifyAccount } from '../../shared/verify';
import { createFolder, readFolder, seedFolder, withImap } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Vef-src-pw-5Hs' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Vef-tgt-pw-1Qm' };
const date = new Date('2024-03-04T05:06:07Z');
const mail = (id: string): CorpusMessage => ({ raw: textMessage({ id: `${id}@old.example.com`, subject: id, date, body: `${id} body` }), flags: ['\\Seen'], internalDate: date });
const brief = (a: VerifyAccount) =>
  JSON.stringify({ status: a.status, totals: a.totals, folders: a.folders.map((f) => ({ s: f.source, missing: f.missing.map((m) => m.subject), elsewhere: f.elsewhere.map((e) => [e.subject, e.targetFolder]) })) });

describe.each(MATRIX.map((c) => [c.describe, c] as const))('verify --exclude-folder, elsewhere in the excluded folder’s target: %s', (_name, config) => {
  let source: AnyMailServer;
  let target: AnyMailServer;
  const state = tempStore();

  beforeAll(async () => {
    [source, target] = await Promise.all([startConfig(MATRIX[0]!, { name: `vef-src-${config.id}`, users: [alice] }), startConfig(config, { name: `vef-tgt-${config.id}`, users: [bob] })]);
    // The same mail kept in INBOX and in Projects (copied there by the user on the old system).
    await seedFolder(source, alice, 'INBOX', [mail('first'), mail('kept-in-both'), mail('filed-later')]);
    await createFolder(source, alice, folderPath(source, 'Projects'));
    await seedFolder(source, alice, folderPath(source, 'Projects'), [mail('kept-in-both'), mail('plan')]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    state.cleanup();
  });

  it('a message lost from INBOX is missing though its twin is in the excluded folder; mail the user filed there is elsewhere; --fix copies only the lost one', async () => {
    expect((await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob)), state.store)).status).toBe('done');
    const projects = folderPath(target, 'Projects');
    const inbox = await readFolder(target, bob, 'INBOX', { withRaw: true });
    const uidOf = (id: string) => inbox.find((m) => m.raw!.toString('latin1').includes(`Subject: ${id}\r\n`))!.uid;
    await withImap(target, bob, async (c) => {
      await c.mailboxOpen('INBOX');
      // The user files one INBOX message into Projects on the new system; another INBOX copy is lost.
      await c.messageMove(String(uidOf('filed-later')), projects, { uid: true });
      await c.messageDelete(String(uidOf('kept-in-both')), { uid: true });
    });
    // From now on Projects is left out (say, its migration was done with).
    const filtered = job(imapEndpoint(source, alice), imapEndpoint(target, bob), { excludeFolders: ['Projects'] });
    for (const deep of [false, true]) {
      const r = await verifyAccount(filtered, { deep, stateDir: state.dir });
      expect(r.folders.map((f) => f.source), brief(r)).not.toContain(folderPath(source, 'Projects'));
      const checkedInbox = r.folders.find((f) => f.source === 'INBOX')!;
      expect(checkedInbox.missing.map((m) => m.subject), brief(r)).toEqual(['kept-in-both']);
      expect(checkedInbox.elsewhere.map((e) => [e.subject, e.targetFolder]), brief(r)).toEqual([['filed-later', projects]]);
    }
    const before = await verifyAccount(filtered, { deep: false, stateDir: state.dir });
    expect(await copyMissing(filtered, before, state.store)).toEqual({ copied: 1, refused: [] });
    const after = await verifyAccount(filtered, { deep: true, stateDir: state.dir });
    expect(after.status, brief(after)).toBe('verified');
    expect(after.totals, brief(after)).toMatchObject({ missing: 0, extra: 0, changed: 0, elsewhere: 1 });
    expect((await readFolder(target, bob, 'INBOX')).length).toBe(2);
    expect((await readFolder(target, bob, projects)).length).toBe(3);
  }, 120_000);
});
