import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { MATRIX, folderPath, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { readFolder, seedFolder, snapshotMailbox, withImap, type MailboxMessage } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

/**
 * A message the user files into another folder of the old mailbox during the migration window
 * (the old system stays in use until the cut-over) used to arrive a second time: copied into the
 * new folder while the first copy stayed in the old one. The next run now moves the copy it
 * made, with what the user did to it on the new system; a message copied (not moved) on the old
 * system is copied again, and one whose copy the user deleted on the new system is copied into
 * its new folder. The old mailbox is never changed. A Dovecot source; Dovecot, Cyrus (MOVE) and
 * Courier (no MOVE: UID COPY and UID EXPUNGE of that one copy) targets.
 */
const idOf = (m: MailboxMessage): string => /^Message-ID:\s*<([^@>]+)@/im.exec(m.raw!.toString('latin1'))?.[1] ?? '?';

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('a message moved on the old mailbox between runs: $name target', ({ config }) => {
  const alice: MailUser = { user: `alice-${config.id}@old.example.com`, password: `Moved-src-${config.id}-pw-6Tq` };
  const bob: MailUser = { user: `bob-${config.id}@new.example.com`, password: `Moved-tgt-${config.id}-pw-2Lm` };
  let src: DovecotServer;
  let tgt: AnyMailServer;
  const scratch = scratchDir(`moved-on-source-${config.id}`);

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: `moved-src-${config.id}`, users: [alice] }), startConfig(config, { name: `moved-tgt-${config.id}`, users: [bob] })]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(5, 510, { prefix: 'in' }).map((m) => ({ ...m, flags: [] })));
    await seedFolder(src, alice, 'Work', bulkMessages(1, 511, { prefix: 'w' }).map((m) => ({ ...m, flags: [] })));
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const run = async (command: 'migrate' | 'verify'): Promise<CliResult> => {
    const args = [
      '--source', serverUrl(src, { user: alice.user }), '--source-password-env', 'SRC_PW',
      '--target', serverUrl(tgt as DovecotServer, { user: bob.user }), '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path('state'), '--json',
    ];
    const r = await runCliInProcess(args, { env: { SRC_PW: alice.password, TGT_PW: bob.password }, command });
    expect(leakedSecrets(r, [alice.password, bob.password]), describeRun(r)).toEqual([]);
    return r;
  };
  const work = () => folderPath(tgt, 'Work');
  /** Message-IDs per target folder, sorted, and each copy's flags by Message-ID. */
  const onTarget = async () => {
    const [inbox, filed] = await Promise.all([readFolder(tgt, bob, 'INBOX', { withRaw: true }), readFolder(tgt, bob, work(), { withRaw: true })]);
    return {
      inbox: inbox.map(idOf).sort(),
      work: filed.map(idOf).sort(),
      workFlags: Object.fromEntries(filed.map((m) => [idOf(m), m.flags])),
    };
  };
  const targetUidOf = async (folder: string, id: string): Promise<number> => (await readFolder(tgt, bob, folder, { withRaw: true })).find((m) => idOf(m) === id)!.uid;

  it('the copy follows the move (keeping what the user did to it); a copy on the old system is copied; nothing arrives twice', async () => {
    const first = await run('migrate');
    expect(first.code, describeRun(first)).toBe(0);
    expect(parseReport(first.stdout).accounts[0]!.messagesCopied).toBe(6);

    // On the new system the user flags one copy and deletes another.
    const flaggedUid = await targetUidOf('INBOX', 'in-510-1');
    const deletedUid = await targetUidOf('INBOX', 'in-510-3');
    await withImap(tgt, bob, async (c) => {
      await c.mailboxOpen('INBOX');
      expect(await c.messageFlagsAdd(String(flaggedUid), ['\\Flagged'], { uid: true })).toBe(true);
      expect(await c.messageDelete(String(deletedUid), { uid: true })).toBe(true);
    });
    // On the old system: in-1 and in-3 are filed into Work, in-2 is copied there.
    await withImap(src, alice, async (c) => {
      await c.mailboxOpen('INBOX');
      const uids = new Map((await readFolder(src, alice, 'INBOX', { withRaw: true })).map((m) => [idOf(m), m.uid]));
      expect(await c.messageMove(`${uids.get('in-510-1')},${uids.get('in-510-3')}`, 'Work', { uid: true })).toBeTruthy();
      expect(await c.messageCopy(String(uids.get('in-510-2')), 'Work', { uid: true })).toBeTruthy();
    });
    const sourceBefore = await snapshotMailbox(src, alice);

    const second = await run('migrate');
    expect(second.code, describeRun(second)).toBe(0);
    const report = parseReport(second.stdout).accounts[0]!;
    // in-2 (a second message on the old system) and in-3 (its copy deleted on the new one) are copied.
    expect(report.messagesCopied).toBe(2);
    const folders = (JSON.parse(second.stdout) as { accounts: Array<{ folders: Array<{ source: string; movedHere?: number }> }> }).accounts[0]!.folders;
    expect(folders.find((f) => f.source === 'Work')?.movedHere, second.stdout).toBe(1);
    expect(folders.find((f) => f.source === 'INBOX')?.movedHere).toBeUndefined();

    const after = await onTarget();
    expect(after.inbox).toEqual(['in-510-0', 'in-510-2', 'in-510-4']);
    expect(after.work).toEqual(['in-510-1', 'in-510-2', 'in-510-3', 'w-511-0']);
    // The copy that moved is the one the user flagged, not a new one.
    expect(after.workFlags['in-510-1']).toContain('\\Flagged');
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);

    // Once more: nothing to do, nothing changes.
    const third = await run('migrate');
    expect(third.code, describeRun(third)).toBe(0);
    expect(parseReport(third.stdout).accounts[0]!.messagesCopied).toBe(0);
    expect(await onTarget()).toEqual(after);

    // Verify matches every message; the only difference it names is the flag the user set on the new system.
    const check = await run('verify');
    expect(check.code, describeRun(check)).toBe(1);
    const verified = (JSON.parse(check.stdout) as { accounts: Array<{ totals: Record<string, number>; folders: Array<{ source: string; changed: Array<{ targetUid: number; what: string[] }> }> }> }).accounts[0]!;
    expect(verified.totals).toMatchObject({ matched: 6, missing: 0, extra: 0, changed: 1 });
    const movedUid = await targetUidOf(work(), 'in-510-1');
    expect(verified.folders.find((f) => f.source === 'Work')!.changed).toEqual([expect.objectContaining({ targetUid: movedUid, what: ['flags'] })]);
  });
});
