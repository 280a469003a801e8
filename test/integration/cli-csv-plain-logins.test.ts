import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, parseReport, scratchDir, secretCheckedCli, serverUrl } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * `./mailmover-bridge migrate --accounts FILE.csv` with plain logins (no '@'), as self-hosted
 * servers with system users take them (Dovecot, Cyrus, Courier) and as `--source imaps://bob@host`
 * takes one: the QA row `bob,bob,SrcPw,TgtPw` was refused as "not a valid email address". Real
 * Dovecot servers on loopback whose users are plain names; every message arrives once, also
 * after a second run, and in unified mode under a folder named after the login. A value with an
 * '@' is still checked as an address, and a file without password columns now gets to the
 * missing password instead of stopping at the address.
 */
const SRC_BOB: DovecotUser = { user: 'bob', password: 'SrcPw-bob-Qe3Lm8' };
const SRC_CAROL: DovecotUser = { user: 'carol.smith', password: 'SrcPw-carol-Vb6Ty1' };
const SRC_DAVE: DovecotUser = { user: 'dave@old.example.com', password: 'SrcPw-dave-Xk2Np7' };
const TGT_BOB: DovecotUser = { user: 'bob', password: 'TgtPw-bob-Hs4Gw9' };
const TGT_CAROL: DovecotUser = { user: 'carol', password: 'TgtPw-carol-Ju5Rz3' };
const TGT_DAVE: DovecotUser = { user: 'dave', password: 'TgtPw-dave-Pc8Md2' };
const TGT_UNIFIED: DovecotUser = { user: 'archive-01', password: 'TgtPw-archive-Ny7Fe4' };
const SOURCES = [SRC_BOB, SRC_CAROL, SRC_DAVE];
const SECRETS = [...SOURCES, TGT_BOB, TGT_CAROL, TGT_DAVE, TGT_UNIFIED].map((u) => u.password);

