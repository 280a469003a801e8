/**
 * The content-script id of a site enabled from the popup. Kept apart from panel-router.ts (which
 * needs WXT's generated types) so that it is unit-tested on its own.
 */

/**
 * One id per origin, and never the same id for two: the origin's UTF-8 bytes in hex. Replacing
 * every other character with `_` made `mail-corp.example.com` and `mail.corp.example.com` one id,
 * so enabling one site dropped the other's launcher and disabling one removed both.
 */
export function siteScriptId(origin: string): string {
  const hex = Array.from(new TextEncoder().encode(origin), (b) => b.toString(16).padStart(2, '0')).join('');
  return 'mailmover-site-' + hex;
}
