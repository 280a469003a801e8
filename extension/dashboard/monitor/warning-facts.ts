import type { AccountWarning } from '../../../shared/protocol/account';
import type { Translator } from '../../i18n';

/**
 * A pass warning's facts (which folder, which message, which dates) in the UI's language,
 * from the data the engine attaches to it. A warning without facts (one the engine words
 * only, or one kept by an older version of the bridge) has none here: the drawer then
 * shows the code's sentence, and in English the engine's text.
 */
export function warningFactsText(w: Pick<AccountWarning, 'facts'>, t: Translator, date: (iso: string) => string): string | null {
  const f = w.facts;
  if (!f) return null;
  switch (f.kind) {
    case 'folder-renamed':
      return t('warningFolderRenamed', { from: f.from, to: f.to });
    case 'folder-moved':
      return t('warningFolderMoved', { from: f.from, to: f.to, target: f.target });
    case 'date-changed':
      return t('warningDateChanged', { message: f.message, folder: f.folder, target: f.target, targetUid: String(f.targetUid), sent: date(f.sent), stored: date(f.stored) });
    case 'dates-counted':
      return t('warningDatesCounted', { count: String(f.count), folder: f.folder });
    case 'message-changed': {
      const named = f.copies.map((c) => `${c.message} → ${c.targetUid}`).join(', ');
      const more = f.count - f.copies.length;
      return t('warningMessageChanged', { count: String(f.count), from: f.from, to: f.to, uids: more > 0 ? `${named} … (+${more})` : named });
    }
    case 'folder-unreadable':
      // An error's fact: ErrorRemedy words it.
      return null;
  }
}
