import type { CsvRowError } from '../../../shared/csv/accounts-csv';
import { useLocale } from '../../i18n/locale-context';

/** Every bad row with its line number and the reason, in the page's language. */
export function ImportErrors({ errors }: { errors: readonly CsvRowError[] }) {
  const { t, locale } = useLocale();
  return (
    <div className="import-errors" role="alert">
      <p className="import-errors__title">{t('importErrorsTitle', { count: errors.length })}</p>
      <table className="mini-table">
        <thead>
          <tr>
            <th scope="col">{t('line')}</th>
            <th scope="col">{t('reason')}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.line}-${i}`} data-testid="csv-error" data-line={e.line}>
              <td>{e.line}</td>
              <td>{locale === 'zh-CN' ? e.messageZh : e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
