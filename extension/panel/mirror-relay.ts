/**
 * The panel page's copy of the mirror. Framed in a web page, an extension page cannot count on
 * the extension's IndexedDB (third-party storage is blocked or partitioned there: Chromium
 * answers "The user denied permission to access the database"), so the panel installs an
 * in-memory Dexie (fake-indexeddb) as db() and the background sends it the mirror's rows
 * (panel.mirror) every second while the panel is open. The reused dashboard components read
 * db() with useLiveQuery as usual and stay live.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { browser } from 'wxt/browser';
import { installDb, openDb, type MailmoverDb } from '../db/schema';
import { MirrorSnapshotSchema, PanelResponseSchema } from './messages';

const POLL_MS = 1000;

export function installPanelDb(): MailmoverDb {
  const d = openDb('mailmover-panel', { indexedDB: new IDBFactory(), IDBKeyRange });
  installDb(d);
  return d;
}

type Row = Record<string, unknown>;

async function replaceTable(table: { toArray(): Promise<unknown[]>; bulkPut(rows: never[]): Promise<unknown>; bulkDelete(keys: never[]): Promise<void> }, rows: Row[], key: string): Promise<void> {
  const existing = new Map((await table.toArray()).map((r) => [String((r as Row)[key]), JSON.stringify(r)]));
  const changed = rows.filter((r) => existing.get(String(r[key])) !== JSON.stringify(r));
  const keep = new Set(rows.map((r) => String(r[key])));
  const gone = [...existing.keys()].filter((k) => !keep.has(k));
  if (changed.length) await table.bulkPut(changed as never[]);
  if (gone.length) await table.bulkDelete((key === 'seq' ? gone.map(Number) : gone) as never[]);
}

export async function syncOnce(d: MailmoverDb): Promise<void> {
  const raw: unknown = await browser.runtime.sendMessage({ kind: 'panel.mirror' });
  const res = PanelResponseSchema.safeParse(raw);
  if (!res.success || !res.data.ok) return;
  const snap = MirrorSnapshotSchema.safeParse(res.data.result);
  if (!snap.success) return;
  const s = snap.data;
  await d.transaction('rw', [d.settings, d.jobs, d.accounts, d.events], async () => {
    await replaceTable(d.settings, s.settings, 'key');
    await replaceTable(d.jobs, s.jobs, 'id');
    await replaceTable(d.accounts, s.accounts, 'id');
    await replaceTable(d.events, s.events, 'seq');
  });
}

export function startMirrorRelay(d: MailmoverDb): void {
  const tick = () =>
    void syncOnce(d)
      .catch(() => undefined)
      .finally(() => setTimeout(tick, POLL_MS));
  tick();
}
