/**
 * The panel page's copy of the mirror. Framed in a web page, an extension page cannot count on
 * the extension's IndexedDB (third-party storage is blocked or partitioned there: Chromium
 * answers "The user denied permission to access the database"), so the panel installs an
 * in-memory Dexie (fake-indexeddb) as db() and keeps a port open to the background, which sends
 * all tables' rows when the panel connects and whenever one changes, read and applied together
 * (extension/background/mirror-push.ts). The reused dashboard components read db() with
 * useLiveQuery as usual and stay live.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { browser } from 'wxt/browser';
import { installDb, openDb, type MailmoverDb } from '../db/schema';
import { MIRROR_PORT_NAME, MirrorUpdateSchema, type MirrorUpdate } from './messages';

/** After the worker stopped (the port closes with it): connecting again wakes it. */
const RECONNECT_MS = 1000;

export function installPanelDb(): MailmoverDb {
  const d = openDb('mailmover-panel', { indexedDB: new IDBFactory(), IDBKeyRange });
  installDb(d);
  return d;
}

/** Replaces every table's rows with the background's, in one transaction (one change for readers). */
export async function applyMirrorUpdate(d: MailmoverDb, update: MirrorUpdate): Promise<void> {
  await d.transaction('rw', d.settings, d.jobs, d.accounts, d.events, async () => {
    for (const name of ['settings', 'jobs', 'accounts', 'events'] as const) {
      const table = d.table(name);
      await table.clear();
      await table.bulkPut(update[name]);
    }
  });
}

export function startMirrorRelay(d: MailmoverDb): void {
  const connect = () => {
    const port = browser.runtime.connect({ name: MIRROR_PORT_NAME });
    port.onMessage.addListener((message: unknown) => {
      const update = MirrorUpdateSchema.safeParse(message);
      if (update.success) void applyMirrorUpdate(d, update.data).catch(() => undefined);
    });
    port.onDisconnect.addListener(() => setTimeout(connect, RECONNECT_MS));
  };
  connect();
}
