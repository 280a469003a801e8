/**
 * A tiny typed dictionary for the extension's UI strings.
 *
 * English is the reference: every other language must have exactly the same
 * keys (the type enforces it at compile time, test/unit/i18n.test.ts at run
 * time) and the same {placeholders} in each string.
 */

import { en } from './en';
import { zhCN } from './zh-CN';

export { en, zhCN };

import type { MessageKey, Messages } from './messages';

export type { MessageKey, Messages };

export type Locale = 'en' | 'zh-CN';

export const dictionaries: { readonly [L in Locale]: Messages } = {
  en,
  'zh-CN': zhCN,
};

/** Chinese for any browser language starting with "zh", English otherwise. */
export function pickLocale(language: string | undefined | null): Locale {
  return language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Names of the {placeholders} in an English string, as a union type. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholderNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never]
  ? []
  : [params: { readonly [P in PlaceholderNames<(typeof en)[K]>]: string | number }];

/** The {placeholder} names used in a string, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1] ?? '');
}

export function translate<K extends MessageKey>(locale: Locale, key: K, ...args: MessageParams<K>): string {
  const template = dictionaries[locale][key];
  const params = (args[0] ?? {}) as Readonly<Record<string, string | number>>;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type Translator = <K extends MessageKey>(key: K, ...args: MessageParams<K>) => string;

export function translator(locale: Locale): Translator {
  return (key, ...args) => translate(locale, key, ...args);
}

/** Keys of strings without {placeholders}: safe to pick dynamically (status names, labels). */
export type PlainKey = { [K in MessageKey]: MessageParams<K> extends [] ? K : never }[MessageKey];
