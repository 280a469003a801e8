/**
 * RFC 6154 special-use roles the migration cares about.
 *
 * Pure TypeScript (shared by the browser extension and the Node bridge): no Node APIs.
 */
export const SPECIAL_USES = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'] as const;
export type SpecialUse = (typeof SPECIAL_USES)[number];

/**
 * Name used on the target when it has no folder with the role (under the target's personal
 * namespace prefix). `\All` and `\Flagged` are virtual views on most servers (Gmail's All Mail and
 * Starred), so they get no invented English folder: without a target folder of that role they are
 * copied as ordinary custom folders under their own name.
 */
export const STANDARD_ROLE_NAMES: Readonly<Partial<Record<SpecialUse, string>>> = {
  '\\Sent': 'Sent',
  '\\Drafts': 'Drafts',
  '\\Trash': 'Trash',
  '\\Junk': 'Junk',
  '\\Archive': 'Archive',
};

/** ASCII-only lower-casing: IMAP atoms and the English folder names compare case-insensitively,
 *  other scripts are compared as they are. */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function isSpecialUse(value: string): value is SpecialUse {
  return (SPECIAL_USES as readonly string[]).includes(value);
}

/** Old XLIST (Gmail before RFC 6154) attribute names for the same roles. */
const XLIST_ALIASES: Readonly<Record<string, SpecialUse>> = {
  '\\spam': '\\Junk',
  '\\starred': '\\Flagged',
  '\\allmail': '\\All',
};

/**
 * The special-use role carried by LIST attributes (case-insensitive, RFC 9051 §9), including
 * the XLIST spellings \Spam, \Starred and \AllMail. Returns the first role in SPECIAL_USES order.
 */
export function specialUseFromFlags(flags: readonly string[]): SpecialUse | undefined {
  const listed = new Set(flags.map(foldAscii));
  for (const use of SPECIAL_USES) {
    if (listed.has(foldAscii(use))) return use;
  }
  for (const [alias, use] of Object.entries(XLIST_ALIASES)) {
    if (listed.has(alias)) return use;
  }
  return undefined;
}

/** Case-insensitive test for a LIST attribute such as '\\Noselect'. */
export function hasFlag(flags: readonly string[], flag: string): boolean {
  const wanted = foldAscii(flag);
  return flags.some((f) => foldAscii(f) === wanted);
}

/** INBOX is case-insensitive (RFC 3501 §5.1). */
export function isInboxName(name: string): boolean {
  return foldAscii(name) === 'inbox';
}
