import { useLocale } from '../i18n/locale-context';

/** 中文 / English toggle; the choice is remembered. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('language')}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value === 'zh-CN' ? 'zh-CN' : 'en')} aria-label={t('language')}>
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
