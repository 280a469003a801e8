import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePorts } from '../harness/free-port';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, parseReport, scratchDir, secretCheckedCli, serverUrl } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * `migrate --accounts FILE.csv`: a batch of accounts from a CSV file, English headers (UTF-8 with
 * BOM) or the Chinese headers of the 搬家 import template (GBK as Excel writes it, and UTF-8
 * without BOM); bad rows are reported by line number and nothing is migrated; at most 1000 rows.
 */
const srcUser = (n: number): DovecotUser => ({ user: `user${n}@old.example.com`, password: `Src${n}-pw,Kq8${n}Zt "quoted"` });
const tgtUser = (n: number): DovecotUser => ({ user: `user${n}@new.example.com`, password: `Tgt${n}-pw-Lw5${n}Yv` });
const SOURCES = [1, 2, 3].map(srcUser);
const TARGETS = [1, 2, 3, 4, 5, 6, 7, 8].map(tgtUser);
const TGT_ADMIN: DovecotUser = { user: 'admin', password: 'Batch-admin-pw-Rr7Nn2' };
const WRONG_PW = 'Wrong-src-pw-Hh4Dd6';
const SECRETS = [...SOURCES, ...TARGETS, TGT_ADMIN].map((u) => u.password).concat(WRONG_PW);

/** A CSV cell, quoted when it must be. */
function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
function csv(rows: string[][]): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

