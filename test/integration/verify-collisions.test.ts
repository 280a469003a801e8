import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { VerifyResults } from '../../bridge/service/verify-results';
import { openServiceDb } from '../../bridge/service/db';
import type { VerifyAccount } from '../../shared/verify';
import { createFolder, listFolders, readFolder, seedFolder, withImap, type SeedMessage } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

/**
 * verify with messages that share a fingerprint (no Message-ID; same Date, From, Subject and
 * size: a robot's nightly reports) and with mail the user filed on the new system into a folder
 * the old one does not have (or renamed a folder there). Dovecot as the source, each kind as the
 * target.
 */
const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
const alice = (t: ServerKind, n: string): MailUser => ({ user: `vc${n}-${t}@old.example.com`, password: 'Vc-src-pw-4Kd' });
const bob = (t: ServerKind, n: string): MailUser => ({ user: `vc${n}-${t}@new.example.com`, password: 'Vc-tgt-pw-8Jw' });
const CASES = ['d2', 'amb', 'd4', 'svc', 'pop'];

const CRLF = '\r\n';
/** A report without a Message-ID: k picks the body; every k has the same headers and size. */
function report(k: number, flags: string[]): SeedMessage {
  const date = new Date('2025-01-06T03:00:00Z');
  const head = ['From: robot@old.example.com', 'To: ops@old.example.com', 'Subject: nightly job', 'Date: Mon, 6 Jan 2025 03:00:00 +0000'];
  const body = `report ${String(k).padStart(3, '0')} `.padEnd(600, 'x');
  return { raw: head.join(CRLF) + CRLF + CRLF + body + CRLF, flags, internalDate: date };
}
/** Four different reports, each twice (one read, one unread): eight messages with one fingerprint. */
const reports = (): SeedMessage[] => [0, 1, 2, 3].flatMap((k) => [report(k, []), report(k, ['\\Seen'])]);

const brief = (a: VerifyAccount) =>
  JSON.stringify({ status: a.status, error: a.error, totals: a.totals, folders: a.folders.map((f) => ({ s: f.source, t: f.target, missing: f.missing.map((m) => m.uid), extra: f.extra.map((m) => m.uid), changed: f.changed, elsewhere: f.elsewhere.map((e) => [e.uid, e.targetFolder, e.targetUid]), err: f.error })) });

async function count(server: AnyMailServer, user: MailUser): Promise<number> {
  let n = 0;
  for (const f of await listFolders(server, user)) if (!f.flags.some((x) => /noselect|nonexistent/i.test(x))) n += (await readFolder(server, user, f.path)).length;
  return n;
}

