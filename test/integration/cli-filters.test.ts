import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCliInProcess, scratchDir, serverUrl, type CliAccount, type CliResult } from '../support/cli-runner';
import { bigMessage, bulkMessages, textMessage } from '../support/corpus';
import { identities, identity } from '../support/engine-fixtures';

/**
 * What gets copied where: --mode unified, --since, --include-folder / --exclude-folder (both
 * repeatable), and the effect of --concurrency and --batch-messages on the target's
 * connections and APPEND commands (read from the target Dovecot's command log). The CLI runs in
 * this process (runCliInProcess): what is tested is what the options do to the copy; the CLI
 * as a process of its own is cli-basic's and cli-resume's subject.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Filters-src-pw-Pq5Rs7' };
const tgtUser = (name: string): DovecotUser => ({ user: `${name}@new.example.com`, password: `${name}-Filters-pw-Xc4Vb9` });
const unified = tgtUser('unified');
const since = tgtUser('since');
const globs = tgtUser('globs');
const conc1 = tgtUser('conc1');
const conc3 = tgtUser('conc3');
const batch = tgtUser('batch');
const nomatch = tgtUser('nomatch');
const TARGETS = [unified, since, globs, conc1, conc3, batch, nomatch];
/** a second source account with one message too big for the small target */
const zoe: DovecotUser = { user: 'zoe@old.example.com', password: 'Filters-zoe-pw-Hj2Kl3' };
const small = tgtUser('small');
const SECRETS = [alice, zoe, small, ...TARGETS].map((u) => u.password);

const SINCE = '2023-01-01';
const SINCE_MS = Date.UTC(2023, 0, 1);

