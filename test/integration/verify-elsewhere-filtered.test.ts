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
 *
 * Then, with each kind of the matrix on both sides:
 * - A folder left out is often left out because it is broken or huge. Its source folder is read
 *   only when its target folder holds a candidate for a missing message, on a connection of its
 *   own; one the server cannot read (a BAD, a dropped connection: a proxy answers its EXAMINE)
 *   leaves that target folder out of the search, and the verify reports the messages missing
 *   instead of failing (before: every such verify failed, whatever was missing); the report
 *   names that target folder and why (`unsearched`).
 * - The same with a folder Dovecot itself cannot open (its directory unreadable to the mail
 *   process): its NO was taken for "no messages", so every copy in its target folder was a
 *   candidate, and INBOX's lost message was taken for found there.
 * - A folder left out whose target folder is a checked folder's (an earlier run took Projects into
 *   Work): its copies there are extra to Work's check, and were candidates too, so a message lost
 *   from INBOX whose twin is in Projects was taken for found in Work.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey } from '../../bridge/engine/account-job';
import { migrate } from '../../bridge/engine/migrate';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { verifyAccount } from '../../bridge/verify/verify-account';
import type { VerifyAccount } from '../../shared/verify';
import { createFolder, readFolder, seedFolder, withImap } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Vef-src-pw-5Hs' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Vef-tgt-pw-1Qm' };
const date = new Date('2024-03-04T05:06:07Z');
const mail = (id: string): CorpusMessage => ({ raw: textMessage({ id: `${id}@old.example.com`, subject: id, date, body: `${id} body` }), flags: ['\\Seen'], internalDate: date });
const brief = (a: VerifyAccount) =>
  JSON.stringify({ status: a.status, totals: a.totals, unsearched: a.unsearched, folders: a.folders.map((f) => ({ s: f.source, missing: f.missing.map((m) => m.subject), elsewhere: f.elsewhere.map((e) => [e.subject, e.targetFolder]) })) });

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

