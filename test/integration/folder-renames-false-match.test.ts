/**
 * A folder taken for a renamed one when it is not (folder-renames.ts), from every source kind
 * into Dovecot:
 * - copied-then-deleted: a few of X's messages copied into a new folder Y, then X deleted on the
 *   source. Y is not X renamed: X's copy on the target keeps its name and its mail, and Y's copy
 *   holds only Y's messages.
 * - copied-then-deleted, Y grown: the same, but Y holds more messages than X had (its UIDNEXT is
 *   past X's highest recorded UID) and X's copies are only some of Y's first messages.
 * - copied-then-deleted, Y's own mail past the sample (Dovecot, Y given X's UIDVALIDITY with
 *   doveadm): X had more messages than the sample (SAMPLE, 10); Y holds copies of X's first ten
 *   and then its own, at UIDs X's checkpoint covers. Taken for X, Y's own mail was never copied.
 * - rebuilt + full copy (Dovecot, UIDVALIDITY set with doveadm as an index rebuild does): a folder
 *   F keeps its name and messages under a new UIDVALIDITY while a new folder G holds a copy of F.
 *   F's checkpoint is F's, not a renamed-away folder's: F's copy on the target (with what the
 *   user filed there) is not renamed to G, and F is not copied a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { folderState, seedFolder, setUidValidity, withImap } from '../harness/mailbox';
import type { DovecotServer } from '../harness/dovecot';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { imapEndpoint } from './matrix-engine-support';

const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
const alice = (s: string, k: ServerKind): MailUser => ({ user: `alice-${s}-${k}@old.example.com`, password: 'Falsematch-src-pw-3Kd' });
const bob = (s: string, k: ServerKind): MailUser => ({ user: `bob-${s}-${k}@new.example.com`, password: 'Falsematch-tgt-pw-8Wq' });
const servers = new Map<ServerKind, AnyMailServer>();

const message = (id: string) => ({ raw: textMessage({ id, subject: id }), flags: ['\\Seen'], internalDate: new Date('2021-06-01T08:00:00Z') });



async function append(server: AnyMailServer, user: MailUser, folder: string, ids: string[]): Promise<void> {
  await withImap(server, user, async (c) => {
    for (const id of ids) {
      const m = message(id);
      await c.append(folder, m.raw, m.flags, m.internalDate);
    }
  });
}

beforeAll(async () => {
  const users = KINDS.flatMap((k) => [alice('cd', k), bob('cd', k), alice('cg', k), bob('cg', k), alice('rb', k), bob('rb', k)]);
  users.push(alice('cl', 'dovecot'), bob('cl', 'dovecot'), alice('cs', 'dovecot'), bob('cs', 'dovecot'));
  await Promise.all(KINDS.map(async (kind) => servers.set(kind, await startConfig(MATRIX.find((m) => m.kind === kind)!, { name: `fm-${kind}`, users }))));
});

afterAll(async () => {
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
});

describe.each(KINDS)('folder renames, false matches: %s -> dovecot', (sk) => {
  it.each([
    ['a few messages of X copied into a new folder Y, then X deleted: Y is not X renamed', 'cd', ['x1', 'x2', 'x3']],
    // Y's UIDs 1..6 hold x1 x2 x3 y1 y2 y3 and its UIDNEXT (8) is past X's highest recorded UID (6).
    ["three of X's six messages copied into a new folder Y that then gets four more, X deleted: Y is not X renamed", 'cg', ['x1', 'x2', 'x3', 'y1', 'y2', 'y3', 'y4']],
  ] as const)('%s', async (_title, key, yIds) => {
    const src = servers.get(sk)!;
    const tgt = servers.get('dovecot')!;
    const a = alice(key, sk);
    const b = bob(key, sk);
    const p = (n: string) => folderPath(src, n);
    const t = (n: string) => folderPath(tgt, n);
    await seedFolder(src, a, p('X'), ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'].map(message));
    const state = tempStore();
    try {
      const j = job(imapEndpoint(src, a), imapEndpoint(tgt, b));
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(6);

      await seedFolder(src, a, p('Y'), yIds.map(message));
      await withImap(src, a, (c) => c.mailboxDelete(p('X')));
      const second = await migrate(j, state.store);
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.warnings.map((w) => w.code), passSummary(second)).not.toContain('FOLDER_RENAMED');
      expect(await idsByFolder(tgt, b), passSummary(second)).toEqual({ [t('X')]: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], [t('Y')]: [...yIds].sort() });
    } finally {
      state.cleanup();
    }
  });
});

describe('folder renames, false matches, own mail past the sampled UIDs: dovecot (Y given X\'s UIDVALIDITY with doveadm)', () => {
  it('X\'s first ten of twelve messages copied into a new folder Y with X\'s UIDVALIDITY that then gets two more, X deleted: Y\'s own mail is copied', async () => {
    const src = servers.get('dovecot')!;
    const a = alice('cl', 'dovecot');
    const b = bob('cl', 'dovecot');
    const xs = Array.from({ length: 12 }, (_, i) => `x${i + 1}`);
    await seedFolder(src, a, 'X', xs.map(message));
    const state = tempStore();
    try {
      const j = job(imapEndpoint(src, a), imapEndpoint(src, b));
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(12);

      // Y's UIDs 1..10 (the sampled ones) hold x1..x10; y1 y2 sit at UIDs 11 and 12, which X's
      // checkpoint (lastUid 12) covers; Y's UIDNEXT (13) is past X's highest recorded UID. Y gets
      // X's UIDVALIDITY, as Cyrus and Courier give a folder made in the same second.
      const validity = Number((await folderState(src, a, 'X')).uidValidity);
      await seedFolder(src, a, 'Y', [...xs.slice(0, 10), 'y1', 'y2'].map(message));
      await withImap(src, a, (c) => c.mailboxDelete('X'));
      await setUidValidity(src as DovecotServer, a, 'Y', validity);
      const second = await migrate(j, state.store);
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.warnings.map((w) => w.code), passSummary(second)).not.toContain('FOLDER_RENAMED');
      expect(await idsByFolder(src, b), passSummary(second)).toEqual({ X: [...xs].sort(), Y: [...xs.slice(0, 10), 'y1', 'y2'].sort() });
    } finally {
      state.cleanup();
    }
  });
});

describe('folder renames with --since: dovecot', () => {
  it('a renamed folder whose older messages the filter left without a row is still recognised: nothing copied twice', async () => {
    const src = servers.get('dovecot')!;
    const a = alice('cs', 'dovecot');
    const b = bob('cs', 'dovecot');
    // Old and new messages take turns: the old ones (before --since) have no row, at UIDs the checkpoint covers.
    const dated = (id: string, i: number) => ({ ...message(id), internalDate: new Date(i % 2 === 0 ? '2019-01-01T08:00:00Z' : '2023-01-01T08:00:00Z') });
    const ids = Array.from({ length: 24 }, (_, i) => `r${i + 1}`);
    await seedFolder(src, a, 'R', ids.map(dated));
    const state = tempStore();
    try {
      const j = job(imapEndpoint(src, a), imapEndpoint(src, b), { since: new Date('2022-01-01T00:00:00Z') });
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(12);
      await withImap(src, a, (c) => c.mailboxRename('R', 'S'));
      const second = await migrate(j, state.store);
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.messagesCopied, passSummary(second)).toBe(0);
      expect(second.warnings.map((w) => w.code), passSummary(second)).toContain('FOLDER_RENAMED');
    } finally {
      state.cleanup();
    }
  });
});

describe('folder renames, false matches: dovecot (UIDVALIDITY set by doveadm)', () => {
  it('a folder whose UIDVALIDITY changed (index rebuild) while a new folder holds a copy of it: nothing copied twice', async () => {
    const src = servers.get('dovecot')!;
    const a = alice('rb', 'dovecot');
    const b = bob('rb', 'dovecot');
    await seedFolder(src, a, 'F', ['f1', 'f2', 'f3', 'f4'].map(message));
    const state = tempStore();
    try {
      const j = job(imapEndpoint(src, a), imapEndpoint(src, b));
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(4);

      // Meanwhile the user files a message into F's copy in the new mailbox, keeps a copy of F
      // in a new folder G on the old one (same order, so same UIDs), and F's index is rebuilt.
      await append(src, b, 'F', ['t1']);
      await seedFolder(src, a, 'G', ['f1', 'f2', 'f3', 'f4', 'g1'].map(message));
      const before = Number((await folderState(src, a, 'F')).uidValidity);
      await setUidValidity(src as DovecotServer, a, 'F', before + 1000);
      const second = await migrate(j, state.store);
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.messagesCopied, passSummary(second)).toBe(5);
      expect(await idsByFolder(src, b), passSummary(second)).toEqual({ F: ['f1', 'f2', 'f3', 'f4', 't1'], G: ['f1', 'f2', 'f3', 'f4', 'g1'] });
      expect(second.warnings.map((w) => w.code), passSummary(second)).not.toContain('FOLDER_RENAMED');

      const third = await migrate(j, state.store);
      expect(third.messagesCopied, passSummary(third)).toBe(0);
    } finally {
      state.cleanup();
    }
  });
});