describe('cli migrate: mode, filters, concurrency, batch size', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  /** refuses messages over 50 kB */
  let smallTgt: DovecotServer;
  const scratch = scratchDir('filters');
  let before: MailboxSnapshot;

  async function cli(user: DovecotUser, extra: string[]): Promise<{ r: CliResult; a: CliAccount }> {
    const r = await runCliInProcess(
      [
        '--source', serverUrl(src, { user: alice.user }), '--source-password-env', 'SRC_PW',
        '--target', serverUrl(tgt, { user: user.user }), '--target-password-env', 'TGT_PW',
        '--allow-plaintext', '--state-dir', scratch.path(`state-${user.user}`), '--json', ...extra,
      ],
      { env: { SRC_PW: alice.password, TGT_PW: user.password } },
    );
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(1);
    const a = report.accounts[0]!;
    expect(a.status).toBe('done');
    return { r, a };
  }

  /** Log lines of the target Dovecot for one user (logins and finished commands). */
  function targetLog(user: DovecotUser): string[] {
    return readFileSync(tgt.logPath, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`user=<${user.user}>`) || l.includes(`imap(${user.user})`));
  }

  beforeAll(async () => {
    [src, tgt, smallTgt] = await Promise.all([
      startDovecot({ name: 'cli-filters-src', users: [alice, zoe] }),
      // Every finished IMAP command is logged, so APPENDs and logins can be counted.
      startDovecot({ name: 'cli-filters-tgt', users: TARGETS, extraConfig: 'log_debug = event=imap_command_finished' }),
      startDovecot({ name: 'cli-filters-small', users: [small], maxMailSize: 50_000 }),
    ]);
    const edge = (iso: string, id: string) => ({ raw: textMessage({ id, subject: id, date: new Date(iso) }), flags: ['\\Seen'], internalDate: new Date(iso) });
    await seedFolder(src, alice, 'INBOX', [...bulkMessages(40, 51), edge('2023-01-01T00:00:00Z', 'on-the-day'), edge('2022-12-31T23:59:59Z', 'a-second-before')]);
    await seedFolder(src, alice, 'Sent', bulkMessages(10, 52, { prefix: 'sent' }));
    await seedFolder(src, alice, 'Work/2024', bulkMessages(8, 53, { prefix: 'w24' }));
    await seedFolder(src, alice, 'Work/2025', bulkMessages(6, 54, { prefix: 'w25' }));
    await seedFolder(src, alice, 'Personal', bulkMessages(5, 55, { prefix: 'pers' }));
    before = await snapshotMailbox(src, alice);
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop(), smallTgt?.stop()]);
    scratch.cleanup();
  });

  it('--mode unified puts every folder, INBOX included, under one folder named after the source address', async () => {
    const { a } = await cli(unified, ['--mode', 'unified']);
    const total = Object.values(before.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(a.messagesCopied).toBe(total);
    const roots = new Set(a.folders.map((f) => f.target.split('/')[0]));
    expect(roots.size).toBe(1);
    const root = [...roots][0]!;
    expect(root).toContain('alice');
    expect(root).not.toBe('INBOX');
    expect(a.folders.map((f) => f.source).sort()).toEqual(Object.keys(before.folders).sort());
    for (const f of a.folders) {
      expect(f.target, f.source).toBe(`${root}/${f.source}`);
      expect(identities(await readFolder(tgt, unified, f.target)), f.source).toEqual(identities(before.folders[f.source]!.messages));
    }
    expect(await readFolder(tgt, unified, 'INBOX')).toHaveLength(0);
    expect(await readFolder(tgt, unified, 'Sent')).toHaveLength(0);
  });

  it('--since copies only messages received on or after that day', async () => {
    const { a } = await cli(since, ['--since', SINCE]);
    let expected = 0;
    for (const [name, f] of Object.entries(before.folders)) {
      const wanted = f.messages.filter((m) => m.internalDate.getTime() >= SINCE_MS);
      expected += wanted.length;
      expect(identities(await readFolder(tgt, since, name)), name).toEqual(identities(wanted));
    }
    // The corpus has messages on both sides of the date, and the two edge cases sit right at it.
    const all = Object.values(before.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(expected).toBeGreaterThan(10);
    expect(expected).toBeLessThan(all - 10);
    expect(a.messagesCopied).toBe(expected);
    const inbox = (await readFolder(tgt, since, 'INBOX')).map((m) => m.internalDate.toISOString());
    expect(inbox).toContain('2023-01-01T00:00:00.000Z');
    expect(inbox).not.toContain('2022-12-31T23:59:59.000Z');
  });

  it('--include-folder and --exclude-folder are globs, both repeatable; exclude wins', async () => {
    const { a } = await cli(globs, [
      '--include-folder', 'INBOX', '--include-folder', 'Work/**', '--include-folder', 'Personal',
      '--exclude-folder', 'Work/2025', '--exclude-folder', 'Personal',
    ]);
    expect(a.folders.map((f) => f.source).sort()).toEqual(['INBOX', 'Work', 'Work/2024']);
    expect(a.messagesCopied).toBe(before.folders.INBOX!.messages.length + before.folders['Work/2024']!.messages.length);
    expect(identities(await readFolder(tgt, globs, 'INBOX'))).toEqual(identities(before.folders.INBOX!.messages));
    expect(identities(await readFolder(tgt, globs, 'Work/2024'))).toEqual(identities(before.folders['Work/2024']!.messages));
    const paths = (await listFolders(tgt, globs)).map((f) => f.path);
    expect(paths).not.toContain('Work/2025');
    expect(paths).not.toContain('Personal');
    expect(await readFolder(tgt, globs, 'Sent')).toHaveLength(0);
  });

  it('an --include-folder that matches no folder is a warning naming it and the folders there are', async () => {
    const { r, a } = await cli(nomatch, ['--include-folder', 'INBOX', '--include-folder', 'Sent Items', '--include-folder', 'Work/2099/**']);
    expect(a.folders.map((f) => f.source)).toEqual(['INBOX']);
    const { warnings } = (JSON.parse(r.stdout) as { accounts: Array<{ warnings: Array<{ code: string; message: string }> }> }).accounts[0]!;
    const notFound = warnings.filter((w) => w.code === 'FOLDER_FILTER_UNMATCHED');
    expect(notFound.map((w) => /"([^"]+)"/.exec(w.message)?.[1])).toEqual(['Sent Items', 'Work/2099/**']);
    for (const w of notFound) {
      expect(w.message).toContain(alice.user);
      for (const name of Object.keys(before.folders)) expect(w.message).toContain(name);
    }
    expect(r.stderr).toContain(`Warning [FOLDER_FILTER_UNMATCHED] ${alice.user}: The folder filter "Sent Items" (include) matches no folder`);
    // The facts let the extension say it in Chinese, with the folders to compare the filter with.
    expect((notFound[0] as unknown as { facts: unknown }).facts).toEqual({ kind: 'filter-unmatched', glob: 'Sent Items', folders: expect.arrayContaining(Object.keys(before.folders)), more: 0 });
    // Filters that match say nothing.
    const { r: quiet } = await cli(nomatch, ['--include-folder', 'INBOX', '--include-folder', 'Work/*', '--dry-run']);
    expect(quiet.stderr).not.toContain('FOLDER_FILTER_UNMATCHED');
  });

  it('--concurrency sets the number of parallel connections', async () => {
    await cli(conc1, ['--concurrency', '1']);
    await cli(conc3, ['--concurrency', '3']);
    const logins = (u: DovecotUser) => targetLog(u).filter((l) => /imap-login: (Info: )?Login: /.test(l)).length;
    // One connection to look around and create folders, plus one per worker.
    expect(logins(conc1)).toBeLessThanOrEqual(2);
    expect(logins(conc3)).toBeGreaterThanOrEqual(3);
    expect(logins(conc3)).toBeGreaterThan(logins(conc1));
    for (const u of [conc1, conc3]) {
      for (const [name, f] of Object.entries(before.folders)) {
        expect(identities(await readFolder(tgt, u, name)), `${name} on ${u.user}`).toEqual(identities(f.messages));
      }
    }
  });

  it('--batch-messages N: each folder goes in APPENDs of at most N messages', async () => {
    const N = 7;
    const { a } = await cli(batch, ['--batch-messages', String(N), '--concurrency', '2']);
    const appends = targetLog(batch).filter((l) => /Command finished: APPEND /.test(l));
    const expected = Object.values(before.folders).reduce((s, f) => s + Math.ceil(f.messages.length / N), 0);
    expect(appends.length).toBe(expected);
    expect(a.messagesCopied).toBe(Object.values(before.folders).reduce((s, f) => s + f.messages.length, 0));
    const onTarget = (await snapshotMailbox(tgt, batch)).folders;
    for (const [name, f] of Object.entries(before.folders)) {
      expect(onTarget[name]!.messages.map(identity).sort(), name).toEqual(identities(f.messages));
    }
  });

  it('a message the target refuses is skipped, listed in the JSON "skipped" array, and the account is still done', async () => {
    const small3 = bulkMessages(3, 56, { prefix: 'zoe' });
    const [bigUid] = await seedFolder(src, zoe, 'Attachments', [{ raw: bigMessage(200_000, 'too-big'), flags: ['\\Seen'], internalDate: new Date('2021-02-05T10:00:00Z') }]);
    await seedFolder(src, zoe, 'Attachments', small3);
    const r = await runCliInProcess(
      [
        '--source', serverUrl(src, { user: zoe.user }), '--source-password-env', 'SRC_PW',
        '--target', serverUrl(smallTgt, { user: small.user }), '--target-password-env', 'TGT_PW',
        '--allow-plaintext', '--state-dir', scratch.path('state-small'), '--json',
      ],
      { env: { SRC_PW: zoe.password, TGT_PW: small.password } },
    );
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a).toMatchObject({ status: 'done', error: null, messagesSkipped: 1, messagesCopied: 3 });
    expect(a.skipped).toHaveLength(1);
    expect(a.skipped[0]).toMatchObject({ folder: 'Attachments', uid: bigUid });
    expect(a.skipped[0]!.reason).toMatch(/MESSAGE_TOO_LARGE|too large/i);
    expect(a.folders.find((f) => f.source === 'Attachments')).toMatchObject({ copied: 3, skipped: 1 });
    const copied = await readFolder(smallTgt, small, 'Attachments');
    expect(identities(copied)).toEqual(identities((await readFolder(src, zoe, 'Attachments')).filter((m) => m.uid !== bigUid)));
  });
});
