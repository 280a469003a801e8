import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ImapFlow } from 'imapflow';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { connectImap, readFolder, seedFolder, snapshotMailbox, type MailboxMessage, type MailboxSnapshot } from '../harness/mailbox';
import { startMailServer, type CyrusServer } from '../harness/servers';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bigMessage, bulkMessages, trickyMessages } from '../support/corpus';

/**
 * `verify` end to end through the CLI process, on real servers: a clean migration verifies,
 * deliberate damage to the target is reported exactly (at metadata depth and with --deep),
 * messages the migration skipped are listed as skipped, --fix copies exactly the missing
 * ones, a Dovecot -> Cyrus migration verifies, and verify changes neither side.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Verify-src-pw-8Hq2' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Verify-bob-pw-3Zt7' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Verify-carol-pw-5Rk1' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Verify-dave-pw-9Wm4' };
const erin: DovecotUser = { user: 'erin@new.example.com', password: 'Verify-erin-pw-2Pj6' };
const SECRETS = [alice, bob, carol, dave, erin].map((u) => u.password);
const env = { SRC_PW: alice.password, BOB_PW: bob.password, CAROL_PW: carol.password, DAVE_PW: dave.password, ERIN_PW: erin.password };

/** The report as the issue specifies it, checked independently of shared/verify.ts. */
const Msg = z.object({ uid: z.number().int(), messageId: z.string().nullable(), subject: z.string().nullable(), date: z.string().nullable(), size: z.number().int() });
const Folder = z.object({
  source: z.string(),
  target: z.string(),
  sourceCount: z.number().int(),
  targetCount: z.number().int(),
  matched: z.number().int(),
  missing: z.array(Msg),
  extra: z.array(Msg),
  changed: z.array(z.object({ uid: z.number().int(), targetUid: z.number().int(), what: z.array(z.enum(['body', 'flags', 'date'])).min(1) })),
  skipped: z.array(Msg.extend({ reason: z.string().min(1) })),
  rewritten: z.array(z.object({ uid: z.number().int(), targetUid: z.number().int(), what: z.string() })),
});
const Account = z.object({
  source: z.string(),
  target: z.string(),
  status: z.enum(['verified', 'differences', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  folders: z.array(Folder),
  totals: z.object({ matched: z.number().int(), missing: z.number().int(), extra: z.number().int(), changed: z.number().int() }),
  fixed: z.number().int().optional(),
});
type Account = z.infer<typeof Account>;
const Report = z.object({ accounts: z.array(Account).length(1) });

function parseVerify(r: CliResult): Account {
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document: ${describeRun(r)}`);
  }
  const a = Report.parse(doc).accounts[0]!;
  // The totals are the folders' lists summed, and every source message is accounted for once.
  const sum = (f: (x: z.infer<typeof Folder>) => number) => a.folders.reduce((s, x) => s + f(x), 0);
  expect(a.totals).toEqual({ matched: sum((f) => f.matched), missing: sum((f) => f.missing.length), extra: sum((f) => f.extra.length), changed: sum((f) => f.changed.length), ...('skipped' in a.totals ? { skipped: sum((f) => f.skipped.length) } : {}) });
  for (const f of a.folders) {
    expect(f.matched + f.changed.length + f.missing.length + f.skipped.length, `${f.source}: source side`).toBe(f.sourceCount);
    expect(f.matched + f.changed.length + f.extra.length, `${f.target}: target side`).toBe(f.targetCount);
  }
  return a;
}

/** The local part of a message's Message-ID: the corpus's ids are `<name@old.example.com>`. */
const messageIdOf = (raw: Buffer) => /^Message-ID:\s*<([^@>]+)@/im.exec(raw.toString('latin1'))?.[1];

async function byMessageId(server: DovecotServer | CyrusServer, user: DovecotUser, folder: string): Promise<Map<string, MailboxMessage>> {
  const out = new Map<string, MailboxMessage>();
  for (const m of await readFolder(server, user, folder, { withRaw: true })) {
    const id = messageIdOf(m.raw!);
    if (id) out.set(id, m);
  }
  return out;
}

/** A read-write session on the target, for damaging it the way a server fault or a person would. */
async function onFolder<T>(server: DovecotServer | CyrusServer, user: DovecotUser, folder: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = await connectImap(server, user);
  try {
    await c.mailboxOpen(folder);
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

/** Replaces target message `m` by `raw`, with the same flags and INTERNALDATE; the new target UID. */
async function replace(server: DovecotServer, user: DovecotUser, folder: string, m: MailboxMessage, raw: Buffer): Promise<number> {
  return onFolder(server, user, folder, async (c) => {
    const res = await c.append(folder, raw, m.flags, m.internalDate);
    await c.messageDelete(String(m.uid), { uid: true });
    if (!res || !res.uid) throw new Error('APPEND returned no UID');
    return res.uid;
  });
}

describe('cli verify', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let cyrus: CyrusServer;
  const scratch = scratchDir('verify');
  let sourceTotal = 0;
  /** Message-ID -> source message, per folder */
  const src: Record<string, Map<string, MailboxMessage>> = {};

  async function cli(command: 'migrate' | 'verify', args: string[]): Promise<CliResult> {
    const r = await runCli(args, { env, command });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  /** The same for a usage error, in this process (see runCliInProcess). */
  async function usage(command: 'migrate' | 'verify', args: string[]): Promise<CliResult> {
    const r = await runCliInProcess(args, { env, command });
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    return r;
  }
  const login = (user: DovecotUser, pwEnv: string, server: { host: string; imapPort: number } = target) => [
    '--source', serverUrl(source, { user: alice.user }), '--source-password-env', 'SRC_PW',
    '--target', `imap://${encodeURIComponent(user.user)}@${server.host}:${server.imapPort}`, '--target-password-env', pwEnv,
    '--allow-plaintext',
  ];
  const state = (name: string) => ['--state-dir', scratch.path(name)];

  beforeAll(async () => {
    [source, target, cyrus] = await Promise.all([
      startDovecot({ name: 'verify-src', users: [alice] }),
      // Refuses messages over 100 KB, so the migration skips one (MESSAGE_TOO_LARGE) and verify must list it as skipped.
      startDovecot({ name: 'verify-tgt', users: [bob, carol, erin], maxMailSize: 100_000 }),
      startMailServer('cyrus', { name: 'verify-cyrus', users: [dave] }),
    ]);
    const tricky = trickyMessages().map(({ raw, flags, internalDate }) => ({ raw, flags, internalDate }));
    await seedFolder(source, alice, 'INBOX', [...bulkMessages(20, 601, { prefix: 'm' }), ...tricky, { raw: bigMessage(150_000, 'too-big'), flags: ['\\Seen'], internalDate: new Date('2021-02-05T10:00:00Z') }]);
    await seedFolder(source, alice, 'Sent', bulkMessages(8, 602, { prefix: 's' }));
    await seedFolder(source, alice, 'Work/2024', bulkMessages(8, 603, { prefix: 'w' }));
    for (const f of ['INBOX', 'Sent', 'Work/2024']) src[f] = await byMessageId(source, alice, f);
    sourceTotal = Object.values((await snapshotMailbox(source, alice)).folders).reduce((s, f) => s + f.messages.length, 0);
    // The three migrations under test, at once (each its own target mailbox and state dir).
    const runs = await Promise.all([
      cli('migrate', [...login(bob, 'BOB_PW'), ...state('bob'), '--json']),
      cli('migrate', [...login(carol, 'CAROL_PW'), ...state('carol'), '--json']),
      cli('migrate', [...login(dave, 'DAVE_PW', cyrus), ...state('dave'), '--json']),
    ]);
    for (const r of runs) expect(r.code, describeRun(r)).toBe(0);
    // Dovecot target: only the 150 KB message is refused; Cyrus: the message without a header.
    expect(parseReport(runs[0]!.stdout).accounts[0]!.messagesSkipped).toBe(1);
    expect(parseReport(runs[2]!.stdout).accounts[0]!.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/MESSAGE_REJECTED/)]);
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop(), cyrus?.stop()]);
    scratch.cleanup();
  });

  it('a clean migration verifies at both depths; the skipped message is listed with its reason; neither side changes', async () => {
    const before = await Promise.all([snapshotMailbox(source, alice), snapshotMailbox(target, bob)]);
    // CONDSTORE: a write anywhere would raise HIGHESTMODSEQ, so comparing it is meaningful.
    expect(before[0].folders.INBOX!.state.highestModseq).toBeDefined();
    expect(before[1].folders.INBOX!.state.highestModseq).toBeDefined();
    const [meta, deep] = await Promise.all([cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json']), cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json', '--deep'])]);
    for (const r of [meta, deep]) {
      expect(r.code, describeRun(r)).toBe(0);
      const a = parseVerify(r);
      expect(a.status).toBe('verified');
      expect(a.totals).toMatchObject({ matched: sourceTotal - 1, missing: 0, extra: 0, changed: 0 });
      const skipped = a.folders.flatMap((f) => f.skipped);
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toMatchObject({ uid: src.INBOX!.get('too-big')!.uid, messageId: '<too-big@old.example.com>', subject: 'big 150000' });
      expect(skipped[0]!.reason).toMatch(/MESSAGE_TOO_LARGE/);
      expect(a.folders.map((f) => f.source).sort()).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Work/2024']));
      expect(r.stderr).toMatch(/^Verified bob@new\.example\.com|Verified alice@old\.example\.com -> bob@new\.example\.com/m);
    }
    const after = await Promise.all([snapshotMailbox(source, alice), snapshotMailbox(target, bob)]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
  });

  it('without the state store the skipped message is missing (the skip comes from what the migration recorded)', async () => {
    const r = await cli('verify', [...login(bob, 'BOB_PW'), ...state('empty-state'), '--json']);
    expect(r.code, describeRun(r)).toBe(1);
    const a = parseVerify(r);
    expect(a.status).toBe('differences');
    expect(a.folders.flatMap((f) => f.missing).map((m) => m.messageId)).toEqual(['<too-big@old.example.com>']);
  });

  it('reports exactly the damage done to the target, at both depths, and changes neither side', async () => {
    const tgt: Record<string, Map<string, MailboxMessage>> = {};
    for (const f of ['INBOX', 'Sent', 'Work/2024']) tgt[f] = await byMessageId(target, bob, f);
    // 1. two messages expunged
    await onFolder(target, bob, 'INBOX', (c) => c.messageDelete(`${tgt.INBOX!.get('m-601-3')!.uid},${tgt.INBOX!.get('m-601-7')!.uid}`, { uid: true }));
    // 2. a duplicate appended
    const dupOf = tgt['Work/2024']!.get('w-603-1')!;
    const dupUid = await onFolder(target, bob, 'Work/2024', async (c) => {
      const res = await c.append('Work/2024', dupOf.raw!, dupOf.flags, dupOf.internalDate);
      if (!res || !res.uid) throw new Error('APPEND returned no UID');
      return res.uid;
    });
    // 3. one message's flags changed
    const flagged = tgt.Sent!.get('s-602-2')!;
    await onFolder(target, bob, 'Sent', (c) =>
      flagged.flags.includes('\\Flagged') ? c.messageFlagsRemove(String(flagged.uid), ['\\Flagged'], { uid: true }) : c.messageFlagsAdd(String(flagged.uid), ['\\Flagged'], { uid: true }),
    );
    // 4. one message replaced by a modified copy (a line added to its body)
    const victim = tgt.INBOX!.get('m-601-10')!;
    const modifiedUid = await replace(target, bob, 'INBOX', victim, Buffer.concat([victim.raw!, Buffer.from('tampered\r\n')]));

    const expectDamage = (a: Account) => {
      expect(a.status).toBe('differences');
      const by = Object.fromEntries(a.folders.map((f) => [f.source, f]));
      expect(by.INBOX!.missing.map((m) => m.uid).sort((x, y) => x - y)).toEqual([src.INBOX!.get('m-601-3')!.uid, src.INBOX!.get('m-601-7')!.uid].sort((x, y) => x - y));
      expect(by.INBOX!.missing.map((m) => m.messageId).sort()).toEqual(['<m-601-3@old.example.com>', '<m-601-7@old.example.com>']);
      expect(by.INBOX!.changed).toEqual([{ uid: src.INBOX!.get('m-601-10')!.uid, targetUid: modifiedUid, what: ['body'] }]);
      expect(by['Work/2024']!.extra).toEqual([expect.objectContaining({ uid: dupUid, messageId: '<w-603-1@old.example.com>' })]);
      expect(by.Sent!.changed).toEqual([expect.objectContaining({ uid: src.Sent!.get('s-602-2')!.uid, targetUid: flagged.uid, what: ['flags'] })]);
      expect(a.totals).toMatchObject({ missing: 2, extra: 1, changed: 2, matched: sourceTotal - 1 - 4 });
      expect(by.INBOX!.extra).toEqual([]);
      expect(by.Sent!.missing.length + by.Sent!.extra.length + by['Work/2024']!.missing.length + by['Work/2024']!.changed.length).toBe(0);
    };
    const before = await Promise.all([snapshotMailbox(source, alice), snapshotMailbox(target, bob)]);
    const [meta, deep] = await Promise.all([cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json']), cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json', '--deep'])]);
    for (const r of [meta, deep]) {
      expect(r.code, describeRun(r)).toBe(1);
      expectDamage(parseVerify(r));
      expect(r.stderr).toMatch(/DIFFERENCES alice@old\.example\.com -> bob@new\.example\.com/);
      expect(r.stderr).toMatch(/missing on the target \(source UIDs\): 2/);
    }
    expect(await Promise.all([snapshotMailbox(source, alice), snapshotMailbox(target, bob)])).toEqual(before);

    // 5. a change that keeps size and headers: only --deep can see it
    const quiet = tgt['Work/2024']!.get('w-603-4')!;
    const text = quiet.raw!.toString('latin1');
    const cut = text.indexOf('\r\n\r\n') + 4;
    const altered = Buffer.from(text.slice(0, cut) + text.slice(cut).replace('lorem', 'LOREM'), 'latin1');
    expect(altered.length).toBe(quiet.raw!.length);
    const alteredUid = await replace(target, bob, 'Work/2024', quiet, altered);
    const [meta2, deep2] = await Promise.all([cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json']), cli('verify', [...login(bob, 'BOB_PW'), ...state('bob'), '--json', '--deep'])]);
    expectDamage(parseVerify(meta2));
    const d2 = parseVerify(deep2);
    expect(d2.folders.find((f) => f.source === 'Work/2024')!.changed).toEqual([{ uid: src['Work/2024']!.get('w-603-4')!.uid, targetUid: alteredUid, what: ['body'] }]);
    expect(d2.totals).toMatchObject({ missing: 2, extra: 1, changed: 3 });
  });

  it('--fix copies exactly the missing messages; verify is clean afterwards and a re-run of migrate copies nothing', async () => {
    const tgt = await byMessageId(target, carol, 'INBOX');
    const gone = ['m-601-1', 'm-601-5', 'm-601-12'];
    await onFolder(target, carol, 'INBOX', (c) => c.messageDelete(gone.map((id) => tgt.get(id)!.uid).join(','), { uid: true }));
    const countBefore = (await readFolder(target, carol, 'INBOX')).length;
    const fix = await cli('verify', [...login(carol, 'CAROL_PW'), ...state('carol'), '--json', '--fix']);
    expect(fix.code, describeRun(fix)).toBe(0);
    const fixed = parseVerify(fix);
    expect(fixed.fixed).toBe(3);
    expect(fixed.status).toBe('verified');
    const inbox = await readFolder(target, carol, 'INBOX', { withRaw: true });
    expect(inbox.length).toBe(countBefore + 3);
    // The copies are the source messages: bytes, flags and date.
    for (const id of gone) {
      const s = src.INBOX!.get(id)!;
      const copies = inbox.filter((m) => messageIdOf(m.raw!) === id);
      expect(copies.map((m) => [m.sha256, m.flags, m.internalDate.getTime()])).toEqual([[s.sha256, s.flags, s.internalDate.getTime()]]);
    }
    const again = await cli('verify', [...login(carol, 'CAROL_PW'), ...state('carol'), '--json', '--deep']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(parseVerify(again).totals).toMatchObject({ missing: 0, extra: 0, changed: 0 });
    const rerun = await cli('migrate', [...login(carol, 'CAROL_PW'), ...state('carol'), '--json']);
    expect(rerun.code, describeRun(rerun)).toBe(0);
    expect(parseReport(rerun.stdout).accounts[0]!.messagesCopied).toBe(0);
    expect((await readFolder(target, carol, 'INBOX')).length).toBe(countBefore + 3);
  });

  it('Dovecot -> Cyrus: verifies (8-bit headers stored as X listed, not counted), finds an expunged message, reads Cyrus read-only', async () => {
    const before = await snapshotMailbox(cyrus, dave);
    expect(before.folders.INBOX!.state.highestModseq).toBeDefined();
    const r = await cli('verify', [...login(dave, 'DAVE_PW', cyrus), ...state('dave'), '--json', '--deep']);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseVerify(r);
    expect(a.status).toBe('verified');
    expect(a.totals).toMatchObject({ matched: sourceTotal - 1, missing: 0, extra: 0, changed: 0 });
    const inbox = a.folders.find((f) => f.source === 'INBOX')!;
    expect(inbox.target).toBe('INBOX');
    expect(a.folders.find((f) => f.source === 'Work/2024')!.target).toBe('INBOX.Work.2024');
    expect(inbox.skipped.map((s) => [s.subject, s.size])).toEqual([[null, 'just some text without any header\r\n'.length]]);
    expect(inbox.rewritten.map((x) => x.uid)).toContain(src.INBOX!.get('8bit')!.uid);
    expect(await snapshotMailbox(cyrus, dave)).toEqual(before);

    const onCyrus = await byMessageId(cyrus, dave, 'INBOX.Sent');
    await onFolder(cyrus, dave, 'INBOX.Sent', (c) => c.messageDelete(String(onCyrus.get('s-602-5')!.uid), { uid: true }));
    const r2 = await cli('verify', [...login(dave, 'DAVE_PW', cyrus), ...state('dave'), '--json']);
    expect(r2.code, describeRun(r2)).toBe(1);
    const a2 = parseVerify(r2);
    expect(a2.folders.flatMap((f) => f.missing).map((m) => [m.uid, m.messageId])).toEqual([[src.Sent!.get('s-602-5')!.uid, '<s-602-5@old.example.com>']]);
    expect(a2.totals).toMatchObject({ missing: 1, extra: 0, changed: 0 });
  });

  it('--accounts: the rows of the CSV the migration ran with, logins from the file', async () => {
    // Runs after the damage test. (A CSV lists each source mailbox once, and this source has one.)
    const file = scratch.write('batch.csv', ['source,target,source_password,target_password', `${alice.user},${bob.user},${alice.password},${bob.password}`].join('\r\n') + '\r\n');
    const hostOnly = (s: { host: string; imapPort: number }) => `imap://${s.host}:${s.imapPort}`;
    const r = await cli('verify', ['--source', hostOnly(source), '--target', hostOnly(target), '--allow-plaintext', '--accounts', file, ...state('bob'), '--json']);
    expect(r.code, describeRun(r)).toBe(1);
    const a = parseVerify(r);
    expect([a.source, a.target, a.status]).toEqual([alice.user, bob.user, 'differences']);
    expect(a.totals).toMatchObject({ missing: 2, extra: 1, changed: 2 });
    expect(a.folders.flatMap((f) => f.skipped).map((m) => m.messageId)).toEqual(['<too-big@old.example.com>']);
  });

  it('POP3 source: the maildrop against its target folder; the refused message by its UIDL id is skipped; an expunged copy is missing; the maildrop keeps its flags', async () => {
    const pop3 = ['--source', `pop3://${encodeURIComponent(alice.user)}@${source.host}:${source.pop3Port}`, '--source-password-env', 'SRC_PW', '--target', `imap://${encodeURIComponent(erin.user)}@${target.host}:${target.imapPort}`, '--target-password-env', 'ERIN_PW', '--allow-plaintext', ...state('erin')];
    const mig = await cli('migrate', [...pop3, '--json']);
    expect(mig.code, describeRun(mig)).toBe(0);
    const before = await snapshotMailbox(source, alice);
    const r = await cli('verify', [...pop3, '--json', '--deep']);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseVerify(r);
    expect(a.folders.map((f) => [f.source, f.target])).toEqual([['INBOX', 'INBOX']]);
    const sourceInbox = before.folders.INBOX!.messages.length;
    expect(a.totals).toMatchObject({ matched: sourceInbox - 1, missing: 0, extra: 0, changed: 0 });
    expect(a.folders[0]!.skipped.map((m) => [m.messageId, m.reason])).toEqual([['<too-big@old.example.com>', expect.stringMatching(/MESSAGE_TOO_LARGE/)]]);
    // TOP, never RETR: Dovecot would mark every RETRieved message \Seen.
    expect(await snapshotMailbox(source, alice)).toEqual(before);

    const onErin = await byMessageId(target, erin, 'INBOX');
    await onFolder(target, erin, 'INBOX', (c) => c.messageDelete(String(onErin.get('m-601-2')!.uid), { uid: true }));
    const r2 = await cli('verify', [...pop3, '--json']);
    expect(r2.code, describeRun(r2)).toBe(1);
    expect(parseVerify(r2).folders[0]!.missing.map((m) => m.messageId)).toEqual(['<m-601-2@old.example.com>']);
  });

  it('usage errors exit 2 and name the option', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[...login(bob, 'BOB_PW').slice(2)], /--source\b/],
      [[...login(bob, 'BOB_PW'), '--mode', 'merged'], /--mode\b/],
      [[...login(bob, 'BOB_PW'), '--concurrency', '4'], /--concurrency\b/],
    ];
    const results = await Promise.all(cases.map(([args]) => usage('verify', args)));
    results.forEach((r, i) => {
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stdout).toBe('');
    });
  });
});
