/**
 * The same `migrate` command run again (as a cron job or a person does during the move) carries
 * the flag changes made on the old mailbox since the last run, and its --json report counts the
 * copies it changed per folder (`flagsUpdated`). The engine's rules, on every server kind, are
 * in flag-sync.test.ts; this is the command line's end of it, on Dovecot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { seedFolder, snapshotMailbox, withImap } from '../harness/mailbox';
import { describeRun, parseReport, runCli, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Flags-cli-src-pw-2Wv' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Flags-cli-tgt-pw-6Kc' };

/** The report's folders with the field this feature adds (the shared report schema leaves it out). */
const FlagsReportSchema = z.object({
  accounts: z.array(z.object({ folders: z.array(z.object({ source: z.string(), flagsUpdated: z.number().int().nonnegative().optional() })) })),
});

/** Each message's flags in UID order (\Recent left out). */
async function flagsOf(server: DovecotServer, user: DovecotUser, folder: string): Promise<string[][]> {
  return withImap(server, user, async (client) => {
    await client.mailboxOpen(folder, { readOnly: true });
    const out: string[][] = [];
    for await (const msg of client.fetch('1:*', { uid: true, flags: true })) out.push([...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort());
    return out;
  });
}

describe('cli migrate again: flag changes on the old mailbox', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('flag-sync-cli');
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'flags-cli-src', users: [alice] }), startDovecot({ name: 'flags-cli-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(4, 71).map((m) => ({ ...m, flags: [] })));
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  const endpoints = (): string[] => [
    '--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW',
    '--target', serverUrl(target, { user: bob.user }), '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--json',
  ];
  const migrateCommand = (): Promise<CliResult> => runCli(endpoints(), { env });

  it('the second run marks read what was read on the old mailbox since, and says how many copies it changed', async () => {
    const first = await migrateCommand();
    expect(first.code, describeRun(first)).toBe(0);
    expect(parseReport(first.stdout).accounts[0]!.messagesCopied).toBe(4);
    expect(await flagsOf(target, bob, 'INBOX')).toEqual([[], [], [], []]);

    await withImap(source, alice, async (client) => {
      await client.mailboxOpen('INBOX');
      expect(await client.messageFlagsAdd('2:3', ['\\Seen'], { uid: true })).toBe(true);
    });
    const sourceBefore = await snapshotMailbox(source, alice);

    const second = await migrateCommand();
    expect(second.code, describeRun(second)).toBe(0);
    const report = parseReport(second.stdout);
    expect(report.accounts[0]!.messagesCopied).toBe(0);
    const inbox = FlagsReportSchema.parse(JSON.parse(second.stdout)).accounts[0]!.folders.find((f) => f.source === 'INBOX');
    expect(inbox?.flagsUpdated, second.stdout).toBe(2);
    expect(await flagsOf(target, bob, 'INBOX')).toEqual([[], ['\\Seen'], ['\\Seen'], []]);
    expect(await snapshotMailbox(source, alice)).toEqual(sourceBefore);
  });

  // Runs after the test above (the copies and their flags are that test's).
  it('a copy made by verify --fix gets the flag changes made on the old mailbox after it', async () => {
    const lastCopy = await withImap(target, bob, async (client) => {
      await client.mailboxOpen('INBOX');
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      const last = Math.max(...uids);
      expect(await client.messageDelete(String(last), { uid: true })).toBe(true);
      return last;
    });
    expect(await flagsOf(target, bob, 'INBOX')).toEqual([[], ['\\Seen'], ['\\Seen']]);
    const fix = await runCli([...endpoints(), '--fix'], { env, command: 'verify' });
    expect(fix.code, describeRun(fix)).toBe(0);
    expect(JSON.parse(fix.stdout)).toMatchObject({ accounts: [{ fixed: 1, status: 'verified' }] });
    expect(await flagsOf(target, bob, 'INBOX')).toEqual([[], ['\\Seen'], ['\\Seen'], []]);

    await withImap(source, alice, async (client) => {
      await client.mailboxOpen('INBOX');
      expect(await client.messageFlagsAdd('4', ['\\Flagged'], { uid: true })).toBe(true);
    });
    const again = await migrateCommand();
    expect(again.code, describeRun(again)).toBe(0);
    expect(parseReport(again.stdout).accounts[0]!.messagesCopied).toBe(0);
    const inbox = FlagsReportSchema.parse(JSON.parse(again.stdout)).accounts[0]!.folders.find((f) => f.source === 'INBOX');
    expect(inbox?.flagsUpdated, again.stdout).toBe(1);
    expect(await flagsOf(target, bob, 'INBOX')).toEqual([[], ['\\Seen'], ['\\Seen'], ['\\Flagged']]);
    const copies = await withImap(target, bob, async (client) => {
      await client.mailboxOpen('INBOX', { readOnly: true });
      return ((await client.search({ all: true }, { uid: true })) || []).filter((u) => u > lastCopy).length;
    });
    expect(copies).toBe(1);
  });
});
