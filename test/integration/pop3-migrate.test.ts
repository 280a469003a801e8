import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { hasMessageId } from '../../bridge/engine/body-hash';
import { headerBlock } from '../../bridge/engine/pop3/headers';
import type { AccountProgress } from '../../shared/migration';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type MailboxMessage, type MailboxSnapshot } from '../harness/mailbox';
import { bigMessage, bulkMessages, trickyMessages, type CorpusMessage } from '../support/corpus';
import { job, plainEndpoint, readStoredBytes, tempStore } from '../support/engine-fixtures';
import { RECEIVED_DATE, dottedMessage, pop3Endpoint, pop3Sessions, receivedMessage, waitForSessions } from './pop3-support';

/**
 * A POP3 source (Dovecot's POP3 on the user's INBOX) into an IMAP target, through the
 * engine's dispatcher. The reference for "byte-exact" is what Dovecot's IMAP returns as
 * BODY[] for the same source message. Dovecot's POP3 session here runs with
 * pop3_no_flag_updates = yes, so that "the source is unchanged" can be asserted including
 * \Seen (with Dovecot's default a RETR sets \Seen at the end of the session: see the
 * second describe).
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Pop3-src-pw-Kq7' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Pop3-tgt-pw-Zr2' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Pop3-tgt-pw-Wm5' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Pop3-tgt-pw-Hs9' };
const BIG = 20 * 1024 * 1024;

interface Seeded extends CorpusMessage {
  label: string;
  /** The internal date the target must get; null = "now" (no usable header). */
  expectedDate: Date | null;
}

function corpus(): Seeded[] {
  const tricky = trickyMessages().map((m) => ({ ...m, expectedDate: m.label === 'no headers' ? null : m.internalDate }));
  return [
    ...tricky,
    { label: 'dot-stuffed', raw: dottedMessage(), flags: [], internalDate: new Date('2016-02-06T10:00:00Z'), expectedDate: new Date('2016-02-06T10:00:00Z') },
    // The seeded INTERNALDATE is neither the Received nor the Date: the target's must come from Received.
    { label: 'received', raw: receivedMessage(), flags: ['\\Seen'], internalDate: new Date('2020-01-01T00:00:00Z'), expectedDate: RECEIVED_DATE },
    { label: '20 MB', raw: bigMessage(BIG, 'pop3-big'), flags: [], internalDate: new Date('2021-02-05T10:00:00Z'), expectedDate: new Date('2021-02-05T10:00:00Z') },
    ...bulkMessages(40, 77, { prefix: 'pop' }).map((m, i) => ({ ...m, label: `bulk ${i}`, expectedDate: m.internalDate })),
  ];
}

const sha = (msgs: MailboxMessage[]) => msgs.map((m) => m.sha256).sort();

