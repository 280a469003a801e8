import type { AccountWarning } from '../../../shared/protocol/account';
import type { Translator } from '../../i18n';

/**
 * The facts of a pass warning (which folder, which message, which dates), read from the
 * engine's text so that the UI can state them in its own language: the engine words them in
 * English for the CLI. The patterns are those of the engine's warnings (target-folders.ts,
 * folder-renames.ts, stored-dates.ts, account-result.ts); test/unit/warning-facts.test.ts reads
 * the engine's own output, so a change of wording there fails it. A text no pattern knows has
 * no facts: the drawer then shows the code's sentence, and English the engine's text.
 */
export type WarningFacts =
  | { kind: 'folder-renamed'; from: string; to: string }
  | { kind: 'folder-moved'; from: string; to: string; target: string }
  | { kind: 'date-changed'; message: string; folder: string; target: string; targetUid: string; sent: string; stored: string }
  | { kind: 'dates-counted'; count: string; folder: string }
  | { kind: 'message-changed'; count: string; from: string; to: string; uids: string };

const PATTERNS: Array<(m: string) => WarningFacts | null> = [
  (m) => {
    const r = /^The target refused the folder name "(.*)" \(".*"\); its mail goes to "(.*)" instead\.$/s.exec(m);
    return r ? { kind: 'folder-renamed', from: r[1]!, to: r[2]! } : null;
  },
  (m) => {
    const r = /^Source folder "(.*)" was renamed to "(.*)" since the last run: .* is now "(.*)"\.$/s.exec(m);
    return r ? { kind: 'folder-moved', from: r[1]!, to: r[2]!, target: r[3]! } : null;
  },
  (m) => {
    const r = /^(.*) of "(.*)" was copied to "(.*)" \(target UID (\d+)\) with the date (\S+), but the target keeps (\S+) instead:/s.exec(m);
    return r ? { kind: 'date-changed', message: r[1]!, folder: r[2]!, target: r[3]!, targetUid: r[4]!, sent: r[5]!, stored: r[6]! } : null;
  },
  (m) => {
    const r = /^(\d+) more message\(s\) copied to "(.*)" \(target UIDs/s.exec(m);
    return r ? { kind: 'dates-counted', count: r[1]!, folder: r[2]! } : null;
  },
  (m) => {
    const r = /^(\d+) message\(s\) copied from "(.*)" to "(.*)" were stored by the target with changes: .* \(((?:.* -> target UID \d+(?:, )?)+)\)\. They are on the target/s.exec(m);
    return r ? { kind: 'message-changed', count: r[1]!, from: r[2]!, to: r[3]!, uids: r[4]!.replace(/ -> target UID /g, ' → ') } : null;
  },
];

export function warningFacts(w: Pick<AccountWarning, 'message'>): WarningFacts | null {
  for (const p of PATTERNS) {
    const f = p(w.message);
    if (f) return f;
  }
  return null;
}

/** The facts in the UI's language, or null when the text has none this module knows. */
export function warningFactsText(w: Pick<AccountWarning, 'message'>, t: Translator, date: (iso: string) => string): string | null {
  const f = warningFacts(w);
  if (!f) return null;
  switch (f.kind) {
    case 'folder-renamed':
      return t('warningFolderRenamed', { from: f.from, to: f.to });
    case 'folder-moved':
      return t('warningFolderMoved', { from: f.from, to: f.to, target: f.target });
    case 'date-changed':
      return t('warningDateChanged', { message: f.message, folder: f.folder, target: f.target, targetUid: f.targetUid, sent: date(f.sent), stored: date(f.stored) });
    case 'dates-counted':
      return t('warningDatesCounted', { count: f.count, folder: f.folder });
    case 'message-changed':
      return t('warningMessageChanged', { count: f.count, from: f.from, to: f.to, uids: f.uids });
  }
}