describe('verify: colliding fingerprints and mail filed in a target-only folder', () => {
  let source: AnyMailServer;
  const targets: Partial<Record<ServerKind, AnyMailServer>> = {};
  const stores: Array<ReturnType<typeof tempStore>> = [];
  beforeAll(async () => {
    const dovecotTarget = KINDS.flatMap((t) => CASES.map((c) => bob(t, c)));
    [source] = await Promise.all([
      startConfig(MATRIX[0]!, { name: 'vc-src', users: KINDS.flatMap((t) => CASES.map((c) => alice(t, c))) }),
      ...KINDS.map(async (k) => {
        targets[k] = await startConfig(MATRIX.find((m) => m.kind === k)!, { name: `vc-${k}`, users: dovecotTarget.filter((u) => u.user.endsWith(`-${k}@new.example.com`)) });
      }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await Promise.allSettled([source?.stop(), ...Object.values(targets).map((s) => s!.stop())]);
    for (const s of stores) s.cleanup();
  });

  it.each(KINDS)('dovecot -> %s: --deep on a byte-identical copy of messages sharing a fingerprint finds nothing changed; an altered one is one changed body', async (t) => {
    const tgt = targets[t]!;
    const a = alice(t, 'd2');
    const b = bob(t, 'd2');
    const msgs = [...reports(), ...bulkMessages(3, 731)];
    await seedFolder(source, a, 'INBOX', msgs);
    // The same bytes, flags and dates, stored in another order (as a second tool, or a run
    // resumed after an interruption, may store them): pairing by metadata crosses the bodies.
    await seedFolder(tgt, b, 'INBOX', [...msgs].reverse());
    const j = job(imapEndpoint(source, a), imapEndpoint(tgt, b), { includeFolders: ['INBOX'] });
    const deep = await verifyAccount(j, { deep: true });
    expect(deep.status, brief(deep)).toBe('verified');
    expect(deep.totals).toMatchObject({ matched: 11, missing: 0, extra: 0, changed: 0 });
    const meta = await verifyAccount(j, { deep: false });
    expect(meta.status, brief(meta)).toBe('verified');

    // One copy altered on the target, same size and headers: exactly one changed body, nothing missing.
    const copies = await readFolder(tgt, b, 'INBOX', { withRaw: true });
    const victim = copies.find((m) => m.raw!.toString('latin1').includes('report 002') && m.flags.includes('\\Seen'))!;
    await withImap(tgt, b, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.append('INBOX', Buffer.from(victim.raw!.toString('latin1').replace('report 002', 'report 009'), 'latin1'), ['\\Seen'], victim.internalDate);
      await c.messageDelete(String(victim.uid), { uid: true });
    });
    const damaged = await verifyAccount(j, { deep: true });
    expect(damaged.status, brief(damaged)).toBe('differences');
    expect(damaged.totals, brief(damaged)).toMatchObject({ matched: 10, missing: 0, extra: 0, changed: 1 });
    expect(damaged.folders[0]!.changed[0]!.what).toEqual(['body']);
  }, 120_000);

  it.each(KINDS)('dovecot -> %s: one report lost and another doubled: metadata says the flags difference is ambiguous, --deep says missing and extra', async (t) => {
    const tgt = targets[t]!;
    const a = alice(t, 'amb');
    const b = bob(t, 'amb');
    const r0 = report(0, []);
    const r1 = report(1, ['\\Seen']);
    await seedFolder(source, a, 'INBOX', [r0, r1]);
    await seedFolder(tgt, b, 'INBOX', [r0, r0]);
    const j = job(imapEndpoint(source, a), imapEndpoint(tgt, b), { includeFolders: ['INBOX'] });
    const meta = await verifyAccount(j, { deep: false });
    expect(meta.totals, brief(meta)).toMatchObject({ matched: 1, missing: 0, extra: 0, changed: 1 });
    expect(meta.folders[0]!.changed[0], brief(meta)).toMatchObject({ what: ['flags'], ambiguous: true });
    const deep = await verifyAccount(j, { deep: true });
    expect(deep.totals, brief(deep)).toMatchObject({ matched: 1, missing: 1, extra: 1, changed: 0 });
    const srcUids = (await readFolder(source, a, 'INBOX')).map((m) => m.uid);
    expect(deep.folders[0]!.missing.map((m) => m.uid)).toEqual([srcUids[1]]);
  }, 120_000);

  /** Migrates, then files mail away on the new system: 3 INBOX messages into a new folder 'Keep', Work renamed to Work-2024. */
  async function migrateAndFile(t: ServerKind, n: string) {
    const tgt = targets[t]!;
    const a = alice(t, n);
    const b = bob(t, n);
    // Two reports without a Message-ID and one fingerprint, among ordinary mail.
    await seedFolder(source, a, 'INBOX', [...bulkMessages(6, 741, { prefix: 'i' }), report(0, []), report(1, [])]);
    await seedFolder(source, a, folderPath(source, 'Work'), bulkMessages(4, 742, { prefix: 'w' }));
    const st = tempStore();
    stores.push(st);
    const j = job(imapEndpoint(source, a), imapEndpoint(tgt, b), { chunkMessages: 10 });
    expect((await migrate(j, st.store)).status).toBe('done');
    const keep = folderPath(tgt, 'Keep');
    await createFolder(tgt, b, keep);
    const inbox = await readFolder(tgt, b, 'INBOX', { withRaw: true });
    const second = inbox.find((m) => m.raw!.toString('latin1').includes('report 001'))!;
    const first = inbox.find((m) => m.raw!.toString('latin1').includes('report 000'))!;
    await withImap(tgt, b, async (c) => {
      await c.mailboxOpen('INBOX');
      // Report 1 filed into Keep with two ordinary messages; report 0's copy deleted: it is the
      // one missing, and report 1's copy in Keep is not its copy (same fingerprint, other body).
      await c.messageMove(`${inbox[1]!.uid},${inbox[3]!.uid},${second.uid}`, keep, { uid: true });
      await c.messageDelete(String(first.uid), { uid: true });
      await c.mailboxRename(folderPath(tgt, 'Work'), folderPath(tgt, 'Work-2024'));
    });
    return { j, st, a, b, keep, tgt };
  }

  it.each(KINDS)('dovecot -> %s: mail filed into a target-only folder or a renamed one is elsewhere, not missing; --fix copies only the one really missing', async (t) => {
    const { j, st, b, keep, tgt } = await migrateAndFile(t, 'd4');
    const before = await count(tgt, b);
    for (const deep of [false, true]) {
      const r = await verifyAccount(j, { deep, stateDir: st.dir });
      const inbox = r.folders.find((f) => f.source === 'INBOX')!;
      const work = r.folders.find((f) => f.source === folderPath(source, 'Work'))!;
      expect(r.totals, brief(r)).toMatchObject({ missing: 1, extra: 0, changed: 0, elsewhere: 7 });
      expect(inbox.missing.map((m) => m.subject), brief(r)).toEqual(['nightly job']);
      expect(inbox.elsewhere.map((e) => e.targetFolder)).toEqual([keep, keep, keep]);
      expect(work.elsewhere.map((e) => e.targetFolder)).toEqual(Array(4).fill(folderPath(tgt, 'Work-2024')));
      expect(work.error, brief(r)).toBeUndefined();
    }
    const r = await verifyAccount(j, { deep: false, stateDir: st.dir });
    const fixed = await copyMissing(j, r, st.store);
    expect(fixed).toEqual({ copied: 1, refused: [] });
    expect(await count(tgt, b)).toBe(before + 1);
    const after = await verifyAccount(j, { deep: true, stateDir: st.dir });
    expect(after.status, brief(after)).toBe('verified');
    expect(after.totals).toMatchObject({ missing: 0, extra: 0, changed: 0, elsewhere: 7 });
    // Nothing left to copy: a second fix copies nothing.
    expect((await copyMissing(j, after, st.store)).copied).toBe(0);
    expect(await count(tgt, b)).toBe(before + 1);
  }, 120_000);

  it("POP3 source: mail filed away from the maildrop's folder on the new system is elsewhere, not missing", async () => {
    const tgt = targets.dovecot!;
    const a = alice('dovecot', 'pop');
    const b = bob('dovecot', 'pop');
    await seedFolder(source, a, 'INBOX', bulkMessages(5, 751, { prefix: 'p' }));
    const st = tempStore();
    stores.push(st);
    const j = job(pop3Endpoint(source, a), imapEndpoint(tgt, b));
    expect((await migrate(j, st.store)).status).toBe('done');
    const keep = folderPath(tgt, 'Keep');
    await createFolder(tgt, b, keep);
    const inbox = await readFolder(tgt, b, 'INBOX');
    await withImap(tgt, b, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(`${inbox[0]!.uid},${inbox[2]!.uid}`, keep, { uid: true });
    });
    const r = await verifyAccount(j, { deep: false, stateDir: st.dir });
    expect(r.status, brief(r)).toBe('verified');
    expect(r.totals).toMatchObject({ matched: 3, missing: 0, elsewhere: 2 });
    expect(r.folders[0]!.elsewhere.map((e) => e.targetFolder)).toEqual([keep, keep]);
  }, 120_000);

  it.each(KINDS)('dovecot -> %s: the service\'s 复制缺失邮件 (VerifyResults.fix) copies only the one really missing', async (t) => {
    const { j, st, b, tgt } = await migrateAndFile(t, 'svc');
    const before = await count(tgt, b);
    const svcDir = mkdtempSync(join(tmpdir(), 'mailmover-svc-'));
    const db = openServiceDb(svcDir);
    try {
      const results = new VerifyResults(db, st.dir);
      const r = await results.fix('acct', j, st.store, true);
      expect(r!.before.totals, brief(r!.before)).toMatchObject({ missing: 1, elsewhere: 7 });
      expect(r!.fixed).toEqual({ copied: 1, refused: [] });
      expect(r!.after.status, brief(r!.after)).toBe('verified');
    } finally {
      db.close();
      rmSync(svcDir, { recursive: true, force: true });
    }
    expect(await count(tgt, b)).toBe(before + 1);
  }, 120_000);
});
