/**
 * Test doubles for the components project: the extension modules that reach the background
 * worker (page-client, panel-client) or watch what it stored and what covers the page
 * (use-bridge-state, visibility). The project's files share a worker's module cache (isolate:
 * false), so a file's own vi.mock factory would be bound only into the components the first file
 * imported, and later files would talk to the first file's closures. Instead components-setup.ts
 * mocks each module once, for every file, with functions that forward to what the running file
 * installed here with stub…(), or to the real module when it installed nothing; the setup file
 * puts the real ones back before each file.
 */
import { vi, type Mock } from 'vitest';
import type { MailmoverDb } from '../../extension/db/schema';

type Fn = (...args: never[]) => unknown;

/** The functions that forward, by module (other exports, such as PageRequestError, stay the real ones). */
const FORWARDED = {
  'page-client': ['bridgeRequest', 'bridgeRequestRaw', 'bridgeCommand'],
  'use-bridge-state': ['useBridgeState'],
  'panel-client': ['claimTicket', 'listSites', 'enableSite', 'disableSite'],
  visibility: ['watchVisibility', 'useUnobscured'],
} as const;
export type DoubledModule = keyof typeof FORWARDED;

/** What the running file installed, by module; a module it did not stub is the real one. */
let installed: Partial<Record<DoubledModule, Partial<Record<string, Fn>>>> = {};
/**
 * One set of vi.fn per module, whichever copy of the mocked module asks: the components and a
 * test file that imports the module itself (to set a one-off answer, or read the calls) then
 * hold the same functions.
 */
const forwarders: Partial<Record<DoubledModule, Record<string, Mock>>> = {};

/** The module as components-setup.ts's vi.mock gives it: the real one, its functions forwarding. */
export function doubled<M extends object>(name: DoubledModule, actual: M): M {
  const real = actual as Record<string, Fn>;
  forwarders[name] ??= Object.fromEntries(
    FORWARDED[name].map((key) => [
      key,
      vi.fn((...args: never[]) => {
        const stub = installed[name];
        if (!stub) return real[key]!(...args);
        // As a vi.mock factory that returns no such export: the file did not expect this call.
        const f = stub[key];
        if (!f) throw new Error(`[extension-doubles] No "${key}" is stubbed for ${name} by this test file.`);
        return f(...args);
      }),
    ]),
  );
  return { ...actual, ...forwarders[name] };
}

/** Before each file: every module real again, and no call or one-off answer of the last file kept. */
export function restoreRealModules(): void {
  installed = {};
  for (const fns of Object.values(forwarders)) for (const fn of Object.values(fns)) fn.mockReset();
}

/**
 * The bridge as this file's components reach it through extension/lib/page-client. A function
 * left out throws when called, as a missing export of a vi.mock factory did. Failures are thrown
 * as the real PageRequestError (import it from the page-client module, as the components do).
 */
export function stubPageClient(stub: { bridgeRequest?: Fn; bridgeRequestRaw?: Fn; bridgeCommand?: Fn }): void {
  installed['page-client'] = stub;
}

/** useBridgeState of extension/hooks/use-bridge-state, for this file. */
export function stubBridgeState(useBridgeState: Fn): void {
  installed['use-bridge-state'] = { useBridgeState };
}

/** extension/panel/panel-client for this file (functions left out throw when called). */
export function stubPanelClient(stub: { claimTicket?: Fn; listSites?: Fn; enableSite?: Fn; disableSite?: Fn }): void {
  installed['panel-client'] = stub;
}

/** extension/panel/visibility for this file (functions left out throw when called). */
export function stubVisibility(stub: { watchVisibility?: Fn; useUnobscured?: Fn }): void {
  installed.visibility = stub;
}

/**
 * The bridge as the self-service page's tests see it: every request is kept in `sent`;
 * account.credentials answers with the mirror's account, and endpoint.test with a login that
 * worked. `answerFrom` names the mirror the answers read the account from, and forgets what
 * earlier tests sent.
 */
export function stubSelfServiceBridge(): { sent: Array<{ type: string; params: unknown }>; answerFrom: (db: MailmoverDb) => void } {
  const sent: Array<{ type: string; params: unknown }> = [];
  let mirror: MailmoverDb | undefined;
  stubPageClient({
    bridgeRequest: vi.fn(async (type: string, params: unknown) => {
      sent.push({ type, params });
      return { account: await mirror?.accounts.get('acc_self') };
    }),
    bridgeRequestRaw: vi.fn(async (type: string, params: unknown) => {
      sent.push({ type, params });
      return { ok: true, error: null, folders: 4, ms: 30, report: null };
    }),
  });
  return {
    sent,
    answerFrom(db) {
      mirror = db;
      sent.length = 0;
    },
  };
}