function csv(rows: string[][]): string {
  return rows.map((r) => r.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\r\n') + '\r\n';
}

describe('cli migrate --accounts with plain logins (Dovecot system users)', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  const scratch = scratchDir('csv-plain-logins');
  const before = new Map<string, MailboxSnapshot>();
  const hosts = () => ['--source', serverUrl(src), '--target', serverUrl(tgt), '--allow-plaintext'];

  const { cli, usage } = secretCheckedCli(SECRETS);

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'csv-plain-src', users: SOURCES }),
      startDovecot({ name: 'csv-plain-tgt', users: [TGT_BOB, TGT_CAROL, TGT_DAVE, TGT_UNIFIED] }),
    ]);
    await Promise.all([
      seedFolder(src, SRC_BOB, 'INBOX', bulkMessages(12, 61, { prefix: 'bob' })).then(() => seedFolder(src, SRC_BOB, 'Projects/2024', bulkMessages(5, 62, { prefix: 'bobp' }))),
      seedFolder(src, SRC_CAROL, 'INBOX', bulkMessages(9, 63, { prefix: 'carol' })).then(() => seedFolder(src, SRC_CAROL, 'Sent', bulkMessages(4, 64, { prefix: 'carols' }))),
      seedFolder(src, SRC_DAVE, 'INBOX', bulkMessages(7, 65, { prefix: 'dave' })),
    ]);
    for (const u of SOURCES) before.set(u.user, await snapshotMailbox(src, u));
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const totalOf = (u: DovecotUser) => Object.values(before.get(u.user)!.folders).reduce((s, f) => s + f.messages.length, 0);

  /** Each source folder's messages, once each (a multiset: a duplicate counts), in `name(folder)` on the target. */
  async function expectEachOnce(from: DovecotUser, to: DovecotUser, name: (folder: string) => string = (f) => f): Promise<void> {
    for (const [folder, f] of Object.entries(before.get(from.user)!.folders)) {
      expect(identities(await readFolder(tgt, to, name(folder))), `${from.user} ${folder} -> ${to.user} ${name(folder)}`).toEqual(identities(f.messages));
    }
  }

  it('rows of plain logins (and one address onto a login) migrate every message once; a second run copies nothing more', async () => {
    const file = scratch.write(
      'plain.csv',
      csv([
        ['source', 'target', 'source_password', 'target_password'],
        [SRC_BOB.user, TGT_BOB.user, SRC_BOB.password, TGT_BOB.password], // the QA row: bob,bob,SrcPw,TgtPw
        [SRC_CAROL.user, TGT_CAROL.user, SRC_CAROL.password, TGT_CAROL.password],
        [SRC_DAVE.user, TGT_DAVE.user, SRC_DAVE.password, TGT_DAVE.password],
      ]),
    );
    const args = [...hosts(), '--accounts', file, '--state-dir', scratch.path('st-plain'), '--json'];
    const r = await cli(args);
    expect(r.code, describeRun(r)).toBe(0);
    expect(parseReport(r.stdout).accounts.map((a) => [a.source, a.target, a.status, a.error, a.messagesCopied])).toEqual([
      [SRC_BOB.user, TGT_BOB.user, 'done', null, totalOf(SRC_BOB)],
      [SRC_CAROL.user, TGT_CAROL.user, 'done', null, totalOf(SRC_CAROL)],
      [SRC_DAVE.user, TGT_DAVE.user, 'done', null, totalOf(SRC_DAVE)],
    ]);
    await expectEachOnce(SRC_BOB, TGT_BOB);
    await expectEachOnce(SRC_CAROL, TGT_CAROL);
    await expectEachOnce(SRC_DAVE, TGT_DAVE);

    const again = await cli(args);
    expect(again.code, describeRun(again)).toBe(0);
    expect(parseReport(again.stdout).accounts.map((a) => [a.source, a.status, a.messagesCopied])).toEqual(SOURCES.map((u) => [u.user, 'done', 0]));
    await expectEachOnce(SRC_BOB, TGT_BOB);
    await expectEachOnce(SRC_CAROL, TGT_CAROL);
    await expectEachOnce(SRC_DAVE, TGT_DAVE);
  });

  it('unified mode names the folder after the plain login: bob/INBOX, bob/Projects/2024, each message once', async () => {
    const file = scratch.write('unified.csv', csv([['source', 'target', 'source_password', 'target_password'], [SRC_BOB.user, TGT_UNIFIED.user, SRC_BOB.password, TGT_UNIFIED.password]]));
    const r = await cli([...hosts(), '--accounts', file, '--mode', 'unified', '--state-dir', scratch.path('st-unified'), '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    expect(parseReport(r.stdout).accounts.map((a) => [a.source, a.status, a.messagesCopied])).toEqual([[SRC_BOB.user, 'done', totalOf(SRC_BOB)]]);
    const paths = (await listFolders(tgt, TGT_UNIFIED)).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['bob/INBOX', 'bob/Projects/2024']));
    await expectEachOnce(SRC_BOB, TGT_UNIFIED, (folder) => `bob/${folder}`);
  });

  it("a typo with '@' is still refused (exit 2, nothing started); without password columns the missing password is named", async () => {
    const typo = scratch.write('typo.csv', csv([['source', 'target', 'source_password', 'target_password'], [SRC_BOB.user, TGT_BOB.user, SRC_BOB.password, TGT_BOB.password], ['carol@corp', TGT_CAROL.user, SRC_CAROL.password, TGT_CAROL.password]]));
    const bad = await usage([...hosts(), '--accounts', typo, '--state-dir', scratch.path('st-typo')]);
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toContain('line 3: The "source" value is not a valid email address (expected name@domain).');
    expect(bad.stderr).not.toMatch(/line 2\b/);
    expect(bad.stdout).toBe('');

    // The QA file's other half: a header of source,target only. The rows are read; the password is what is missing.
    const noPw = scratch.write('no-passwords.csv', csv([['source', 'target'], [SRC_BOB.user, TGT_BOB.user]]));
    const missing = await usage([...hosts(), '--accounts', noPw, '--state-dir', scratch.path('st-nopw')]);
    expect(missing.code, describeRun(missing)).toBe(2);
    expect(missing.stderr).not.toContain('not a valid email address');
    expect(missing.stderr).toMatch(/line 2: no source password for bob; give --source-password-env NAME or --source-password-file FILE, a source_password \(待搬家账号密码\) column/);
  });
});
