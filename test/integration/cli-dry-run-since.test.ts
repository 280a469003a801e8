import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCliInProcess, scratchDir, serverUrl } from '../support/cli-runner';
import { textMessage } from '../support/corpus';
import { startAnsweringProxy } from '../support/answering-proxy';

/**
 * `migrate --dry-run --since` says how many messages the copy with that --since takes, per
 * folder, not each folder's whole count: checked against the internal dates and against the
 * copy that follows, on each source server kind (SEARCH SINCE compares dates in the server's
 * own time zone, so the edges of the day are where servers could differ).
 */
const alice: MailUser = { user: 'alice@old.example.com', password: 'Dry-since-src-pw-7Ty' };
const SINCE = '2023-01-01';
const SINCE_MS = Date.UTC(2023, 0, 1);

const DATES = {
  INBOX: ['2022-06-01T10:00:00Z', '2022-12-31T16:30:00Z', '2022-12-31T23:59:59Z', '2023-01-01T00:00:00Z', '2023-01-01T00:00:01Z', '2023-01-01T20:00:00Z', '2024-05-01T08:00:00Z'],
  Work: ['2021-03-01T00:00:00Z', '2022-12-31T23:00:00Z', '2023-01-02T00:00:00Z', '2025-02-03T04:05:06Z'],
  Old: ['2020-01-01T00:00:00Z', '2022-12-31T12:00:00Z'],
} as const;

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('migrate --dry-run --since counts what the copy takes: $name source', ({ config }) => {
  let src: AnyMailServer;
  let tgt: DovecotServer;
  const bob: MailUser = { user: `bob-${config.kind}@new.example.com`, password: 'Dry-since-tgt-pw-3Qx' };
  const scratch = scratchDir(`dry-since-${config.kind}`);
  const folders = (): Record<keyof typeof DATES, string> => ({ INBOX: 'INBOX', Work: folderPath(src, 'Work'), Old: folderPath(src, 'Old') });

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startConfig(config, { name: `dry-since-${config.kind}`, users: [alice] }), startDovecot({ name: `dry-since-tgt-${config.kind}`, users: [bob] })]);
    for (const [key, dates] of Object.entries(DATES) as Array<[keyof typeof DATES, readonly string[]]>) {
      await seedFolder(src, alice, folders()[key], dates.map((iso, i) => ({ raw: textMessage({ id: `${key}-${i}`, subject: `${key} ${iso}`, date: new Date(iso) }), flags: ['\\Seen'], internalDate: new Date(iso) })));
    }
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const args = (extra: string[]) => [
    '--source', serverUrl(src as DovecotServer, { user: alice.user }), '--source-password-env', 'SRC_PW',
    '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--since', SINCE, '--json', ...extra,
  ];
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };

  it('per folder, the messages on or after the day (UTC), as many as the copy then takes; the target untouched by the dry run', async () => {
    const targetBefore = await snapshotMailbox(tgt, bob);
    const dry = await runCliInProcess(args(['--dry-run']), { env });
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(leakedSecrets(dry, [alice.password, bob.password])).toEqual([]);
    const planned = parseReport(dry.stdout).accounts[0]!;
    expect(await snapshotMailbox(tgt, bob)).toEqual(targetBefore);

    const copy = await runCliInProcess(args([]), { env });
    expect(copy.code, describeRun(copy)).toBe(0);
    const copied = parseReport(copy.stdout).accounts[0]!;
    for (const [key, dates] of Object.entries(DATES) as Array<[keyof typeof DATES, readonly string[]]>) {
      const folder = folders()[key];
      const expected = dates.filter((iso) => Date.parse(iso) >= SINCE_MS).length;
      const dryFolder = planned.folders.find((f) => f.source === folder);
      const copyFolder = copied.folders.find((f) => f.source === folder);
      expect(dryFolder?.total, `${folder} in the dry run`).toBe(expected);
      // The whole folder count, before: the dry run must not say more than the copy does.
      expect(copyFolder?.copied, `${folder} copied`).toBe(expected);
      expect(await readFolder(tgt, bob, copyFolder!.target), copyFolder!.target).toHaveLength(expected);
    }
    // The human lines say the same figures.
    expect(dry.stderr).toContain(`INBOX -> INBOX: ${DATES.INBOX.filter((iso) => Date.parse(iso) >= SINCE_MS).length} messages`);
  });
});

describe('migrate --dry-run --since on a server that refuses SEARCH', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  const bob: MailUser = { user: 'bob-nosearch@new.example.com', password: 'Dry-since-tgt-pw-9Wz' };
  const scratch = scratchDir('dry-since-nosearch');
  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'dry-since-nosearch-src', users: [alice] }), startDovecot({ name: 'dry-since-nosearch-tgt', users: [bob] })]);
    await seedFolder(src, alice, 'INBOX', DATES.INBOX.map((iso, i) => ({ raw: textMessage({ id: `ns-${i}`, subject: iso, date: new Date(iso) }), flags: [], internalDate: new Date(iso) })));
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  it("reads the dates instead (imapflow's search answers false): the count is still the copy's", async () => {
    const proxy = await startAnsweringProxy(src.imapPort, (c) => (/^UID SEARCH /i.test(c.line.slice(c.tag.length + 1)) ? { reply: "NO [CANNOT] Searching is disabled here" } : undefined));
    try {
      const r = await runCliInProcess(
        ['--source', `imap://${encodeURIComponent(alice.user)}@127.0.0.1:${proxy.port}`, '--source-password-env', 'SRC_PW', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'TGT_PW', '--allow-plaintext', '--state-dir', scratch.path('state'), '--since', SINCE, '--dry-run', '--json'],
        { env: { SRC_PW: alice.password, TGT_PW: bob.password } },
      );
      expect(r.code, describeRun(r)).toBe(0);
      expect(proxy.answered()).toBeGreaterThan(0);
      expect(parseReport(r.stdout).accounts[0]!.folders.find((f) => f.source === 'INBOX')?.total).toBe(DATES.INBOX.filter((iso) => Date.parse(iso) >= SINCE_MS).length);
    } finally {
      await proxy.close();
    }
  });
});
