import type { FolderMapping } from '../../shared/folders/map-folders';
import { foldAscii } from '../../shared/folders/special-use';
import type { MailboxLayout } from './discover';
import type { StateStore } from './state-store';

/** A name with its look-alike characters (full-width forms, ideographic space) read as ASCII. */
function plain(name: string): string {
  return Array.from(name, (ch) => {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCodePoint(cp - 0xfee0);
    if (cp === 0x3000) return ' ';
    return ch;
  }).join('');
}

/**
 * Keeps a folder's mail where earlier runs put it. The target name of a folder can change
 * between runs without the user asking for it: an older version replaced `+` by `＋`, a
 * name the target refused was given look-alike characters, --target-provider changed.
 * When the folder's checkpoint names a target folder that still exists and differs from
 * today's mapping only in such characters, the mapping goes on using it, instead of
 * starting a second copy next to the first. A real change (another mode, another tree)
 * is left alone.
 */
export function keepRecordedTargets(store: StateStore, account: string, mappings: FolderMapping[], target: MailboxLayout): void {
  const present = new Set(target.folders.map((f) => f.path));
  const claimed = new Set(mappings.map((m) => foldAscii(m.target)));
  for (const m of mappings) {
    const recorded = store.getCheckpoint(account, m.source)?.targetFolder;
    if (!recorded || recorded === m.target || !present.has(recorded)) continue;
    if (plain(recorded) === plain(m.target)) {
      m.target = recorded;
      continue;
    }
    // A collision suffix given when another source folder had the same name ('case' next to
    // 'Case' became 'case (2)') is dropped by today's mapping once that folder is gone: the
    // folder would go on in a new target folder while its earlier mail stays in the old one.
    if (withoutSuffixes(recorded, target.delimiter) === m.target && !claimed.has(foldAscii(recorded))) {
      claimed.delete(foldAscii(m.target));
      claimed.add(foldAscii(recorded));
      m.target = recorded;
    }
  }
}

/** The path without the ' (n)' mapFolders adds to a colliding segment (a parent's too). */
function withoutSuffixes(path: string, delimiter: string): string {
  return path
    .split(delimiter)
    .map((seg) => seg.replace(/ \((?:[2-9]|[1-9]\d+)\)$/, ''))
    .join(delimiter);
}
