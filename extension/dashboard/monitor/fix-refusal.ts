import type { Translator } from '../../i18n';

/**
 * Why the bridge refused to verify an account or copy its missing messages, as a sentence in
 * the UI's language. The bridge's reason is English; the known ones are recognised here, any
 * other is reported without its text.
 */
export function fixRefusalText(reason: string | undefined, t: Translator): string {
  const r = reason ?? '';
  if (/first pass/i.test(r)) return t('fixRefusedFirstPass');
  if (/already under way/i.test(r)) return t('fixRefusedVerifying');
  if (/running a pass/i.test(r)) return t('fixRefusedRunning');
  const pw = /no usable (source|target) password/i.exec(r);
  if (pw) return t('fixRefusedPassword', { side: pw[1]!.toLowerCase() === 'target' ? t('sideTarget') : t('sideSource') });
  if (/POP3/.test(r)) return t('fixRefusedPop3');
  if (/nothing missing/i.test(r)) return t('fixRefusedNothing');
  return t('requestConflict');
}
