/**
 * The UI language: the browser's (zh* → Chinese) unless the person switched it; the choice is
 * kept in chrome.storage.local so every page and the notifications follow it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { localeItem, readLocale } from '../lib/storage-items';
import { pickLocale, translator, type Locale, type Translator } from './index';

interface LocaleValue {
  locale: Locale;
  t: Translator;
  setLocale(l: Locale): void;
}

const LocaleContext = createContext<LocaleValue>({
  locale: 'en',
  t: translator('en'),
  setLocale: () => undefined,
});

export function LocaleProvider({ initial, persist = true, children }: { initial?: Locale; persist?: boolean; children: ReactNode }) {
  const [locale, setState] = useState<Locale>(initial ?? pickLocale(navigator.language));
  useEffect(() => {
    if (!persist) return;
    void readLocale().then((v) => {
      if (v) setState(v);
    });
  }, [persist]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback(
    (l: Locale) => {
      setState(l);
      if (persist) void localeItem().setValue(l);
    },
    [persist],
  );
  const value = useMemo(() => ({ locale, t: translator(locale), setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleValue {
  return useContext(LocaleContext);
}

/** Picks the text of a { en, zh } pair for the current language. */
export function useText(): (text: { en: string; zh: string } | null | undefined) => string {
  const { locale } = useLocale();
  return useCallback((text) => (text ? (locale === 'zh-CN' ? text.zh : text.en) : ''), [locale]);
}