describe('POP3 source -> IMAP target (engine)', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  const state = tempStore();
  let seeded: Seeded[];
  let sourceBefore: MailboxSnapshot;
  /** Source messages as Dovecot's IMAP returns them (BODY[]), in seed order. */
  let sourceImap: MailboxMessage[];
  let added: CorpusMessage[] = [];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'pop3-src', users: [alice], extraConfig: 'pop3_no_flag_updates = yes' }),
      startDovecot({ name: 'pop3-tgt', users: [bob, carol, dave] }),
    ]);
    seeded = corpus();
    await seedFolder(src, alice, 'INBOX', seeded);
    // POP3 sees the INBOX only: mail elsewhere must not appear anywhere.
    await seedFolder(src, alice, 'Projects', bulkMessages(3, 78, { prefix: 'proj' }));
    sourceImap = await readFolder(src, alice, 'INBOX', { withRaw: true });
    sourceBefore = await snapshotMailbox(src, alice);
    expect(sourceImap).toHaveLength(seeded.length);
  });

  afterAll(async () => {
    state.cleanup();
    await Promise.all([src?.stop(), tgt?.stop()]);
  });

  it('mapped mode: the inbox arrives byte-exact in the target INBOX, dated from Received/Date, with a report like IMAP', async () => {
    const progress: AccountProgress[] = [];
    const t0 = Date.now();
    const result = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob), { chunkMessages: 7 }), state.store, { onProgress: (p) => progress.push(p) });
    const t1 = Date.now();
    expect(result.error).toBeNull();
    expect(result.status).toBe('done');
    expect(result.messagesCopied).toBe(seeded.length);
    expect(result.folders).toEqual([
      { source: 'INBOX', target: 'INBOX', total: seeded.length, copied: seeded.length, skipped: 0, alreadyPresent: 0, bytesCopied: result.bytesCopied, error: null },
    ]);
    expect(result.bytesCopied).toBe(sourceImap.reduce((s, m) => s + m.size, 0));
    expect(result.skipped).toEqual([]);

    // Progress like IMAP: phases in order, the one folder, counts growing to the total.
    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['connecting', 'discovering', 'creating-folders', 'planning', 'copying', 'done']);
    const last = progress[progress.length - 1]!;
    expect(last).toMatchObject({ messagesTotal: seeded.length, messagesCopied: seeded.length, folders: [{ source: 'INBOX', target: 'INBOX', done: true }] });

    // Byte-exact: the target's BODY[] of each message is Dovecot's IMAP BODY[] of the source message.
    const onTarget = await readFolder(tgt, bob, 'INBOX', { withRaw: true });
    expect(onTarget).toHaveLength(seeded.length);
    expect(sha(onTarget)).toEqual(sha(sourceImap));
    for (const label of ['gbk body', 'raw 8-bit header', 'bare LF', 'NUL byte', 'dot-stuffed', '20 MB']) {
      const i = seeded.findIndex((s) => s.label === label);
      expect(onTarget.some((t) => t.raw!.equals(sourceImap[i]!.raw!)), label).toBe(true);
    }
    // The stored bytes too (BODY[] shows a NUL as 0x80 on both sides; POP3 gave the real NUL).
    // (BINARY[] decodes base64 parts, so the 20 MB attachment "holds" NULs too: pick the message by subject.)
    const withNul = (b: Buffer) => b.includes(0) && b.includes('Subject: NUL byte');
    const storedSrc = (await readStoredBytes(src, alice, 'INBOX')).filter(withNul);
    expect(storedSrc).toHaveLength(1);
    expect((await readStoredBytes(tgt, bob, 'INBOX')).filter((b) => b.equals(storedSrc[0]!))).toHaveLength(1);

    // Internal dates: topmost Received, else Date, else the time of the copy. No flags (POP3 has none).
    const bySha = new Map<string, MailboxMessage[]>();
    for (const m of onTarget) bySha.set(m.sha256, [...(bySha.get(m.sha256) ?? []), m]);
    seeded.forEach((s, i) => {
      const t = bySha.get(sourceImap[i]!.sha256)!.shift()!;
      expect(t.flags, s.label).toEqual([]);
      if (s.expectedDate) expect(t.internalDate.toISOString(), s.label).toBe(s.expectedDate.toISOString());
      else {
        expect(t.internalDate.getTime(), s.label).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);
        expect(t.internalDate.getTime(), s.label).toBeLessThanOrEqual(t1);
      }
    });

    // Only the INBOX; never a DELE; the source is unchanged (messages, flags incl. \Seen, modseq).
    expect((await listFolders(tgt, bob)).map((f) => f.path)).not.toContain('Projects');
    const sessions = await waitForSessions(src, 1);
    expect(sessions.every((s) => s.del === 0)).toBe(true);
    // Downloaded with TOP (whole message), never RETR: RETR makes Dovecot mark mail \\Seen.
    expect(sessions.at(-1)).toMatchObject({ top: seeded.length, retr: 0, messages: seeded.length });
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });

  it('a second run appends nothing and downloads no message', async () => {
    const targetBefore = await snapshotMailbox(tgt, bob);
    const before = pop3Sessions(src).length;
    const result = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob)), state.store);
    expect(result.status).toBe('done');
    expect(result.messagesCopied).toBe(0);
    expect(result.messagesAlreadyPresent).toBe(seeded.length);
    expect(result.folders[0]).toMatchObject({ total: seeded.length, alreadyPresent: seeded.length });
    const sessions = await waitForSessions(src, before + 1);
    expect(sessions.slice(before)).toEqual([expect.objectContaining({ top: 0, retr: 0, del: 0 })]);
    expect(await snapshotMailbox(tgt, bob)).toEqual(targetBefore);
  });

  it('with the state lost, messages already on the target are recognised by fingerprint from their header (TOP), not downloaded', async () => {
    const fresh = tempStore();
    try {
      const targetBefore = await snapshotMailbox(tgt, bob);
      const before = pop3Sessions(src).length;
      const result = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob)), fresh.store);
      expect(result.status).toBe('done');
      expect(result.messagesCopied).toBe(0);
      expect(result.messagesAlreadyPresent).toBe(seeded.length);
      // Two identical drafts on the source stay two: each matched one target message.
      expect(await snapshotMailbox(tgt, bob)).toEqual(targetBefore);
      const [session] = (await waitForSessions(src, before + 1)).slice(before);
      // A message without a Message-ID is confirmed by its body too (content-match.ts): its
      // header shows it has none, then it is downloaded whole (TOP) and hashed.
      const withoutId = seeded.filter((m) => !hasMessageId(headerBlock(m.raw))).length;
      expect(session).toMatchObject({ retr: 0, del: 0, top: seeded.length + withoutId });
    } finally {
      fresh.cleanup();
    }
  });

  it('new mail on the source is copied incrementally', async () => {
    added = bulkMessages(3, 79, { prefix: 'new' });
    await seedFolder(src, alice, 'INBOX', added);
    const before = pop3Sessions(src).length;
    const result = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob)), state.store);
    expect(result.messagesCopied).toBe(3);
    expect(result.messagesAlreadyPresent).toBe(seeded.length);
    expect(sha(await readFolder(tgt, bob, 'INBOX'))).toEqual(sha(await readFolder(src, alice, 'INBOX')));
    const incremental = (await waitForSessions(src, before + 1)).slice(before);
    expect(incremental).toEqual([expect.objectContaining({ retr: 0, del: 0 })]);
    expect(incremental[0]!.top).toBeGreaterThanOrEqual(3);
    sourceBefore = await snapshotMailbox(src, alice);
  });

  it('unified mode: the inbox goes to <source address>/INBOX, the name IMAP unified mode gives it', async () => {
    const result = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, carol), { mode: 'unified' }), state.store);
    expect(result.status).toBe('done');
    const target = `${alice.user}/INBOX`;
    expect(result.folders).toEqual([expect.objectContaining({ source: 'INBOX', target, copied: sourceBefore.folders.INBOX!.messages.length })]);
    expect((await listFolders(tgt, carol)).map((f) => f.path)).toEqual(expect.arrayContaining([alice.user, target]));
    expect(sha(await readFolder(tgt, carol, target))).toEqual(sha(await readFolder(src, alice, 'INBOX')));
    expect((await readFolder(tgt, carol, 'INBOX')).length).toBe(0);
  });

  it('--since applies to the header date (read with TOP first), and widening it later copies the rest', async () => {
    const since = new Date('2022-01-01T00:00:00Z');
    const expected = [...seeded.map((s) => s.expectedDate ?? new Date()), ...added.map((a) => a.internalDate)].filter((d) => d >= since).length;
    expect(expected).toBeGreaterThan(5);
    expect(expected).toBeLessThan(sourceBefore.folders.INBOX!.messages.length - 5);
    const first = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, dave), { since }), state.store);
    expect(first.status).toBe('done');
    expect(first.messagesCopied).toBe(expected);
    expect(first.folders[0]!.total).toBe(expected);
    const second = await migrate(job(pop3Endpoint(src, alice), plainEndpoint(tgt, dave)), state.store);
    expect(second.messagesCopied).toBe(sourceBefore.folders.INBOX!.messages.length - expected);
    expect(sha(await readFolder(tgt, dave, 'INBOX'))).toEqual(sha(await readFolder(src, alice, 'INBOX')));
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });
});

