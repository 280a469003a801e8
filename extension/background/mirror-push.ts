/**
 * Feeds the panel page's copy of the mirror (extension/panel/mirror-relay.ts) over a runtime port:
 * each table's rows when the panel connects, then again whenever the table changes here (Dexie's
 * liveQuery sees every write of this worker). A busy migration writes progress many times a
 * second, so a table is sent at most every PUSH_INTERVAL_MS, always with its latest rows.
 */
import { liveQuery } from 'dexie';
import type { Browser } from 'wxt/browser';
import { db, type MailmoverDb } from '../db/schema';
import { MIRROR_TABLES } from '../panel/messages';
import { isExtensionPage } from './panel-router';

const PUSH_INTERVAL_MS = 250;

type Port = Browser.runtime.Port;
type Table = (typeof MIRROR_TABLES)[number];

/** What the panel needs of each table: the bridge state, every job and account, the last 500 events. */
function readTable(d: MailmoverDb, table: Table): Promise<unknown[]> {
  switch (table) {
    case 'settings':
      return d.settings.where('key').anyOf('bridge', 'lastSnapshotAt').toArray();
    case 'jobs':
      return d.jobs.toArray();
    case 'accounts':
      return d.accounts.toArray();
    case 'events':
      return d.events.orderBy('seq').reverse().limit(500).toArray();
  }
}

/** Calls send with the latest value at most every intervalMs (the first at once). */
function throttled<T>(send: (value: T) => void, intervalMs: number): { push(value: T): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: { value: T } | undefined;
  const flush = () => {
    timer = undefined;
    if (!pending) return;
    const { value } = pending;
    pending = undefined;
    send(value);
    timer = setTimeout(flush, intervalMs);
  };
  return {
    push(value) {
      pending = { value };
      if (!timer) flush();
    },
    stop() {
      clearTimeout(timer);
      pending = undefined;
    },
  };
}

/** Serves one panel port; ports from anything but the extension's panel page are closed. */
export function pushMirror(port: Port, d: MailmoverDb = db()): void {
  if (!isExtensionPage(port.sender ?? {}, '/panel.html')) {
    port.disconnect();
    return;
  }
  const stops = MIRROR_TABLES.map((table) => {
    const out = throttled<unknown[]>((rows) => {
      try {
        port.postMessage({ table, rows });
      } catch {
        // The panel closed between the change and the send: onDisconnect cleans up.
      }
    }, PUSH_INTERVAL_MS);
    const sub = liveQuery(() => readTable(d, table)).subscribe({ next: (rows) => out.push(rows), error: () => undefined });
    return () => {
      sub.unsubscribe();
      out.stop();
    };
  });
  port.onDisconnect.addListener(() => {
    for (const stop of stops) stop();
  });
}
