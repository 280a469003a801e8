/**
 * Flag changes made on the old mailbox after a message was copied reach its copy on the next
 * pass, on Dovecot, Cyrus and Courier (each server is both the old and the new system here, one
 * user per side): \Seen, \Answered, \Flagged and keywords travel, \Deleted never does; what the
 * user changed on the new mailbox only stays as they left it; the old mailbox is not touched
 * (flags, count, MODSEQ); nothing is copied twice; a dry run changes nothing. A state file from
 * a build before synced flags were kept takes the old mailbox's flags as they are on its first
 * pass (changing nothing), and carries the changes made after it.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { StateStore } from '../../bridge/engine/state-store';
import type { AccountResult } from '../../shared/migration';
import { seedFolder, snapshotMailbox, withImap, type SeedMessage } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { job } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Flags-src-pw-7Tq' };
const dora: MailUser = { user: 'dora@old.example.com', password: 'Flags-src-pw-3Nb' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Flags-tgt-pw-5Hm' };
const carol: MailUser = { user: 'carol@new.example.com', password: 'Flags-tgt-pw-1Xe' };
const erin: MailUser = { user: 'erin@old.example.com', password: 'Flags-src-pw-8Rd' };
const frank: MailUser = { user: 'frank@new.example.com', password: 'Flags-tgt-pw-4Gs' };
const gina: MailUser = { user: 'gina@old.example.com', password: 'Flags-src-pw-6Pa' };
const hank: MailUser = { user: 'hank@new.example.com', password: 'Flags-tgt-pw-2Yu' };
const ivan: MailUser = { user: 'ivan@old.example.com', password: 'Flags-src-pw-9Wc' };
const judy: MailUser = { user: 'judy@new.example.com', password: 'Flags-tgt-pw-7Lz' };

/** A message named `name` (its Message-ID's left part); `subject` may hold raw 8-bit bytes. */
function message(name: string, flags: string[], subject = name): SeedMessage {
  const raw = Buffer.from(
    [
      `Message-ID: <${name}@flags.example.com>`,
      'Date: Mon, 02 Nov 2026 10:00:00 +0000',
      'From: Sender <sender@example.com>',
      'To: alice@old.example.com',
      `Subject: ${subject}`,
      '',
      `Body of ${name}.`,
      '',
    ].join('\r\n'),
    'utf8',
  );
  return { raw, flags, internalDate: new Date('2026-11-02T10:00:00Z') };
}

/** INBOX: one message per case of the test; Work: a second folder with copies. */
const INBOX = [
  message('f0', []),
  message('f1', []),
  message('f2', ['\\Flagged']),
  message('f3', []),
  message('f4', []),
  message('f5', ['\\Seen']),
  message('f6', ['\\Seen', '\\Flagged']),
  message('f7', []),
  // Raw UTF-8 in the header: Cyrus stores those bytes as 'X', so its copy is found by the rewrite-tolerant fingerprint.
  message('f8', [], 'f8 Grüße aus Zürich'),
];
const WORK = [message('w0', []), message('w1', ['\\Seen'])];

