/**
 * readFolderMeta's look at the source's index (UID SEARCH ALL) for messages its FETCH left
 * out, against a scripted client: the look does not depend on the folder's message count,
 * and an index that cannot be searched leaves the check as the FETCH gave it.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { readFolderMeta } from '../../bridge/verify/folder-meta';

function client(opts: { exists: number; sent: number[]; listed: number[]; searchFails?: boolean }): ImapFlow {
  return {
    mailboxOpen: async () => ({ exists: opts.exists, uidValidity: 5, permanentFlags: undefined }),
    fetchAll: async (range: string) =>
      range === '1:*'
        ? opts.sent.map((uid) => ({ uid, size: 100, flags: new Set<string>(), internalDate: new Date('2024-01-01T00:00:00Z'), headers: Buffer.from(`Message-ID: <m${uid}@x>\r\n\r\n`) }))
        : // The left-out messages' index data (Cyrus gives flags, size and date without the file).
          range.split(',').map(Number).map((uid) => ({ uid, size: 777, flags: new Set(['\\Seen', '\\Recent']), internalDate: new Date('2023-05-06T07:08:09Z') })),
    search: async () => {
      if (opts.searchFails) throw Object.assign(new Error('Command failed'), { responseStatus: 'NO' });
      return opts.listed;
    },
  } as unknown as ImapFlow;
}

describe('readFolderMeta on the source', () => {
  it('a message the FETCH left out is listed from the index, also when another was expunged meanwhile (EXISTS then equals what was sent)', async () => {
    // 10 listed at EXAMINE, UID 4 left out, UID 9 expunged by another client after the FETCH: EXISTS says 9, 9 came.
    const meta = await readFolderMeta(client({ exists: 9, sent: [1, 2, 3, 5, 6, 7, 8, 9, 10], listed: [1, 2, 3, 4, 5, 6, 7, 8, 10] }), 'INBOX', { listed: { recorded: () => new Map() } });
    const left = meta.messages.filter((m) => m.fingerprint.startsWith('unreadable-on-the-source:'));
    expect(left.map((m) => m.uid)).toEqual([4]);
    expect(meta.messages.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(left[0]).toMatchObject({ size: 777, flags: ['\\Seen'] });
    expect(left[0]!.internalDate.toISOString()).toBe('2023-05-06T07:08:09.000Z');
  });

  it('a left-out message the migration copied takes the fingerprint it recorded (it pairs with its copy); one it did not, a fingerprint no copy has', async () => {
    const asked: Array<[number, readonly number[]]> = [];
    const recorded = (uidValidity: number, uids: readonly number[]) => {
      asked.push([uidValidity, [...uids]]);
      return new Map([[4, 'recorded-fp-4']]);
    };
    const meta = await readFolderMeta(client({ exists: 10, sent: [1, 2, 3, 5, 6, 7, 8, 9], listed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }), 'INBOX', { listed: { recorded } });
    expect(asked).toEqual([[5, [4, 10]]]);
    expect(meta.messages.find((m) => m.uid === 4)!.fingerprint).toBe('recorded-fp-4');
    expect(meta.messages.find((m) => m.uid === 10)!.fingerprint).toBe('unreadable-on-the-source:10');
  });

  it('an index that cannot be searched: the FETCH alone, no error; the target side never asks', async () => {
    const failing = await readFolderMeta(client({ exists: 3, sent: [1, 2], listed: [], searchFails: true }), 'INBOX', { listed: { recorded: () => new Map() } });
    expect(failing.messages.map((m) => m.uid)).toEqual([1, 2]);
    const target = await readFolderMeta(client({ exists: 3, sent: [1, 2], listed: [1, 2, 3] }), 'INBOX');
    expect(target.messages.map((m) => m.uid)).toEqual([1, 2]);
  });
});
