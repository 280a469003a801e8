import { RequestFailureNote } from '../../components/RequestFailureNote';
import { useLocale } from '../../i18n/locale-context';
import type { RequestFailureInfo } from '../monitor/request-failure';
import { ImportErrors } from './ImportErrors';
import type { StartOutcome } from './start-job';

/**
 * Why 开始搬家 did not start: the rows the bridge refused (nothing was created), shown as the
 * import's row errors in the UI's language, or the failed request worded from its code.
 */
export function StartFailure({ refused, failure }: { refused: StartOutcome['refused'] | null; failure: RequestFailureInfo | null }) {
  const { t } = useLocale();
  return (
    <>
      {refused && (
        <div className="panel" data-testid="start-refused">
          <p className="field__error" role="alert">
            {t('startRefusedLead')}
          </p>
          {refused.map((r) => (
            <div key={r.fileName}>
              <strong>{r.fileName}</strong>
              <ImportErrors errors={r.errors} />
            </div>
          ))}
        </div>
      )}
      {failure && <RequestFailureNote failure={failure} testId="start-error" />}
    </>
  );
}
