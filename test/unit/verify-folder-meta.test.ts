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
    fetchAll: async () => opts.sent.map((uid) => ({ uid, size: 100, flags: new Set<string>(), internalDate: new Date('2024-01-01T00:00:00Z'), headers: Buffer.from(`Message-ID: <m${uid}@x>\r\n\r\n`) })),
    search: async () => {
      if (opts.searchFails) throw Object.assign(new Error('Command failed'), { responseStatus: 'NO' });
      return opts.listed;
    },
  } as unknown as ImapFlow;
}

describe('readFolderMeta on the source', () => {
  it('a message the FETCH left out is listed from the index, also when another was expunged meanwhile (EXISTS then equals what was sent)', async () => {
    // 10 listed at EXAMINE, UID 4 left out, UID 9 expunged by another client after the FETCH: EXISTS says 9, 9 came.
    const meta = await readFolderMeta(client({ exists: 9, sent: [1, 2, 3, 5, 6, 7, 8, 9, 10], listed: [1, 2, 3, 4, 5, 6, 7, 8, 10] }), 'INBOX', { listed: true });
    const left = meta.messages.filter((m) => m.fingerprint.startsWith('unreadable-on-the-source:'));
    expect(left.map((m) => m.uid)).toEqual([4]);
    expect(meta.messages.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Number.isNaN(left[0]!.internalDate.getTime())).toBe(true);
  });

  it('an index that cannot be searched: the FETCH alone, no error; the target side never asks', async () => {
    const failing = await readFolderMeta(client({ exists: 3, sent: [1, 2], listed: [], searchFails: true }), 'INBOX', { listed: true });
    expect(failing.messages.map((m) => m.uid)).toEqual([1, 2]);
    const target = await readFolderMeta(client({ exists: 3, sent: [1, 2], listed: [1, 2, 3] }), 'INBOX');
    expect(target.messages.map((m) => m.uid)).toEqual([1, 2]);
  });
});
