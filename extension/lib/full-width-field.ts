/**
 * The check of a typed field for characters a Chinese input method gives in full-width mode
 * (imap。qiye.aliyun.com, ９９３, user＠corp.com): the CSV import's rule (shared/full-width.ts),
 * said under the field in the UI's language, so nothing is sent with them.
 */
import { fullWidthMessage, type FullWidthNoun } from '../../shared/full-width';
import { translate, type Locale, type PlainKey } from '../i18n';

/** A { en, zh } pair of a field's name, as the subject of the message. */
export type FieldSubject = { readonly en: string; readonly zh: string };

/** The subject from a dictionary key, in both languages. */
export function subjectOf(key: PlainKey): FieldSubject {
  return { en: translate('en', key), zh: translate('zh-CN', key) };
}

/** The message naming each full-width character of `value` and what to type instead, or null. */
export function fullWidthFieldError(value: string, subject: FieldSubject, locale: Locale, noun: FullWidthNoun = 'address'): string | null {
  const m = fullWidthMessage(value, subject, noun);
  return m ? (locale === 'zh-CN' ? m.zh : m.en) : null;
}