describe('cli migrate --accounts', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  const scratch = scratchDir('batch');
  const before = new Map<string, MailboxSnapshot>();

  const { cli, usage } = secretCheckedCli(SECRETS);
  const hosts = () => ['--source', serverUrl(src), '--target', serverUrl(tgt), '--allow-plaintext'];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'cli-batch-src', users: SOURCES }),
      startDovecot({ name: 'cli-batch-tgt', users: TARGETS, master: TGT_ADMIN }),
    ]);
    await Promise.all([
      seedFolder(src, SOURCES[0]!, 'INBOX', bulkMessages(15, 31, { prefix: 'u1' })).then(() => seedFolder(src, SOURCES[0]!, 'Sent', bulkMessages(5, 32, { prefix: 'u1s' }))),
      seedFolder(src, SOURCES[1]!, 'INBOX', bulkMessages(20, 33, { prefix: 'u2' })),
      seedFolder(src, SOURCES[2]!, 'INBOX', bulkMessages(4, 34, { prefix: 'u3' })).then(() => seedFolder(src, SOURCES[2]!, '客户/2024', bulkMessages(9, 35, { prefix: 'u3k' }))),
    ]);
    for (const u of SOURCES) before.set(u.user, await snapshotMailbox(src, u));
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const totalOf = (u: DovecotUser) => Object.values(before.get(u.user)!.folders).reduce((s, f) => s + f.messages.length, 0);

  async function expectMigrated(from: DovecotUser, to: DovecotUser): Promise<void> {
    for (const [name, f] of Object.entries(before.get(from.user)!.folders)) {
      expect(identities(await readFolder(tgt, to, name)), `${from.user} ${name} -> ${to.user}`).toEqual(identities(f.messages));
    }
  }

  it('English headers, UTF-8 with BOM, per-row passwords (one with a comma and quotes): three accounts done, exit 0', async () => {
    const file = scratch.write(
      'accounts-en.csv',
      '\ufeff' +
        csv([
          ['source', 'target', 'source_password', 'target_password'],
          ...[0, 1, 2].map((i) => [SOURCES[i]!.user, TARGETS[i]!.user, SOURCES[i]!.password, TARGETS[i]!.password]),
        ]),
    );
    const r = await cli([...hosts(), '--accounts', file, '--state-dir', scratch.path('st-en'), '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts.map((a) => [a.source, a.target, a.status, a.error, a.messagesCopied])).toEqual(
      [0, 1, 2].map((i) => [SOURCES[i]!.user, TARGETS[i]!.user, 'done', null, totalOf(SOURCES[i]!)]),
    );
    for (const i of [0, 1, 2]) await expectMigrated(SOURCES[i]!, TARGETS[i]!);
  });

  it('Chinese headers in GBK, target via admin user; a wrong password on one row: exit 1, two done, one AUTH_FAILED naming it', async () => {
    const rows = [
      ['待搬家账号', '待搬家账号密码', '搬家账号', '备注'],
      [SOURCES[0]!.user, SOURCES[0]!.password, TARGETS[3]!.user, '销售部 张三'],
      [SOURCES[1]!.user, WRONG_PW, TARGETS[4]!.user, '财务部 李四'],
      [SOURCES[2]!.user, SOURCES[2]!.password, TARGETS[5]!.user, '技术部 王五'],
    ];
    const bytes = iconv.encode(csv(rows), 'gbk');
    // Really GBK: not valid UTF-8, and the Chinese header survives only a GBK decode.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const file = scratch.write('accounts-gbk.csv', bytes);
    const r = await cli([...hosts(), '--accounts', file, '--target-auth-user', TGT_ADMIN.user, '--target-password-env', 'TGT_ADMIN_PW', '--state-dir', scratch.path('st-gbk'), '--json'], {
      TGT_ADMIN_PW: TGT_ADMIN.password,
    });
    expect(r.code, describeRun(r)).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.accounts.map((a) => [a.source, a.target, a.status])).toEqual([
      [SOURCES[0]!.user, TARGETS[3]!.user, 'done'],
      [SOURCES[1]!.user, TARGETS[4]!.user, 'failed'],
      [SOURCES[2]!.user, TARGETS[5]!.user, 'done'],
    ]);
    const failed = report.accounts[1]!;
    expect(failed.error?.code).toBe('AUTH_FAILED');
    expect(failed.error?.message).toContain(SOURCES[1]!.user);
    expect(failed.messagesCopied).toBe(0);
    expect(r.stderr).toContain(SOURCES[1]!.user);
    expect(report.accounts[0]!.messagesCopied).toBe(totalOf(SOURCES[0]!));
    expect(report.accounts[2]!.messagesCopied).toBe(totalOf(SOURCES[2]!));
    await expectMigrated(SOURCES[0]!, TARGETS[3]!);
    await expectMigrated(SOURCES[2]!, TARGETS[5]!);
    expect(await readFolder(tgt, TARGETS[4]!, 'INBOX')).toHaveLength(0);
  });

  it('bad rows (UTF-8 without BOM, Chinese headers) are listed by line number on stderr: exit 2, nothing migrated', async () => {
    const t7 = TARGETS[6]!;
    const t8 = TARGETS[7]!;
    const foldersBefore = await Promise.all([listFolders(tgt, t7), listFolders(tgt, t8)]);
    const snapBefore = await Promise.all([snapshotMailbox(tgt, t7), snapshotMailbox(tgt, t8)]);
    const text = [
      '待搬家账号,搬家账号,待搬家账号密码', // line 1
      `${SOURCES[0]!.user},${t7.user},${cell(SOURCES[0]!.password)}`, // line 2: fine
      `not-an-address@,${t8.user},${cell(SOURCES[1]!.password)}`, // line 3: bad source address
      `${SOURCES[2]!.user},${t8.user},${cell(SOURCES[2]!.password)}`, // line 4: fine
      `${SOURCES[1]!.user},${cell(SOURCES[1]!.password)}`, // line 5: a column short
      '',
    ].join('\n');
    const file = scratch.write('accounts-bad.csv', Buffer.from(text, 'utf8'));
    const r = await usage([...hosts(), '--accounts', file, '--target-auth-user', TGT_ADMIN.user, '--target-password-env', 'TGT_ADMIN_PW', '--state-dir', scratch.path('st-bad')], {
      TGT_ADMIN_PW: TGT_ADMIN.password,
    });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--accounts/);
    expect(r.stderr).toMatch(/line 3\b/);
    expect(r.stderr).toMatch(/line 5\b/);
    expect(r.stderr).not.toMatch(/line [124]\b/);
    expect(r.stdout).toBe('');
    expect(await Promise.all([listFolders(tgt, t7), listFolders(tgt, t8)])).toEqual(foldersBefore);
    expect(await Promise.all([snapshotMailbox(tgt, t7), snapshotMailbox(tgt, t8)])).toEqual(snapBefore);
  });

  it('users in --source/--target with --accounts are refused (the URLs give host and port only)', async () => {
    const file = scratch.write('accounts-one.csv', csv([['source', 'target', 'source_password', 'target_password'], [SOURCES[0]!.user, TARGETS[6]!.user, SOURCES[0]!.password, TARGETS[6]!.password]]));
    const r = await usage(['--source', serverUrl(src, { user: SOURCES[0]!.user }), '--target', serverUrl(tgt), '--allow-plaintext', '--accounts', file, '--state-dir', scratch.path('st-url-user'), '--dry-run']);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--accounts|--source/);
  });

  it('a batch whose target server cannot be reached says so once, starts no account and retries none: exit 1', async () => {
    const [deadTgt] = await getFreePorts(1);
    const file = scratch.write('accounts-dead-target.csv', csv([['source', 'target', 'source_password', 'target_password'], ...[0, 1, 2].map((i) => [SOURCES[i]!.user, TARGETS[i]!.user, SOURCES[i]!.password, TARGETS[i]!.password])]));
    const r = await cli(['--source', serverUrl(src), '--target', `imap://127.0.0.1:${deadTgt}`, '--allow-plaintext', '--accounts', file, '--state-dir', scratch.path('st-dead'), '--json']);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toContain(`Cannot reach the target server 127.0.0.1:${deadTgt} (ECONNREFUSED): its 3 account(s) are not started.`);
    // Before, each account logged in to the source and retried the target 4 times (about 15 s each).
    expect(r.stderr).not.toMatch(/^Retry /m);
    const report = parseReport(r.stdout);
    expect(report.accounts.map((a) => [a.source, a.status, a.error?.code, a.messagesCopied])).toEqual([0, 1, 2].map((i) => [SOURCES[i]!.user, 'failed', 'CONNECT_FAILED', 0]));
    expect(report.accounts[0]!.error?.message).toMatch(new RegExp(`^The target server 127\\.0\\.0\\.1:${deadTgt} cannot be reached \\(ECONNREFUSED\\), so no account on it was started\\. .*run the same command again\\.$`));
  });

  it('1001 account rows are refused (exit 2, the first row over the limit named); 1000 are accepted', async () => {
    const rows = (n: number) => [['source', 'target', 'source_password', 'target_password'], ...Array.from({ length: n }, (_, i) => [`bulk${i}@old.example.com`, `bulk${i}@new.example.com`, `pw-${i}`, `pw-${i}`])];
    // Nothing listens on these ports: an account that got as far as connecting fails at once.
    const [deadSrc, deadTgt] = await getFreePorts(2);
    const dead = ['--source', `imap://127.0.0.1:${deadSrc}`, '--target', `imap://127.0.0.1:${deadTgt}`, '--allow-plaintext', '--retries', '1', '--account-concurrency', '32'];
    const [over, limit] = await Promise.all([
      usage([...dead, '--accounts', scratch.write('accounts-1001.csv', csv(rows(1001))), '--state-dir', scratch.path('st-1001'), '--json']),
      cli([...dead, '--accounts', scratch.write('accounts-1000.csv', csv(rows(1000))), '--state-dir', scratch.path('st-1000'), '--json']),
    ]);
    expect(over.code, describeRun(over)).toBe(2);
    expect(over.stderr).toMatch(/--accounts/);
    expect(over.stderr).toMatch(/line 1002\b/);
    expect(over.stderr).toMatch(/1000/);
    expect(over.stdout).toBe('');
    // 1000 rows pass validation: every account is tried (and fails to connect), exit 1 not 2.
    expect(limit.code, describeRun(limit)).toBe(1);
    const report = parseReport(limit.stdout);
    expect(report.accounts).toHaveLength(1000);
    expect(new Set(report.accounts.map((a) => a.error?.code))).toEqual(new Set(['CONNECT_FAILED']));
  });
});
