import { useLocale } from '../../i18n/locale-context';
import { csvTemplate, type ImportRules } from '../../lib/csv-import';

/** Download links for the CSV template, with Chinese headers (搬家账号, 待搬家账号) or English ones. */
export function TemplateLinks({ rules }: { rules: ImportRules }) {
  const { t } = useLocale();
  const href = (style: 'chinese' | 'english') => `data:text/csv;charset=utf-8,${encodeURIComponent(csvTemplate(style, rules))}`;
  return (
    <p className="template-links">
      {t('templateDownload')}{' '}
      <a href={href('chinese')} download="mailmover-accounts-zh.csv" data-testid="template-zh">
        {t('templateChinese')}
      </a>{' '}
      ·{' '}
      <a href={href('english')} download="mailmover-accounts-en.csv" data-testid="template-en">
        {t('templateEnglish')}
      </a>
    </p>
  );
}
