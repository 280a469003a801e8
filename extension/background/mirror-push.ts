/**
 * Feeds the panel page's copy of the mirror (extension/panel/mirror-relay.ts) over a runtime port:
 * the tables when the panel connects, then again whenever one changes here (Dexie's liveQuery sees
 * every write of this worker). All tables are read in one transaction and sent together, so the
 * panel sees the bridge's state, the snapshot time and the accounts of one moment. A busy
 * migration writes progress many times a second, so they are sent at most every
 * PUSH_INTERVAL_MS, always the latest.
 */
import { liveQuery } from 'dexie';
import type { Browser } from 'wxt/browser';
import { db, type MailmoverDb } from '../db/schema';
import type { MirrorUpdate } from '../panel/messages';
import { isExtensionPage } from './panel-router';

const PUSH_INTERVAL_MS = 250;

type Port = Browser.runtime.Port;

/** What the panel needs: the bridge state and snapshot time, every job and account, the last 500 events. */
function readMirror(d: MailmoverDb): Promise<MirrorUpdate> {
  return d.transaction('r', d.settings, d.jobs, d.accounts, d.events, async () => ({
    settings: await d.settings.where('key').anyOf('bridge', 'lastSnapshotAt').toArray(),
    jobs: (await d.jobs.toArray()) as unknown as MirrorUpdate['jobs'],
    accounts: (await d.accounts.toArray()) as unknown as MirrorUpdate['accounts'],
    events: (await d.events.orderBy('seq').reverse().limit(500).toArray()) as unknown as MirrorUpdate['events'],
  }));
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
  const out = throttled<MirrorUpdate>((update) => {
    try {
      port.postMessage(update);
    } catch {
      // The panel closed between the change and the send: onDisconnect cleans up.
    }
  }, PUSH_INTERVAL_MS);
  const sub = liveQuery(() => readMirror(d)).subscribe({ next: (update) => out.push(update), error: () => undefined });
  port.onDisconnect.addListener(() => {
    sub.unsubscribe();
    out.stop();
  });
}
