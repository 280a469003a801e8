import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { SERVER_CONFIGS, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

/**
 * `migrate` run again for an account with the other --mode and the same state dir: the state
 * counts every message as copied whichever folder it went to, so the second run copied nothing,
 * said "already there", and left the other layout's folders empty on the target. The run is now
 * refused before anything happens on the target (exit 1, CONFIG_INVALID with the facts of both
 * layouts in the --json report), the same mode still goes on, and a state file of a version that
 * recorded no layout goes on as before and records the layout of its first run; `verify --fix`
 * given the other mode checks the recorded folders and copies nothing. Real servers:
 * a Dovecot source, a Dovecot and a Cyrus target (Cyrus: '.' separator and INBOX. prefix, so the
 * unified folder's name is the address with look-alike dots).
 */
const TARGETS = [SERVER_CONFIGS.dovecot, SERVER_CONFIGS.cyrus, SERVER_CONFIGS.courier];
const CASES = ['m2u', 'u2m', 'legacy'] as const;
const sourceOf = (c: string, kind: string): MailUser => ({ user: `${c}-${kind}@old.example.com`, password: `Mode-src-${c}-pw-4Rk` });
const targetOf = (c: string): MailUser => ({ user: `${c}@new.example.com`, password: `Mode-tgt-${c}-pw-8Vd` });

describe.each(TARGETS.map((config) => ({ config, name: config.describe })))('migrate with another --mode than the earlier runs: $name target', ({ config }) => {
  let src: DovecotServer;
  let tgt: AnyMailServer;
  const scratch = scratchDir(`mode-change-${config.kind}`);
  const sources = CASES.map((c) => sourceOf(c, config.kind));
  const targets = CASES.map((c) => targetOf(c));
  const secrets = [...sources, ...targets].map((u) => u.password);
  const before = new Map<string, MailboxSnapshot>();

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: `mode-change-src-${config.kind}`, users: sources }),
      startConfig(config, { name: `mode-change-tgt-${config.kind}`, users: targets }),
    ]);
    for (const [i, u] of sources.entries()) {
      await seedFolder(src, u, 'INBOX', bulkMessages(2, 300 + i, { prefix: `in-${i}` }));
      await seedFolder(src, u, 'Work', bulkMessages(1, 400 + i, { prefix: `work-${i}` }));
      before.set(u.user, await snapshotMailbox(src, u));
    }
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const run = async (c: (typeof CASES)[number], mode: 'mapped' | 'unified', extra: string[] = [], spawn = false, command: 'migrate' | 'verify' = 'migrate'): Promise<CliResult> => {
    const s = sources[CASES.indexOf(c)]!;
    const t = targets[CASES.indexOf(c)]!;
    const args = [
      '--source', serverUrl(src, { user: s.user }), '--source-password-env', 'SRC_PW',
      '--target', serverUrl(tgt as DovecotServer, { user: t.user }), '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path(c), '--mode', mode, '--json', ...extra,
    ];
    const env = { SRC_PW: s.password, TGT_PW: t.password };
    const r = spawn ? await runCli(args, { env, command }) : await runCliInProcess(args, { env, command });
    expect(leakedSecrets(r, secrets), describeRun(r)).toEqual([]);
    return r;
  };
  const folderNames = async (c: (typeof CASES)[number]): Promise<string[]> => (await listFolders(tgt, targets[CASES.indexOf(c)]!)).map((f) => f.path).sort();
  /** The target folder of each source folder, as the report names it, with how many messages it holds now. */
  const held = async (c: (typeof CASES)[number], report: CliResult): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const f of parseReport(report.stdout).accounts[0]!.folders) out[f.target] = (await readFolder(tgt, targets[CASES.indexOf(c)]!, f.target)).length;
    return out;
  };
  /** The refusal as the --json report carries it. */
  const refusal = (r: CliResult) => {
    const doc = JSON.parse(r.stdout) as { accounts: Array<{ status: string; messagesCopied: number; folders: unknown[]; error: { code: string; message: string; facts?: unknown } | null }> };
    return doc.accounts[0]!;
  };
  const unifiedFacts = (c: (typeof CASES)[number]) => ({ mode: 'unified', folder: sources[CASES.indexOf(c)]!.user });
  /** A run in the account's own mode after the refusal: nothing copied twice, the target's folders and counts as before, the source unchanged. */
  const expectSameModeGoesOn = async (c: (typeof CASES)[number], mode: 'mapped' | 'unified', folders: string[], placed: Record<string, number>): Promise<void> => {
    const again = await run(c, mode);
    expect(again.code, describeRun(again)).toBe(0);
    const report = parseReport(again.stdout).accounts[0]!;
    expect([report.status, report.messagesCopied, report.messagesAlreadyPresent]).toEqual(['done', 0, 3]);
    expect(await folderNames(c)).toEqual(folders);
    expect(await held(c, again)).toEqual(placed);
    const source = sources[CASES.indexOf(c)]!;
    expect(await snapshotMailbox(src, source)).toEqual(before.get(source.user));
  };

  it('mapped, then unified: refused before anything on the target (exit 1, both modes named); mapped again copies nothing twice', async () => {
    const first = await run('m2u', 'mapped');
    expect(first.code, describeRun(first)).toBe(0);
    expect(parseReport(first.stdout).accounts[0]!.messagesCopied).toBe(3);
    const placed = await held('m2u', first);
    expect(Object.values(placed).filter((n) => n > 0).sort()).toEqual([1, 2]);
    const folders = await folderNames('m2u');

    // The real process, for its exit status.
    const other = await run('m2u', 'unified', [], true);
    expect(other.code, describeRun(other)).toBe(1);
    const refused = refusal(other);
    expect(refused.status).toBe('failed');
    expect(refused.messagesCopied).toBe(0);
    expect(refused.error?.code).toBe('CONFIG_INVALID');
    expect(refused.error?.message).toContain('copied 3 messages in --mode mapped');
    expect(refused.error?.message).toContain('this run asks for --mode unified');
    expect(refused.error?.message).toContain('Run again with --mode mapped');
    expect(refused.error?.message).toContain('new --state-dir');
    expect(refused.error?.facts).toEqual({ kind: 'layout-changed', recorded: { mode: 'mapped' }, requested: unifiedFacts('m2u') });
    expect(other.stderr).toContain('[CONFIG_INVALID]');
    // No unified tree: the target's folders and their mail as the first run left them.
    expect(await folderNames('m2u')).toEqual(folders);
    expect(await held('m2u', first)).toEqual(placed);

    // A dry run in the other mode says the same, and records nothing.
    const dry = await run('m2u', 'unified', ['--dry-run']);
    expect(dry.code, describeRun(dry)).toBe(1);
    expect(refusal(dry).error?.facts).toEqual({ kind: 'layout-changed', recorded: { mode: 'mapped' }, requested: unifiedFacts('m2u') });

    // verify (--fix too) given the other mode checks the folders the copies were recorded in,
    // so it finds nothing missing and copies nothing a second time.
    const fix = await run('m2u', 'unified', ['--fix'], false, 'verify');
    expect(fix.code, describeRun(fix)).toBe(0);
    const checked = JSON.parse(fix.stdout) as { accounts: Array<{ status: string; fixed?: number; folders: Array<{ source: string; target: string; matched: number }> }> };
    expect(checked.accounts[0]!.status).toBe('verified');
    expect(checked.accounts[0]!.fixed).toBeUndefined();
    const matched = Object.fromEntries(checked.accounts[0]!.folders.filter((f) => f.matched > 0).map((f) => [f.target, f.matched]));
    expect(matched).toEqual(Object.fromEntries(Object.entries(placed).filter(([, n]) => n > 0)));
    expect(await folderNames('m2u')).toEqual(folders);
    expect(await held('m2u', first)).toEqual(placed);

    await expectSameModeGoesOn('m2u', 'mapped', folders, placed);
  });

  it('unified, then mapped: refused before anything on the target; unified again copies nothing twice', async () => {
    const first = await run('u2m', 'unified');
    expect(first.code, describeRun(first)).toBe(0);
    const firstReport = parseReport(first.stdout).accounts[0]!;
    expect(firstReport.messagesCopied).toBe(3);
    // Everything under the one folder named after the address: INBOX and Work below it.
    const inbox = firstReport.folders.find((f) => f.source === 'INBOX')!.target;
    const root = inbox.slice(0, inbox.lastIndexOf(tgt.separator));
    expect(root).toContain('u2m-');
    expect(firstReport.folders.every((f) => f.target.startsWith(root + tgt.separator))).toBe(true);
    expect(firstReport.folders.find((f) => f.source === 'Work')!.target).toBe(`${root}${tgt.separator}Work`);
    const placed = await held('u2m', first);
    const folders = await folderNames('u2m');

    const other = await run('u2m', 'mapped');
    expect(other.code, describeRun(other)).toBe(1);
    const refused = refusal(other);
    expect([refused.status, refused.messagesCopied, refused.error?.code]).toEqual(['failed', 0, 'CONFIG_INVALID']);
    expect(refused.error?.message).toContain('in --mode unified (all under the folder "u2m-');
    expect(refused.error?.message).toContain('this run asks for --mode mapped');
    expect(refused.error?.facts).toEqual({ kind: 'layout-changed', recorded: unifiedFacts('u2m'), requested: { mode: 'mapped' } });
    // No mapped tree (no Work at the top), and the target's INBOX as empty as before.
    expect(await folderNames('u2m')).toEqual(folders);
    expect(await readFolder(tgt, targets[1]!, 'INBOX')).toHaveLength(0);
    expect(await held('u2m', first)).toEqual(placed);

    await expectSameModeGoesOn('u2m', 'unified', folders, placed);
  });

  it('a state file of a version that recorded no layout goes on as before and records the layout of its first run', async () => {
    const first = await run('legacy', 'mapped');
    expect(first.code, describeRun(first)).toBe(0);
    const placed = await held('legacy', first);
    const folders = await folderNames('legacy');
    // What an earlier version wrote: the same tables but the one of the recorded layouts.
    const db = new Database(join(scratch.path('legacy'), 'mailmover.sqlite'));
    try {
      db.exec('DROP TABLE account_layouts');
    } finally {
      db.close();
    }

    const upgraded = await run('legacy', 'mapped');
    expect(upgraded.code, describeRun(upgraded)).toBe(0);
    const report = parseReport(upgraded.stdout).accounts[0]!;
    expect([report.status, report.messagesCopied, report.messagesAlreadyPresent]).toEqual(['done', 0, 3]);
    expect(await folderNames('legacy')).toEqual(folders);
    expect(await held('legacy', upgraded)).toEqual(placed);

    // That run recorded its layout: another mode is refused from now on, the target untouched.
    const other = await run('legacy', 'unified');
    expect(other.code, describeRun(other)).toBe(1);
    expect(refusal(other).error?.facts).toEqual({ kind: 'layout-changed', recorded: { mode: 'mapped' }, requested: unifiedFacts('legacy') });
    expect(await folderNames('legacy')).toEqual(folders);
  });
});
