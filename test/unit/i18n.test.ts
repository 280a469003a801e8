import { describe, expect, it } from 'vitest';
import {
  dictionaries,
  en,
  pickLocale,
  placeholdersOf,
  translate,
  zhCN,
  type Locale,
} from '../../extension/i18n';

const locales = Object.keys(dictionaries) as Locale[];

describe('extension i18n dictionary', () => {
  it('has English and Simplified Chinese', () => {
    expect(locales.sort()).toEqual(['en', 'zh-CN']);
  });

  it.each(locales)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(dictionaries[locale]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(locales)('%s has no empty strings', (locale) => {
    for (const [key, text] of Object.entries(dictionaries[locale])) {
      expect(text.trim(), `${locale}.${key}`).not.toBe('');
    }
  });

  it.each(locales)('%s uses the same {placeholders} as English in every string', (locale) => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholdersOf(dictionaries[locale][key]).sort(), `${locale}.${key}`).toEqual(
        placeholdersOf(en[key]).sort(),
      );
    }
  });

  it('the Chinese strings are actually Chinese', () => {
    expect(zhCN.notFoundTitle).toMatch(/[\u4e00-\u9fff]/);
    expect(zhCN.foundTitle).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('pickLocale', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['ZH-cn', 'zh-CN'],
    ['en-US', 'en'],
    ['de-DE', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ] as const)('%s → %s', (language, expected) => {
    expect(pickLocale(language)).toBe(expected);
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'foundVersion', { version: '1.2.3' })).toBe('Version 1.2.3');
    expect(translate('zh-CN', 'foundVersion', { version: '1.2.3' })).toBe('版本 1.2.3');
  });

  it('returns plain strings unchanged', () => {
    expect(translate('en', 'retry')).toBe('Check again');
  });
});