describe.each(MATRIX.map((c) => [c.describe, c] as const))('verify --exclude-folder, a folder left out that cannot be read or shares a checked folder\'s target: %s', (_name, config) => {
  const carol: MailUser = { user: 'carol@old.example.com', password: 'Vef-src-pw-8Tc' };
  const dave: MailUser = { user: 'dave@new.example.com', password: 'Vef-tgt-pw-3Wd' };
  const erin: MailUser = { user: 'erin@old.example.com', password: 'Vef-src-pw-4Re' };
  const fred: MailUser = { user: 'fred@new.example.com', password: 'Vef-tgt-pw-6Uf' };
  let source: AnyMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;
  /** How the proxy answers an EXAMINE or SELECT of a source folder named Projects: not at all (the server does), BAD, or BYE. */
  let refuse: 'bad' | 'bye' | undefined;
  let projectsOpened = 0;
  const states = [tempStore(), tempStore()];

  beforeAll(async () => {
    [source, target] = await Promise.all([startConfig(config, { name: `vefx-src-${config.id}`, users: [carol, erin] }), startConfig(config, { name: `vefx-tgt-${config.id}`, users: [dave, fred] })]);
    const projects = folderPath(source, 'Projects');
    // Every session to the source goes through the proxy (the state store's account is the
    // endpoint's): only an open of Projects is ever answered in the server's place.
    proxy = await startAnsweringProxy(source.imapPort, (c) => {
      if ((c.verb !== 'EXAMINE' && c.verb !== 'SELECT') || !c.line.includes(projects)) return undefined;
      projectsOpened++;
      if (refuse === 'bad') return { reply: 'BAD [SERVERBUG] Internal error occurred' };
      if (refuse === 'bye') return { bye: 'Internal error: the folder index is damaged' };
      return undefined;
    });
    // seedFolder creates the folder (Courier refuses a CREATE of one that exists).
    for (const u of [carol, erin]) {
      await seedFolder(source, u, 'INBOX', [mail('first'), mail('kept-in-both'), mail('filed-later')]);
      await seedFolder(source, u, projects, [mail('kept-in-both'), mail('plan')]);
    }
    await seedFolder(source, erin, folderPath(source, 'Work'), [mail('work')]);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    for (const st of states) st.cleanup();
  });

  const uidsOf = async (user: MailUser, folder: string) => {
    const msgs = await readFolder(target, user, folder, { withRaw: true });
    return (id: string) => msgs.find((m) => m.raw!.toString('latin1').includes(`Subject: ${id}\r\n`))!.uid;
  };
  const inboxOf = (r: VerifyAccount) => r.folders.find((f) => f.source === 'INBOX')!;

  it('Projects is read only for a missing message with a candidate in its target folder; one it cannot read (BAD, dropped connection) leaves that folder out, the verify does not fail', async () => {
    const state = states[0]!;
    const full = job(imapEndpoint(source, carol, proxy.port), imapEndpoint(target, dave));
    expect((await migrate(full, state.store)).status).toBe('done');
    const filtered = job(imapEndpoint(source, carol, proxy.port), imapEndpoint(target, dave), { excludeFolders: ['Projects'] });
    const projects = folderPath(target, 'Projects');

    // Lost from INBOX, and not in Projects: nothing to look for there, so Projects is not opened.
    const first = await uidsOf(dave, 'INBOX');
    await withImap(target, dave, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(first('first')), { uid: true });
    });
    for (const mode of ['bad', 'bye'] as const) {
      refuse = mode;
      projectsOpened = 0;
      const r = await verifyAccount(filtered, { deep: false, stateDir: state.dir });
      expect(r.status, brief(r)).toBe('differences');
      expect(inboxOf(r).missing.map((m) => m.subject), brief(r)).toEqual(['first']);
      expect(projectsOpened, mode).toBe(0);
      expect(r.unsearched, brief(r)).toBeUndefined();
    }
    refuse = undefined;
    expect(await copyMissing(filtered, await verifyAccount(filtered, { deep: false, stateDir: state.dir }), state.store)).toEqual({ copied: 1, refused: [] });

    // One INBOX message filed into Projects on the new system, another one lost: both have a candidate there.
    const uid = await uidsOf(dave, 'INBOX');
    await withImap(target, dave, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(uid('filed-later')), projects, { uid: true });
      await c.messageDelete(String(uid('kept-in-both')), { uid: true });
    });
    for (const mode of ['bad', 'bye'] as const) {
      for (const deep of [false, true]) {
        refuse = mode;
        projectsOpened = 0;
        const r = await verifyAccount(filtered, { deep, stateDir: state.dir });
        // Projects cannot tell which of its messages are its own: none is taken for found.
        expect(r.status, brief(r)).toBe('differences');
        expect(r.error, brief(r)).toBeUndefined();
        expect(inboxOf(r).missing.map((m) => m.subject).sort(), brief(r)).toEqual(['filed-later', 'kept-in-both']);
        expect(inboxOf(r).elsewhere, brief(r)).toEqual([]);
        expect(projectsOpened, `${mode} ${deep}`).toBeGreaterThan(0);
        // The report says which target folder was left out, and why.
        expect(r.unsearched?.map((u) => u.folder), brief(r)).toEqual([projects]);
        expect(r.unsearched![0]!.reason, brief(r)).toMatch(mode === 'bad' ? /answered BAD: "Internal error occurred"/ : /connection .* was lost/);
      }
    }
    // Readable again: the filed message is elsewhere, the lost one missing.
    refuse = undefined;
    const r = await verifyAccount(filtered, { deep: true, stateDir: state.dir });
    expect(inboxOf(r).missing.map((m) => m.subject), brief(r)).toEqual(['kept-in-both']);
    expect(inboxOf(r).elsewhere.map((e) => [e.subject, e.targetFolder]), brief(r)).toEqual([['filed-later', projects]]);
    expect(r.unsearched, brief(r)).toBeUndefined();
  }, 120_000);

  it('Projects left out, its copies in Work\'s target folder: they are no candidates for INBOX\'s lost mail; what the user filed into Work is', async () => {
    const state = states[1]!;
    const filtered = job(imapEndpoint(source, erin, proxy.port), imapEndpoint(target, fred), { excludeFolders: ['Projects'] });
    expect((await migrate(filtered, state.store)).status).toBe('done');
    // An earlier run took Projects into Work: its copies are there, and the folder map says so.
    const work = folderPath(target, 'Work');
    await withImap(target, fred, async (c) => {
      for (const m of [mail('kept-in-both'), mail('plan')]) await c.append(work, m.raw, m.flags, m.internalDate);
    });
    state.store.recordFolderMap(accountKey(filtered), folderPath(source, 'Projects'), work, null);
    const uid = await uidsOf(fred, 'INBOX');
    await withImap(target, fred, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(uid('filed-later')), work, { uid: true });
      await c.messageDelete(String(uid('kept-in-both')), { uid: true });
    });
    for (const deep of [false, true]) {
      const r = await verifyAccount(filtered, { deep, stateDir: state.dir });
      expect(r.folders.map((f) => f.source), brief(r)).toContain(folderPath(source, 'Work'));
      expect(r.folders.map((f) => f.source), brief(r)).not.toContain(folderPath(source, 'Projects'));
      expect(inboxOf(r).missing.map((m) => m.subject), brief(r)).toEqual(['kept-in-both']);
      expect(inboxOf(r).elsewhere.map((e) => [e.subject, e.targetFolder]), brief(r)).toEqual([['filed-later', work]]);
    }
    // Projects unreadable: Work offers no candidate at all; nothing taken for found.
    refuse = 'bad';
    const unread = await verifyAccount(filtered, { deep: false, stateDir: state.dir });
    refuse = undefined;
    expect(unread.status, brief(unread)).toBe('differences');
    expect(inboxOf(unread).missing.map((m) => m.subject).sort(), brief(unread)).toEqual(['filed-later', 'kept-in-both']);
    expect(unread.unsearched?.map((u) => u.folder), brief(unread)).toEqual([work]);
    const before = await verifyAccount(filtered, { deep: false, stateDir: state.dir });
    expect(await copyMissing(filtered, before, state.store)).toEqual({ copied: 1, refused: [] });
    const after = await verifyAccount(filtered, { deep: true, stateDir: state.dir });
    expect(after.totals, brief(after)).toMatchObject({ missing: 0, changed: 0, elsewhere: 1 });
    expect((await readFolder(target, fred, 'INBOX')).length).toBe(2);
  }, 120_000);
});

