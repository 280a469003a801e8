import type { AccountStatus } from '../../../shared/protocol';
import { ProgressBar } from '../../components/ProgressBar';
import { STATUS_KEYS } from '../../components/status';
import { useLocale } from '../../i18n/locale-context';
import { formatBytes, formatCount, formatDuration } from '../../lib/format';
import { jobHeadline, type JobTotals } from './monitor-model';

/** Statuses in the order an admin reads them: what needs attention first. */
const ORDER: AccountStatus[] = ['failed', 'password_needed', 'in_progress', 'paused', 'not_started', 'not_enabled', 'syncing', 'first_pass_done', 'closed'];

/** The job at a glance: accounts per status, messages and bytes copied, overall % and ETA. */
export function JobSummary({ totals, name }: { totals: JobTotals; name: string }) {
  const { t, locale } = useLocale();
  const { counted, pct, bar } = jobHeadline(totals);
  const uncounted =
    totals.uncounted === 1
      ? t(totals.uncountedFailed ? 'jobUncountedOneFailed' : 'jobUncountedOne', { count: formatCount(1, locale) })
      : totals.uncountedFailed
        ? t('jobUncountedFailed', { count: formatCount(totals.uncounted, locale), failed: formatCount(totals.uncountedFailed, locale) })
        : t('jobUncounted', { count: formatCount(totals.uncounted, locale) });
  return (
    <section className="job-summary" aria-label={t('jobSummaryLabel')} data-testid="job-summary" data-complete={String(totals.complete)}>
      <ProgressBar value={bar} label={t('progressOf', { name })} tone={totals.failing ? 'bad' : totals.complete ? 'ok' : 'run'} />
      <p className="job-summary__figures" data-testid="job-summary-figures">
        <strong>{counted ? `${pct}%` : t('jobAccountsDone', { done: formatCount(totals.accountsDone, locale), total: formatCount(totals.accounts, locale) })}</strong> ·{' '}
        {t('messagesOf', { done: formatCount(totals.settled, locale), total: formatCount(totals.total, locale) })} · {t('jobSummaryBytes', { bytes: formatBytes(totals.bytesCopied) })}
        {totals.etaSeconds !== null && totals.settled < totals.total && <> · {t('eta', { eta: formatDuration(totals.etaSeconds, locale) })}</>}
        {totals.uncounted > 0 && (
          <>
            {' '}
            · <span className={totals.uncountedFailed ? 'warn-text' : undefined} data-testid="job-summary-uncounted">{uncounted}</span>
          </>
        )}
      </p>
      <ul className="job-summary__statuses" data-testid="job-summary-statuses">
        <li>{t(totals.accounts === 1 ? 'jobAccountsOne' : 'jobAccounts', { count: formatCount(totals.accounts, locale) })}</li>
        {ORDER.filter((s) => totals.byStatus[s]).map((s) => (
          <li key={s} data-status={s}>
            {t(STATUS_KEYS[s])} {formatCount(totals.byStatus[s]!, locale)}
          </li>
        ))}
      </ul>
    </section>
  );
}
