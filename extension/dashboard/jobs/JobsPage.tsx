import { useLiveQuery } from 'dexie-react-hooks';
import { StaleBanner } from '../../components/StaleBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { formatCount, percent } from '../../lib/format';
import type { BridgeState } from '../../lib/runtime-messages';

/** Every job of the bridge (from the mirror), newest first. */
export function JobsPage({ bridge, onOpen, onNew }: { bridge: BridgeState | undefined; onOpen(id: string): void; onNew(): void }) {
  const { t, locale } = useLocale();
  const jobs = useLiveQuery(async () => {
    const list = await db().jobs.orderBy('updatedAt').reverse().toArray();
    return Promise.all(
      list.map(async (j) => {
        const accounts = await db().accounts.where('jobId').equals(j.id).toArray();
        const done = accounts.reduce((s, a) => s + a.counters.messagesCopied + a.counters.messagesAlreadyPresent, 0);
        const total = accounts.reduce((s, a) => s + a.counters.messagesTotal, 0);
        return { job: j, accounts: accounts.length, done, total, failed: accounts.filter((a) => a.status === 'failed').length };
      }),
    );
  }, []);
  const snapshotAt = useLiveQuery(async () => ((await db().settings.get('lastSnapshotAt'))?.value as string | undefined) ?? null, []);
  return (
    <div className="jobs-page">
      <StaleBanner bridge={bridge} syncedAt={snapshotAt ?? null} />
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
        {jobs?.map(({ job, accounts, done, total, failed }) => (
          <li key={job.id}>
            <button type="button" className="job-card" onClick={() => onOpen(job.id)} data-testid="job-card">
              <span className="job-card__name">{job.name}</span>
              <span className="hint">
                <code>{job.source.host}</code> → <code>{job.target.host}</code> · {t('jobAccounts', { count: formatCount(accounts, locale) })}
                {failed > 0 && <span className="error-inline"> · {t('jobFailed', { count: failed })}</span>}
              </span>
              <ProgressBar value={percent(done, total)} label={t('progressOf', { name: job.name })} tone={failed ? 'bad' : 'run'} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
