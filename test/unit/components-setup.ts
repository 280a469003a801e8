/**
 * Run before every file of the components project. Its files share their worker's module cache
 * and its jsdom window (isolate: false), so what one file changes there must not reach the next
 * in whatever order they run: the extension modules a file stubs are real again
 * (extension-doubles.ts), the extension's database is a fresh, empty one, and the window is put
 * back as jsdom made it.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { IDBFactory } from 'fake-indexeddb';
import { vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { restoreRealModules } from './extension-doubles';

// Before any file imports a component, so that every component, cached for the files after it,
// holds the forwarding functions.
vi.mock('../../extension/lib/page-client', async (real) => (await import('./extension-doubles')).doubled('page-client', await real()));
vi.mock('../../extension/hooks/use-bridge-state', async (real) => (await import('./extension-doubles')).doubled('use-bridge-state', await real()));
vi.mock('../../extension/panel/panel-client', async (real) => (await import('./extension-doubles')).doubled('panel-client', await real()));
vi.mock('../../extension/panel/visibility', async (real) => (await import('./extension-doubles')).doubled('visibility', await real()));

interface Pristine {
  htmlElement: PropertyDescriptorMap;
  url: PropertyDescriptorMap;
  title: string;
  lang: string | null;
}
// This file is evaluated again for every test file; the first evaluation comes before any file ran.
const KEY = Symbol.for('mailmover.components-setup.pristine');
const store = globalThis as unknown as Record<symbol, Pristine | undefined>;
const pristine = (store[KEY] ??= {
  htmlElement: Object.getOwnPropertyDescriptors(HTMLElement.prototype),
  url: Object.getOwnPropertyDescriptors(URL),
  title: document.title,
  lang: document.documentElement.getAttribute('lang'),
});

restoreRealModules();
vi.useRealTimers();

// A new IndexedDB for every file, as each had when it imported fake-indexeddb in its own module
// cache. Dexie takes its IndexedDB when a database is constructed, so the shared database is
// made again in it.
const indexedDb = new IDBFactory();
globalThis.indexedDB = indexedDb;
Dexie.dependencies.indexedDB = indexedDb;
installDb(openDb());

/** Own properties as they were: files give elements a size (jsdom lays nothing out) and URL blob URLs. */
function restore(target: object, descriptors: PropertyDescriptorMap): void {
  for (const key of Reflect.ownKeys(target)) if (!(key in descriptors)) Reflect.deleteProperty(target, key);
  Object.defineProperties(target, descriptors);
}
restore(HTMLElement.prototype, pristine.htmlElement);
restore(URL, pristine.url);
document.title = pristine.title;
if (pristine.lang === null) document.documentElement.removeAttribute('lang');
else document.documentElement.setAttribute('lang', pristine.lang);
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
localStorage.clear();
sessionStorage.clear();