describe('POP3 source on a Dovecot with its default pop3_no_flag_updates = no', () => {
  const erin: DovecotUser = { user: 'erin@old.example.com', password: 'Pop3-src-pw-Ev4' };
  let src: DovecotServer;
  let tgt: DovecotServer;
  const state = tempStore();

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'pop3-src-default', users: [erin] }), startDovecot({ name: 'pop3-tgt-default', users: [bob] })]);
  });
  afterAll(async () => {
    state.cleanup();
    await Promise.all([src?.stop(), tgt?.stop()]);
  });

  it('reads with TOP, so even Dovecot\'s default (RETR marks \\Seen) leaves the source unchanged', async () => {
    const msgs = bulkMessages(5, 80, { prefix: 'dflt' }).map((m) => ({ ...m, flags: m.flags.filter((f) => f !== '\\Seen') }));
    await seedFolder(src, erin, 'INBOX', msgs);
    const before = await readFolder(src, erin, 'INBOX');
    const result = await migrate(job(pop3Endpoint(src, erin), plainEndpoint(tgt, bob)), state.store);
    expect(result.messagesCopied).toBe(5);
    const after = await readFolder(src, erin, 'INBOX');
    expect(after.map((m) => [m.uid, m.sha256])).toEqual(before.map((m) => [m.uid, m.sha256]));
    expect(after.map((m) => m.flags)).toEqual(before.map((m) => m.flags));
    expect(after.some((m) => m.flags.includes('\\Seen'))).toBe(false);
    const sessions = await waitForSessions(src, 1);
    expect(sessions.every((s) => s.del === 0 && s.retr === 0)).toBe(true);
    expect((await readFolder(tgt, bob, 'INBOX')).map((m) => m.sha256).sort()).toEqual(before.map((m) => m.sha256).sort());
  });
});
