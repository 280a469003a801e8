import { MAX_REPORTED_ERRORS, type CsvRowError } from '../../../shared/csv/accounts-csv';
import { useLocale } from '../../i18n/locale-context';

/**
 * Every bad row with its line number and the reason, in the page's language. The list is capped
 * (its last line then says how many more there are), so the title does not count a capped list.
 */
export function ImportErrors({ errors }: { errors: readonly CsvRowError[] }) {
  const { t, locale } = useLocale();
  const capped = errors.length > MAX_REPORTED_ERRORS;
  return (
    <div className="import-errors" role="alert">
      <p className="import-errors__title">{capped ? t('importErrorsTitleMany', { count: MAX_REPORTED_ERRORS }) : t(errors.length === 1 ? 'importErrorsTitleOne' : 'importErrorsTitle', { count: errors.length })}</p>
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
