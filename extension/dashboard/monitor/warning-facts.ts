import type { AccountWarning } from '../../../shared/protocol/account';
import { factsText } from '../../../shared/warning-facts';

/**
 * A pass warning's facts (which folder, which message, which dates) in the UI's language,
 * from the data the engine attaches to it (shared/warning-facts.ts words them, for the report
 * CSV too). A warning without facts (one the engine words only, or one kept by an older
 * version of the bridge) has none here: the drawer then shows the code's sentence, and in
 * English the engine's text.
 */
export function warningFactsText(w: Pick<AccountWarning, 'facts'>, lang: 'en' | 'zh', date: (iso: string) => string): string | null {
  return w.facts ? factsText(w.facts, lang, date) : null;
}
