import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { targetStatuses } from '../../bridge/engine/target-statuses';

/** The parts of an imapflow client a listing reads: its capabilities, namespace and list(). */
function client(capabilities: string[], list: () => Promise<unknown[]>): ImapFlow & { listed: number } {
  const c = {
    listed: 0,
    capabilities: new Map(capabilities.map((x) => [x, true])),
    namespace: { prefix: '', delimiter: '/' },
    list: () => {
      c.listed++;
      return list();
    },
  };
  return c as unknown as ImapFlow & { listed: number };
}

const folder = (path: string, messages: number) => ({ path, delimiter: '/', flags: new Set(), status: { path, messages, uidNext: messages + 1, uidValidity: 7n } });

describe('targetStatuses', () => {
  it('gives each target folder its listed STATUS, except a folder several source folders map to', async () => {
    const target = client(['LIST-STATUS'], async () => [folder('INBOX', 3), folder('Archive', 5), folder('Other', 1)]);
    const got = await targetStatuses(target, [{ target: 'INBOX' }, { target: 'Archive' }, { target: 'Archive' }]);
    expect([...got]).toEqual([['INBOX', { messages: 3, uidNext: 4, uidValidity: 7 }]]);
  });

  it('asks nothing of a target without LIST-STATUS', async () => {
    const target = client([], async () => [folder('INBOX', 3)]);
    expect((await targetStatuses(target, [{ target: 'INBOX' }])).size).toBe(0);
    expect(target.listed).toBe(0);
  });

  it('gives nothing when the listing fails: each plan then asks its own STATUS', async () => {
    const target = client(['LIST-STATUS'], async () => Promise.reject(new Error('connection lost')));
    expect((await targetStatuses(target, [{ target: 'INBOX' }])).size).toBe(0);
    expect(target.listed).toBe(1);
  });
});
