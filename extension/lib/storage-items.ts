/**
 * Everything the extension keeps in chrome.storage.local, as WXT storage items (one per key; the
 * keys are the ones earlier versions wrote, so nothing moves). The pairing secret lives here
 * (never in Dexie, which pages read), and the background worker restricts chrome.storage.local to
 * extension pages and itself (setAccessLevel TRUSTED_CONTEXTS) so a content script cannot read it.
 * No password is ever stored anywhere in the extension.
 *
 * Values are checked when read: storage outlives versions of this code.
 */
import { storage, type WxtStorageItem } from 'wxt/utils/storage';
import { z } from 'zod';
import type { Locale } from '../i18n';
import { EnabledSitesSchema, type EnabledSite } from '../panel/messages';
import { normalizePort } from './bridge';

/**
 * Defining a WXT item reads it at once (its init step), which fails outside extension storage:
 * in content scripts (storage.local is closed to them) and in the component tests. So each item
 * is defined on first use, by the code that really reads or writes it.
 */
function lazyItem<T>(define: () => WxtStorageItem<T | null, {}>): () => WxtStorageItem<T | null, {}> {
  let item: WxtStorageItem<T | null, {}> | undefined;
  return () => (item ??= define());
}

/**
 * What pairing leaves behind: the token's id and the per-pairing key of the WebSocket
 * handshake. The raw token is not kept: the extension proves itself with the key, so it has
 * nothing to send that a program posing as the bridge could replay.
 */
export const StoredPairingSchema = z.object({
  tokenId: z.string().min(1).max(64),
  key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** The extension origin the bridge trusts for this pairing (recorded at pairing). */
  origin: z.string().min(1).max(200),
  port: z.number().int().min(1).max(65535),
  pairedAt: z.string(),
});
export type StoredPairing = z.infer<typeof StoredPairingSchema>;

export function parseStoredPairing(value: unknown): StoredPairing | undefined {
  const parsed = StoredPairingSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export const pairingItem = lazyItem(() => storage.defineItem<StoredPairing>('local:bridgePairing'));
/** Where versions before the handshake kept the raw token: removed at start, never read. */
export const legacyTokenItem = lazyItem(() => storage.defineItem<string>('local:bridgeToken'));
/** Overrides the bridge's port (tests, custom setups). */
export const bridgePortItem = lazyItem(() => storage.defineItem<number>('local:bridgePort'));
/** The UI language the person chose; none: the browser's. */
export const localeItem = lazyItem(() => storage.defineItem<Locale>('local:locale'));
/** The sites enabled from the popup (the launcher asks for its own with panel.setup). */
export const enabledSitesItem = lazyItem(() => storage.defineItem<EnabledSite[]>('local:enabledSites'));

export async function readPairing(): Promise<StoredPairing | undefined> {
  return parseStoredPairing(await pairingItem().getValue());
}

/** The stored port if it is a valid TCP port, otherwise the default. */
export async function readBridgePort(): Promise<number> {
  return normalizePort(await bridgePortItem().getValue());
}

export function asLocale(value: unknown): Locale | null {
  return value === 'en' || value === 'zh-CN' ? value : null;
}

export async function readLocale(): Promise<Locale | null> {
  return asLocale(await localeItem().getValue());
}

export async function readEnabledSites(): Promise<EnabledSite[]> {
  const parsed = EnabledSitesSchema.safeParse((await enabledSitesItem().getValue()) ?? []);
  return parsed.success ? parsed.data : [];
}
