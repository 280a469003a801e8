/**
 * Punctuation the code puts between translated pieces. Chinese text takes the full-width marks
 * (（）：) and no space around them; ASCII ones next to Chinese characters read as a typo.
 */
import type { Locale } from './index';

/** A remark in brackets after what it qualifies: " (remark)" in English, "（remark）" in Chinese. */
export function aside(locale: Locale, remark: string): string {
  return locale === 'zh-CN' ? `（${remark}）` : ` (${remark})`;
}

/** Items of a list in a sentence: "a, b" in English, "a、b" (the enumeration comma) in Chinese. */
export function listOf(locale: Locale, items: readonly string[]): string {
  return items.join(locale === 'zh-CN' ? '、' : ', ');
}

/** The mark between a label and its value: ": " in English, "：" in Chinese. */
export function labelMark(locale: Locale): string {
  return locale === 'zh-CN' ? '：' : ': ';
}