/** Each message's flags (sorted, \Recent left out) by its name; fails on a message seen twice (a doubled copy). */
async function flagsBySubject(server: AnyMailServer, user: MailUser, folder: string): Promise<Record<string, string[]>> {
  return withImap(server, user, async (client) => {
    await client.mailboxOpen(folder, { readOnly: true });
    const out: Record<string, string[]> = {};
    for await (const msg of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
      const name = /^<([^@]+)@/.exec(msg.envelope?.messageId ?? '')?.[1] ?? '';
      if (name in out) throw new Error(`${folder}: "${name}" is there twice`);
      out[name] = [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort();
    }
    return out;
  });
}

/** The UID of the message named `name` in the folder the client has open. */
async function uidOf(client: ImapFlow, folder: string, name: string): Promise<number> {
  const uids = (await client.search({ header: { 'message-id': `<${name}@flags.example.com>` } }, { uid: true })) || [];
  if (uids.length !== 1) throw new Error(`${folder}: ${uids.length} messages named ${name}`);
  return uids[0]!;
}

/** Adds and removes flags of the message named `name`, as a mail client of that mailbox would. */
async function changeFlags(server: AnyMailServer, user: MailUser, folder: string, name: string, change: { add?: string[]; remove?: string[] }): Promise<void> {
  await withImap(server, user, async (client) => {
    await client.mailboxOpen(folder);
    const uid = await uidOf(client, folder, name);
    if (change.add?.length) expect(await client.messageFlagsAdd(String(uid), change.add, { uid: true })).toBe(true);
    if (change.remove?.length) expect(await client.messageFlagsRemove(String(uid), change.remove, { uid: true })).toBe(true);
  });
}

/** Deletes the message named `name` for good (\\Deleted, then EXPUNGE), as a mail client of that mailbox would. */
async function expungeMessage(server: AnyMailServer, user: MailUser, folder: string, name: string): Promise<void> {
  await withImap(server, user, async (client) => {
    await client.mailboxOpen(folder);
    expect(await client.messageDelete(String(await uidOf(client, folder, name)), { uid: true })).toBe(true);
  });
}

/** The commands a client sent through a recording proxy, without their tags. */
function commandsOf(proxy: RecordingProxy, from: number): string[] {
  return proxy.events().slice(from).flatMap((e) => (e.kind === 'line' ? [e.text.replace(/^\S+ /, '')] : []));
}

/** Which servers of the matrix offer CONDSTORE (RFC 7162): Courier-IMAP does not. */
const CONDSTORE: Record<ServerKind, boolean> = { dovecot: true, cyrus: true, courier: false };

/** The flag pass's FETCH on the source: flags of a UID set (imapflow adds MODSEQ where CONDSTORE is on, and Cyrus's EMAILID). */
const FLAGS_FETCH = /^UID FETCH [\d:,]+ \(UID FLAGS( EMAILID)?( MODSEQ)?\)/;

function summary(r: AccountResult): string {
  return JSON.stringify({ status: r.status, error: r.error, copied: r.messagesCopied, skipped: r.messagesSkipped, already: r.messagesAlreadyPresent, folders: r.folders, warnings: r.warnings });
}

const flagsUpdated = (r: AccountResult, source: string): number | undefined => r.folders.find((f) => f.source === source)?.flagsUpdated;

/** A state dir; `dropSyncedFlags` turns its file into one of a build before synced flags were kept (no column). */
function stateDir(): { dir: string; open: () => StateStore; dropSyncedFlags: () => void; syncedFlags: () => Array<string | null>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-flags-'));
  const file = join(dir, 'mailmover.sqlite');
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    dir,
    open: () => StateStore.open(dir),
    dropSyncedFlags: () => withDb((db) => db.exec('ALTER TABLE messages DROP COLUMN synced_flags; DROP TABLE flag_sync')),
    syncedFlags: () => withDb((db) => (db.prepare(`SELECT synced_flags FROM messages WHERE outcome = 'copied' ORDER BY source_folder, uid`).all() as Array<{ synced_flags: string | null }>).map((r) => r.synced_flags)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe.each(MATRIX.map((config) => [config.kind, config] as const))('flag changes on the old mailbox reach the copies: %s', (kind, config) => {
  let server: AnyMailServer;
  let work: string;
  const dirs: Array<ReturnType<typeof stateDir>> = [];

  beforeAll(async () => {
    server = await startConfig(config, { name: `flags-${kind}`, users: [alice, dora, erin, gina, ivan, bob, carol, frank, hank, judy] });
    work = folderPath(server, 'Work');
    await seedFolder(server, erin, 'INBOX', INBOX);
    await seedFolder(server, gina, 'INBOX', INBOX);
    await seedFolder(server, ivan, 'INBOX', INBOX);
    for (const user of [alice, dora]) {
      await seedFolder(server, user, 'INBOX', INBOX);
      await seedFolder(server, user, work, WORK);
    }
  });

  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) d.cleanup();
  });

  const run = (source: MailUser, target: MailUser, store: StateStore, dryRun = false, via?: { source: RecordingProxy; target: RecordingProxy }): Promise<AccountResult> =>
    migrate(job(imapEndpoint(server, source, via?.source.port), imapEndpoint(server, target, via?.target.port), { chunkMessages: 3, dryRun }), store);

  /** A pass over the recording proxies, and the commands each side got in it (tags left out). */
  const recordedRun = async (source: MailUser, target: MailUser, store: StateStore, via: { source: RecordingProxy; target: RecordingProxy }): Promise<{ result: AccountResult; source: string[]; target: string[] }> => {
    const from = { source: via.source.events().length, target: via.target.events().length };
    const result = await run(source, target, store, false, via);
    return { result, source: commandsOf(via.source, from.source), target: commandsOf(via.target, from.target) };
  };

  it('carries the old mailbox\'s changes, keeps the new mailbox\'s own, never \\Deleted; the old mailbox untouched, nothing doubled', async () => {
    const state = stateDir();
    dirs.push(state);
    const store = state.open();
    // Every pass over them (the state is kept per server address and port), in clear text to be read.
    const via = { source: await startRecordingProxy(server.imapPort, { hideStartTls: true }), target: await startRecordingProxy(server.imapPort, { hideStartTls: true }) };
    try {
      const first = await run(alice, bob, store, false, via);
      expect(first.status, summary(first)).toBe('done');
      expect(first.messagesCopied, summary(first)).toBe(INBOX.length + WORK.length);
      expect(await flagsBySubject(server, bob, 'INBOX')).toEqual({ f0: [], f1: [], f2: ['\\Flagged'], f3: [], f4: [], f5: ['\\Seen'], f6: ['\\Flagged', '\\Seen'], f7: [], f8: [] });

      // On the old mailbox, after the copy.
      await changeFlags(server, alice, 'INBOX', 'f0', { add: ['\\Seen'] });
      await changeFlags(server, alice, 'INBOX', 'f1', { add: ['\\Seen'] });
      await changeFlags(server, alice, 'INBOX', 'f2', { remove: ['\\Flagged'] });
      await changeFlags(server, alice, 'INBOX', 'f3', { add: ['$Project'] });
      await changeFlags(server, alice, 'INBOX', 'f4', { add: ['\\Deleted'] });
      await changeFlags(server, alice, 'INBOX', 'f6', { remove: ['\\Seen'] });
      await changeFlags(server, alice, 'INBOX', 'f7', { add: ['\\Seen'] });
      await changeFlags(server, alice, 'INBOX', 'f8', { add: ['\\Flagged'] });
      await changeFlags(server, alice, work, 'w0', { add: ['\\Answered', '\\Seen'] });
      // On the new mailbox, by its user: one message the old side left alone, two it changed too.
      await changeFlags(server, bob, 'INBOX', 'f5', { add: ['\\Flagged'] });
      await changeFlags(server, bob, 'INBOX', 'f0', { add: ['\\Answered'] });
      await changeFlags(server, bob, 'INBOX', 'f6', { remove: ['\\Flagged'] });
      // Deleted there by its user: the old mailbox's change has no copy to go to.
      await expungeMessage(server, bob, 'INBOX', 'f7');
      const sourceBefore = await snapshotMailbox(server, alice);
      const targetBefore = await snapshotMailbox(server, bob);

      const dry = await run(alice, bob, store, true, via);
      expect(dry.status, summary(dry)).toBe('done');
      expect(await snapshotMailbox(server, bob), 'a dry run changes nothing on the new mailbox').toEqual(targetBefore);

      const { result: second, source: secondSource, target: secondTarget } = await recordedRun(alice, bob, store, via);
      expect(second.status, summary(second)).toBe('done');
      expect(second.messagesCopied, summary(second)).toBe(0);
      expect(second.messagesSkipped, summary(second)).toBe(0);
      expect(await flagsBySubject(server, bob, 'INBOX')).toEqual({
        f0: ['\\Answered', '\\Seen'],
        f1: ['\\Seen'],
        f2: [],
        f3: ['$Project'],
        // \Deleted set on the old mailbox is not carried: a deletion must not travel by flag.
        f4: [],
        // The new mailbox's own change stays.
        f5: ['\\Flagged', '\\Seen'],
        f6: [],
        // f7, deleted on the new mailbox: not there, and not copied again.
        f8: ['\\Flagged'],
      });
      expect(await flagsBySubject(server, bob, work)).toEqual({ w0: ['\\Answered', '\\Seen'], w1: ['\\Seen'] });
      // Copies whose flags the pass changed, per folder (the report's flagsUpdated).
      expect(flagsUpdated(second, 'INBOX'), summary(second)).toBe(6);
      expect(flagsUpdated(second, work), summary(second)).toBe(1);
      // Flags, counts, UIDNEXT and MODSEQ of the old mailbox as they were before the pass.
      expect(await snapshotMailbox(server, alice), 'the old mailbox is unchanged').toEqual(sourceBefore);

      // Nothing changed since: the next pass sends nothing to the new mailbox.
      const targetAfter = await snapshotMailbox(server, bob);
      const { result: third, source: thirdSource, target: thirdTarget } = await recordedRun(alice, bob, store, via);
      expect(third.status, summary(third)).toBe('done');
      expect(third.messagesCopied, summary(third)).toBe(0);
      expect(flagsUpdated(third, 'INBOX'), summary(third)).toBe(0);
      expect(flagsUpdated(third, work), summary(third)).toBe(0);
      expect(await snapshotMailbox(server, bob)).toEqual(targetAfter);
      expect(await snapshotMailbox(server, alice)).toEqual(sourceBefore);

      // What it costs. The source: read-only always, and at most one FETCH of flags per folder with
      // copies: both folders changed before the second pass; before the third nothing did, which a
      // source with CONDSTORE tells from the folder's HIGHESTMODSEQ without a FETCH.
      const flagCommands = (commands: string[]) => commands.filter((c) => /^(EXAMINE|SELECT|UID FETCH|UID STORE)\b/.test(c)).join(' | ');
      console.log(`flag-sync ${kind} | changed pass: source ${flagCommands(secondSource)}; target ${flagCommands(secondTarget)}`);
      console.log(`flag-sync ${kind} | unchanged pass: source ${flagCommands(thirdSource)}; target ${flagCommands(thirdTarget) || '(none)'}`);
      for (const commands of [secondSource, thirdSource]) {
        expect(commands.filter((c) => /^(SELECT|STORE|UID STORE|EXPUNGE|UID EXPUNGE|CLOSE|APPEND)\b/i.test(c)), commands.join('\n')).toEqual([]);
      }
      expect(secondSource.filter((c) => FLAGS_FETCH.test(c)), secondSource.join('\n')).toHaveLength(2);
      expect(thirdSource.filter((c) => FLAGS_FETCH.test(c)), thirdSource.join('\n')).toHaveLength(CONDSTORE[kind] ? 0 : 2);
      // Where the listing carries each folder's HIGHESTMODSEQ (LIST-STATUS with CONDSTORE), an unchanged
      // folder is not even opened: a re-run with nothing new costs the flag pass no round trip.
      if (CONDSTORE[kind]) expect(thirdSource.filter((c) => /^EXAMINE\b/.test(c)), thirdSource.join('\n')).toEqual([]);
      // The target: one STORE per distinct change per folder (INBOX: +\Seen on f0 and f1, -\Flagged,
      // +$Project, -\Seen, +\Flagged; Work: +\Answered \Seen), and with nothing changed, not a command.
      expect(secondTarget.filter((c) => /^UID STORE /.test(c)), secondTarget.join('\n')).toHaveLength(6);
      expect(thirdTarget.filter((c) => /^(SELECT|UID STORE|STORE)\b/.test(c)), thirdTarget.join('\n')).toEqual([]);
    } finally {
      store.close();
      await Promise.all([via.source.close(), via.target.close()]);
    }
  });

  it('a folder\'s copies are compared a window of rows at a time; with CONDSTORE a later pass asks only for the messages changed since', async () => {
    const state = stateDir();
    dirs.push(state);
    const store = state.open();
    const via = { source: await startRecordingProxy(server.imapPort, { hideStartTls: true }), target: await startRecordingProxy(server.imapPort, { hideStartTls: true }) };
    // Windows of 4 rows: INBOX's 9 copies are read as 4 + 4 + 1.
    const pass = async () => {
      const from = via.source.events().length;
      const result = await migrate(job(imapEndpoint(server, ivan, via.source.port), imapEndpoint(server, judy, via.target.port), { chunkMessages: 3, flagRowWindow: 4 }), store);
      return { result, fetches: commandsOf(via.source, from).filter((c) => FLAGS_FETCH.test(c)) };
    };
    try {
      const first = await pass();
      expect(first.result.status, summary(first.result)).toBe('done');
      expect(first.result.messagesCopied, summary(first.result)).toBe(INBOX.length);
      // The first flag pass reads every copy's flags (the baseline of CHANGEDSINCE), one window per FETCH.
      expect(first.fetches, first.fetches.join('\n')).toHaveLength(3);
      expect(first.fetches.every((c) => !c.includes('CHANGEDSINCE')), first.fetches.join('\n')).toBe(true);

      await changeFlags(server, ivan, 'INBOX', 'f0', { add: ['\\Seen'] });
      await changeFlags(server, ivan, 'INBOX', 'f8', { add: ['\\Flagged'] });
      await seedFolder(server, ivan, 'INBOX', [message('f9', ['\\Seen'])]);
      const sourceBefore = await snapshotMailbox(server, ivan);

      const second = await pass();
      expect(second.result.status, summary(second.result)).toBe('done');
      expect(second.result.messagesCopied, summary(second.result)).toBe(1);
      expect(flagsUpdated(second.result, 'INBOX'), summary(second.result)).toBe(2);
      const flags = await flagsBySubject(server, judy, 'INBOX');
      expect(flags).toEqual({ f0: ['\\Seen'], f1: [], f2: ['\\Flagged'], f3: [], f4: [], f5: ['\\Seen'], f6: ['\\Flagged', '\\Seen'], f7: [], f8: ['\\Flagged'], f9: ['\\Seen'] });
      expect(await snapshotMailbox(server, ivan), 'the old mailbox is unchanged').toEqual(sourceBefore);
      if (CONDSTORE[kind]) {
        // One FETCH over the copies' UIDs, answered with the changed and the new messages only.
        expect(second.fetches, second.fetches.join('\n')).toHaveLength(1);
        expect(second.fetches[0], second.fetches.join('\n')).toMatch(/^UID FETCH \d+:\d+ \(UID FLAGS( EMAILID)? MODSEQ\) \(CHANGEDSINCE \d+\)$/);
      } else {
        // Without CONDSTORE every copy's flags again, now 10 of them: 4 + 4 + 2.
        expect(second.fetches, second.fetches.join('\n')).toHaveLength(3);
      }
    } finally {
      store.close();
      await Promise.all([via.source.close(), via.target.close()]);
    }
  });

  it('a state file from before synced flags were kept: the first pass takes the old flags as they are, later changes are carried', async () => {
    const state = stateDir();
    dirs.push(state);
    let store = state.open();
    const first = await run(dora, carol, store);
    store.close();
    expect(first.status, summary(first)).toBe('done');
    expect(first.messagesCopied, summary(first)).toBe(INBOX.length + WORK.length);
    state.dropSyncedFlags();

    // Changed before the upgraded build's first pass: that pass cannot tell it from a flag the
    // copy never had, so it takes the old mailbox's flags as they are and changes nothing.
    await changeFlags(server, dora, 'INBOX', 'f0', { add: ['\\Seen'] });
    store = state.open();
    try {
      const targetBefore = await snapshotMailbox(server, carol);
      const upgraded = await run(dora, carol, store);
      expect(upgraded.status, summary(upgraded)).toBe('done');
      expect(upgraded.messagesCopied, summary(upgraded)).toBe(0);
      expect(flagsUpdated(upgraded, 'INBOX'), summary(upgraded)).toBe(0);
      expect(await snapshotMailbox(server, carol), 'the baseline pass changes nothing').toEqual(targetBefore);
      expect(state.syncedFlags().every((f) => f !== null), 'every copy has its baseline').toBe(true);

      await changeFlags(server, dora, 'INBOX', 'f1', { add: ['\\Seen'] });
      const sourceBefore = await snapshotMailbox(server, dora);
      const next = await run(dora, carol, store);
      expect(next.status, summary(next)).toBe('done');
      const flags = await flagsBySubject(server, carol, 'INBOX');
      expect(flags.f0).toEqual([]);
      expect(flags.f1).toEqual(['\\Seen']);
      expect(flagsUpdated(next, 'INBOX'), summary(next)).toBe(1);
      expect(Object.keys(flags).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']);
      expect(await snapshotMailbox(server, dora)).toEqual(sourceBefore);
    } finally {
      store.close();
    }
  });

  it('a POP3 source has no flags: a later pass changes none on the copies', async () => {
    const state = stateDir();
    dirs.push(state);
    const store = state.open();
    try {
      const pop3Run = () => migrate(job(pop3Endpoint(server, erin), imapEndpoint(server, frank)), store);
      const first = await pop3Run();
      expect(first.status, summary(first)).toBe('done');
      expect(first.messagesCopied, summary(first)).toBe(INBOX.length);
      // Changed through the old system's IMAP: POP3 does not show it.
      await changeFlags(server, erin, 'INBOX', 'f0', { add: ['\\Seen'] });
      await changeFlags(server, erin, 'INBOX', 'f2', { remove: ['\\Flagged'] });
      const targetBefore = await snapshotMailbox(server, frank);
      const again = await pop3Run();
      expect(again.status, summary(again)).toBe('done');
      expect(again.messagesCopied, summary(again)).toBe(0);
      expect(flagsUpdated(again, 'INBOX'), summary(again)).toBeUndefined();
      expect(await snapshotMailbox(server, frank)).toEqual(targetBefore);
    } finally {
      store.close();
    }
  });

  it('a STORE the target refuses: a warning, the pass done, nothing lost or doubled; the next pass carries the change', async () => {
    const state = stateDir();
    dirs.push(state);
    const store = state.open();
    let refuse = false;
    const via = {
      source: await startRecordingProxy(server.imapPort, { hideStartTls: true }),
      target: await startRecordingProxy(server.imapPort, {
        hideStartTls: true,
        answerInstead: (line) => (refuse && /^\S+ UID STORE /.test(line) ? `${line.split(' ')[0]} NO [CANNOT] Refused by the test` : undefined),
      }),
    };
    try {
      const first = await run(gina, hank, store, false, via);
      expect(first.status, summary(first)).toBe('done');
      expect(first.messagesCopied, summary(first)).toBe(INBOX.length);
      await changeFlags(server, gina, 'INBOX', 'f1', { add: ['\\Seen'] });
      const sourceBefore = await snapshotMailbox(server, gina);

      refuse = true;
      const refused = await run(gina, hank, store, false, via);
      expect(refused.status, summary(refused)).toBe('done');
      expect(refused.messagesCopied, summary(refused)).toBe(0);
      expect(flagsUpdated(refused, 'INBOX'), summary(refused)).toBe(0);
      expect(refused.warnings.filter((w) => w.code === 'TARGET_REFUSED' && /Refused by the test/.test(w.message)), summary(refused)).toHaveLength(1);
      const flags = await flagsBySubject(server, hank, 'INBOX');
      expect(flags.f1).toEqual([]);
      expect(Object.keys(flags).sort()).toEqual(INBOX.map((_, i) => `f${i}`));

      refuse = false;
      const again = await run(gina, hank, store, false, via);
      expect(again.status, summary(again)).toBe('done');
      expect(again.warnings, summary(again)).toEqual([]);
      expect(flagsUpdated(again, 'INBOX'), summary(again)).toBe(1);
      expect((await flagsBySubject(server, hank, 'INBOX')).f1).toEqual(['\\Seen']);
      expect(await snapshotMailbox(server, gina)).toEqual(sourceBefore);
    } finally {
      store.close();
      await Promise.all([via.source.close(), via.target.close()]);
    }
  });
});
