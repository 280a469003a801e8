import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { copyMissing } from '../../bridge/verify/copy-missing';
import type { VerifyAccount } from '../../shared/verify';
import { readFolder, seedFolder, snapshotMailbox, withImap } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { bulkMessages, trickyMessages, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { accountKey as accountKeyOf } from '../../bridge/engine/account-job';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

/**
 * verify across the server matrix: a clean migration between any two kinds verifies at both
 * depths (no false difference from what a server does to stored mail), and damage is found.
 */
const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
/** Dovecot as the source into each kind: the pairs the skip and fix cases run on. */
const INTO: Array<[ServerKind, ServerKind]> = KINDS.map((t) => ['dovecot', t]);
const PAIRS: Array<[ServerKind, ServerKind]> = [
  ['dovecot', 'cyrus'],
  ['dovecot', 'courier'],
  ['cyrus', 'dovecot'],
  ['courier', 'dovecot'],
  ['courier', 'cyrus'],
  ['cyrus', 'courier'],
];
const srcUser = (t: ServerKind, s: ServerKind): MailUser => ({ user: `vm-${s}-${t}@old.example.com`, password: 'Vm-src-pw-5Tq' });
const tgtUser = (s: ServerKind, t: ServerKind, n = ''): MailUser => ({ user: `vm${n}-${s}-${t}@new.example.com`, password: 'Vm-tgt-pw-7Hs' });

function corpus(source: AnyMailServer, target: AnyMailServer): Record<string, CorpusMessage[]> {
  const cyrus = source.kind === 'cyrus' || target.kind === 'cyrus';
  const tricky = trickyMessages()
    .filter((m) => !(cyrus && (m.label === 'bare LF' || m.label === 'no headers')))
    .map(({ raw, flags, internalDate }) => ({ raw, flags, internalDate }));
  return {
    INBOX: [...bulkMessages(10, 701), ...tricky],
    [folderPath(source, 'Work')]: bulkMessages(6, 702, { prefix: 'w' }),
  };
}

describe('verify matrix', () => {
  const servers: Partial<Record<string, AnyMailServer>> = {};
  const stores: Array<ReturnType<typeof tempStore>> = [];
  beforeAll(async () => {
    await Promise.all(
      KINDS.map(async (k) => {
        const pairs = [...PAIRS, ['dovecot', 'dovecot'] as [ServerKind, ServerKind]];
        const users = [
          ...pairs.filter(([s]) => s === k).flatMap(([s, t]) => ['', 'skip-', 'moved-'].map((p) => ({ ...srcUser(t, s), user: `${p}${srcUser(t, s).user}` }))),
          ...pairs.filter(([, t]) => t === k).flatMap(([s, t]) => [tgtUser(s, t), tgtUser(s, t, '2'), tgtUser(s, t, '3')]),
        ];
        servers[k] = await startConfig(MATRIX.find((m) => m.kind === k)!, { name: `vm-${k}`, users });
      }),
    );
  }, 240_000);
  afterAll(async () => {
    await Promise.allSettled(Object.values(servers).map((s) => s!.stop()));
    for (const s of stores) s.cleanup();
  });

  const brief = (a: VerifyAccount) =>
    JSON.stringify({ status: a.status, error: a.error, totals: a.totals, folders: a.folders.map((f) => ({ s: f.source, t: f.target, sc: f.sourceCount, tc: f.targetCount, missing: f.missing, extra: f.extra, changed: f.changed, skipped: f.skipped.map((x) => x.reason), rewritten: f.rewritten, err: f.error })) }, null, 1);

  it.each(PAIRS)('%s -> %s: a clean migration verifies at both depths', async (s, t) => {
    const src = servers[s]!;
    const tgt = servers[t]!;
    const alice = srcUser(t, s);
    const bob = tgtUser(s, t);
    for (const [folder, msgs] of Object.entries(corpus(src, tgt))) await seedFolder(src, alice, folder, msgs);
    const st = tempStore();
    stores.push(st);
    const j = job(imapEndpoint(src, alice), imapEndpoint(tgt, bob), { chunkMessages: 10 });
    const r = await migrate(j, st.store);
    expect(r.status, JSON.stringify(r.skipped)).toBe('done');
    const before = await snapshotMailbox(src, alice);
    const meta = await verifyAccount(j, { deep: false, stateDir: st.dir });
    const deep = await verifyAccount(j, { deep: true, stateDir: st.dir });
    console.log(`vm | ${s} -> ${t} | copied ${r.messagesCopied} skipped ${r.messagesSkipped} | meta ${meta.status} ${JSON.stringify(meta.totals)} | deep ${deep.status} ${JSON.stringify(deep.totals)}`);
    expect(meta.status, brief(meta)).toBe('verified');
    expect(deep.status, brief(deep)).toBe('verified');
    expect(await snapshotMailbox(src, alice)).toEqual(before);
  }, 120_000);

  it.each(INTO)('%s -> %s: a skip the migration would try again is missing, not skipped; fix copies it once', async (s, t) => {
    const src = servers[s]!;
    const tgt = servers[t]!;
    const alice = { ...srcUser(t, s), user: `skip-${srcUser(t, s).user}` };
    const bob = tgtUser(s, t, '2');
    await seedFolder(src, alice, 'INBOX', bulkMessages(8, 711, { prefix: 'k' }));
    const st = tempStore();
    stores.push(st);
    const j = job(imapEndpoint(src, alice), imapEndpoint(tgt, bob), { chunkMessages: 10 });
    const r = await migrate(j, st.store);
    expect(r.status).toBe('done');
    // Two copies gone from the target, and the migration's rows for them turned into skips it
    // does not hold final (skipIsFinal): an APPEND refusal about the mailbox, as older versions
    // recorded Courier's READ-ONLY answer, and a FETCH that returned no body.
    const onTarget = await readFolder(tgt, bob, 'INBOX');
    const sourceMsgs = await readFolder(src, alice, 'INBOX');
    await withImap(tgt, bob, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(`${onTarget[2]!.uid},${onTarget[5]!.uid}`, { uid: true });
    });
    const uidValidity = st.store.getCheckpoint(accountKeyOf(j), 'INBOX')!.uidValidity;
    const row = (uid: number, reason: string) => ({ uid, fingerprint: '', outcome: 'skipped' as const, targetUid: null, size: sourceMsgs.find((m) => m.uid === uid)!.rfc822Size, reason });
    st.store.recordMessages(accountKeyOf(j), 'INBOX', uidValidity, [
      row(sourceMsgs[2]!.uid, 'MESSAGE_REJECTED: Current box is selected READ-ONLY.'),
      row(sourceMsgs[5]!.uid, 'deleted on the source while the migration ran'),
    ]);
    const before = await verifyAccount(j, { deep: false, stateDir: st.dir });
    console.log(`vm-skip | ${s} -> ${t} | ${before.status} ${JSON.stringify(before.totals)}`);
    expect(before.status, brief(before)).toBe('differences');
    expect(before.folders[0]!.missing.map((m) => m.uid).sort((a, b) => a - b)).toEqual([sourceMsgs[2]!.uid, sourceMsgs[5]!.uid]);
    expect(before.totals).toMatchObject({ missing: 2, skipped: 0 });
    const fixed = await copyMissing(j, before, st.store);
    expect(fixed).toEqual({ copied: 2, refused: [] });
    const after = await verifyAccount(j, { deep: true, stateDir: st.dir });
    expect(after.status, brief(after)).toBe('verified');
    // The engine agrees: a run now copies nothing more.
    const again = await migrate(j, st.store);
    expect([again.status, again.messagesCopied]).toEqual(['done', 0]);
    expect(await readFolder(tgt, bob, 'INBOX')).toHaveLength(8);
  }, 120_000);

  it.each(INTO)('%s -> %s: a message moved to another folder on the new system is not missing, and fix does not copy it again', async (s, t) => {
    const src = servers[s]!;
    const tgt = servers[t]!;
    const alice = { ...srcUser(t, s), user: `moved-${srcUser(t, s).user}` };
    const bob = tgtUser(s, t, '3');
    await seedFolder(src, alice, 'INBOX', bulkMessages(8, 712, { prefix: 'i' }));
    await seedFolder(src, alice, folderPath(src, 'Filed'), bulkMessages(3, 713, { prefix: 'f' }));
    const st = tempStore();
    stores.push(st);
    const j = job(imapEndpoint(src, alice), imapEndpoint(tgt, bob), { chunkMessages: 10 });
    expect((await migrate(j, st.store)).status).toBe('done');
    const filed = folderPath(tgt, 'Filed');
    // The user files two messages away on the new system during the sync window.
    const inbox = await readFolder(tgt, bob, 'INBOX');
    await withImap(tgt, bob, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(`${inbox[1]!.uid},${inbox[4]!.uid}`, filed, { uid: true });
    });
    const totalBefore = (await readFolder(tgt, bob, 'INBOX')).length + (await readFolder(tgt, bob, filed)).length;
    const r = await verifyAccount(j, { deep: false, stateDir: st.dir });
    console.log(`vm-moved | ${s} -> ${t} | ${r.status} ${JSON.stringify(r.totals)}`);
    expect(r.status, brief(r)).toBe('verified');
    expect(r.totals).toMatchObject({ missing: 0, extra: 0 });
    const inInbox = r.folders.find((f) => f.source === 'INBOX')!;
    expect(inInbox.elsewhere.map((m) => m.targetFolder)).toEqual([filed, filed]);
    const fixed = await copyMissing(j, r, st.store);
    expect(fixed.copied).toBe(0);
    expect((await readFolder(tgt, bob, 'INBOX')).length + (await readFolder(tgt, bob, filed)).length).toBe(totalBefore);
  }, 120_000);
});
