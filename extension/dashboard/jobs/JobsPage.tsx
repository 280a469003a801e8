import { useLiveQuery } from 'dexie-react-hooks';
import { lastReceivedAt, StaleBanner } from '../../components/StaleBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { JOB_STATUS_KEYS } from '../../components/status';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { formatCount, formatDateTime, serverLabel } from '../../lib/format';
import type { BridgeState } from '../../lib/runtime-messages';
import { jobHeadline, jobTotals } from '../monitor/monitor-model';

/** Every job of the bridge (from the mirror), newest first, each with the monitor's summary figures. */
export function JobsPage({ bridge, onOpen, onNew }: { bridge: BridgeState | undefined; onOpen(id: string): void; onNew(): void }) {
  const { t, locale } = useLocale();
  const data = useLiveQuery(async () => {
    // In the order of the jobs' own changes, not their accounts': cards that swapped places at
    // every pass of two running jobs would move under the pointer.
    const list = await db().jobs.orderBy('updatedAt').reverse().toArray();
    const rows = await Promise.all(
      list.map(async (j) => {
        const accounts = await db().accounts.where('jobId').equals(j.id).toArray();
        // "updated": the job's last change or its accounts' (a pass started or ended, a status changed), the later one.
        const updatedAt = accounts.reduce((latest, a) => (a.updatedAt > latest ? a.updatedAt : latest), j.updatedAt);
        return { job: j, totals: jobTotals(accounts), updatedAt, receivedAt: lastReceivedAt([j.syncedAt, ...accounts.map((a) => a.syncedAt)]) };
      }),
    );
    const snapshotAt = ((await db().settings.get('lastSnapshotAt'))?.value as string | undefined) ?? null;
    return { rows, receivedAt: lastReceivedAt([snapshotAt, ...rows.map((r) => r.receivedAt)]) };
  }, []);
  const jobs = data?.rows;
  return (
    <div className="jobs-page">
      <StaleBanner bridge={bridge} syncedAt={data?.receivedAt ?? null} />
      <header className="page-head">
        <h1>{t('jobsTitle')}</h1>
        <button type="button" className="primary" onClick={onNew}>
          {t('newMigration')}
        </button>
      </header>
      {jobs && jobs.length === 0 && (
        <div className="empty">
          <p>{t('jobsEmpty')}</p>
          <button type="button" className="primary" onClick={onNew}>
            {t('newMigration')}
          </button>
        </div>
      )}
      <ul className="job-cards">
        {jobs?.map(({ job, totals, updatedAt }) => {
          const failed = totals.byStatus.failed ?? 0;
          const { counted, pct, bar } = jobHeadline(totals);
          return (
            <li key={job.id}>
              <button type="button" className="job-card" onClick={() => onOpen(job.id)} data-testid="job-card" data-status={job.status}>
                <span className="job-card__name">
                  {job.name} <span className="badge badge--idle">{t(JOB_STATUS_KEYS[job.status])}</span>
                </span>
                <span className="hint">
                  <code data-testid="job-card-source">{serverLabel(job.source, job.source.protocol)}</code> → <code data-testid="job-card-target">{serverLabel(job.target)}</code> ·{' '}
                  {t(totals.accounts === 1 ? 'jobAccountsOne' : 'jobAccounts', { count: formatCount(totals.accounts, locale) })}
                  {failed > 0 && <span className="error-inline"> · {t('jobFailed', { count: failed })}</span>}
                </span>
                <ProgressBar value={bar} label={t('progressOf', { name: job.name })} tone={totals.failing ? 'bad' : totals.complete ? 'ok' : 'run'} />
                <span className="hint job-card__figures" data-testid="job-card-figures">
                  {counted ? `${pct}%` : t('jobAccountsDone', { done: formatCount(totals.accountsDone, locale), total: formatCount(totals.accounts, locale) })} · {t('messagesOf', { done: formatCount(totals.settled, locale), total: formatCount(totals.total, locale) })} ·{' '}
                  {t('jobCreated', { time: formatDateTime(job.createdAt, locale) })} · {t('jobUpdated', { time: formatDateTime(updatedAt, locale) })}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
