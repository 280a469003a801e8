/**
 * The panel's copy of the mirror is replaced whole, in one transaction: a page reading it never
 * sees the bridge's new snapshot time beside the accounts of before that snapshot (the webmail
 * panel would say "no migration was opened for you" from the empty mirror of a first pairing).
 */
import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../extension/db/schema';
import { applyMirrorUpdate } from '../../extension/panel/mirror-relay';
import { MirrorUpdateSchema } from '../../extension/panel/messages';
import { makeAccount, makeJob } from './extension-account-fixture';

describe('the panel mirror relay', () => {
  it('applies settings, jobs and accounts together: readers see the old state or the new, never a mix', async () => {
    const d = openDb('mirror-relay-atomic');
    await d.settings.put({ key: 'lastSnapshotAt', value: '2025-01-01T00:00:00.000Z' });
    const seen: Array<[number, string]> = [];
    const sub = liveQuery(() =>
      d.transaction('r', d.accounts, d.settings, async () => [await d.accounts.count(), String((await d.settings.get('lastSnapshotAt'))?.value)] as [number, string]),
    ).subscribe({ next: (v) => seen.push(v) });
    const job = { ...makeJob(), syncedAt: '2025-02-01T00:00:00.000Z' };
    const accounts = [1, 2, 3].map((i) => ({ ...makeAccount({ id: `acc_${i}`, source: `u${i}@old.example`, target: `u${i}@new.example` }), progress: null, syncedAt: '2025-02-01T00:00:00.000Z' }));
    const update = MirrorUpdateSchema.parse({ settings: [{ key: 'lastSnapshotAt', value: '2025-02-01T00:00:00.000Z' }], jobs: [job], accounts, events: [] });
    await applyMirrorUpdate(d, update);
    await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    expect(seen.at(-1)).toEqual([3, '2025-02-01T00:00:00.000Z']);
    for (const [count, at] of seen) expect([count, at]).toEqual(at === '2025-02-01T00:00:00.000Z' ? [3, at] : [0, '2025-01-01T00:00:00.000Z']);
    expect(await d.jobs.count()).toBe(1);
    d.close();
  });
});