describe.each(MATRIX.map((c) => [c.describe, c] as const))('verify --exclude-folder, a folder left out that Dovecot cannot open: Dovecot -> %s', (_name, config) => {
  const gus: MailUser = { user: 'gus@old.example.com', password: 'Vef-src-pw-2Gu' };
  const hal: MailUser = { user: 'hal@new.example.com', password: 'Vef-tgt-pw-7Ha' };
  let source: DovecotMailServer;
  let target: AnyMailServer;
  const state = tempStore();

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('dovecot', { name: `vefu-src-${config.id}`, users: [gus] }), startConfig(config, { name: `vefu-tgt-${config.id}`, users: [hal] })]);
    await seedFolder(source, gus, 'INBOX', [mail('first'), mail('kept-in-both'), mail('filed-later')]);
    await seedFolder(source, gus, folderPath(source, 'Projects'), [mail('kept-in-both'), mail('plan')]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    state.cleanup();
  });

  it('its target folder is left out of the search: the lost message and the filed one are missing, not found there, and the verify does not fail', async () => {
    expect((await migrate(job(imapEndpoint(source, gus), imapEndpoint(target, hal)), state.store)).status).toBe('done');
    const projects = folderPath(target, 'Projects');
    const inbox = await readFolder(target, hal, 'INBOX', { withRaw: true });
    const uidOf = (id: string) => inbox.find((m) => m.raw!.toString('latin1').includes(`Subject: ${id}\r\n`))!.uid;
    await withImap(target, hal, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(uidOf('filed-later')), projects, { uid: true });
      await c.messageDelete(String(uidOf('kept-in-both')), { uid: true });
    });
    const filtered = job(imapEndpoint(source, gus), imapEndpoint(target, hal), { excludeFolders: ['Projects'] });
    // The folder's directory (LAYOUT=fs, or Maildir++'s dot-folder) unreadable to the mail process.
    const dir = join(source.userHome(gus.user), 'Maildir', source.separator === '/' ? 'Projects' : '.Projects');
    chmodSync(dir, 0o000);
    try {
      for (const deep of [false, true]) {
        const r = await verifyAccount(filtered, { deep, stateDir: state.dir });
        expect(r.status, brief(r)).toBe('differences');
        const checkedInbox = r.folders.find((f) => f.source === 'INBOX')!;
        expect(checkedInbox.missing.map((m) => m.subject).sort(), brief(r)).toEqual(['filed-later', 'kept-in-both']);
        expect(checkedInbox.elsewhere, brief(r)).toEqual([]);
        expect(r.unsearched?.map((u) => u.folder), brief(r)).toEqual([projects]);
        expect(r.unsearched![0]!.reason, brief(r)).toMatch(/answered NO: "Internal error occurred/);
      }
    } finally {
      chmodSync(dir, 0o700);
    }
    // Readable again: the filed message is elsewhere, only the lost one missing.
    const r = await verifyAccount(filtered, { deep: false, stateDir: state.dir });
    expect(r.folders.find((f) => f.source === 'INBOX')!.missing.map((m) => m.subject), brief(r)).toEqual(['kept-in-both']);
  }, 120_000);
});
