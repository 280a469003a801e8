import { useState } from 'react';
import type { AccountStatus, JobView } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest } from '../../lib/page-client';
import { formatCount } from '../../lib/format';
import { exportReport } from './export-report';
import { requestFailureText } from './request-failure';

/** Accounts whose first pass has not finished: closing the job leaves part of their mail behind. */
const UNFINISHED: readonly AccountStatus[] = ['not_enabled', 'not_started', 'in_progress', 'paused', 'failed', 'password_needed'];

/** Job-wide actions: pause / resume / close, change the server address, export the report, 核验 (deep verify). */
export function JobActions({
  job,
  connected,
  onChangeServer,
  counts = job.counts,
}: {
  job: JobView;
  connected: boolean;
  onChangeServer(): void;
  /** Accounts per status as the monitor shows them (the job's own counts can trail its accounts' events). */
  counts?: Partial<Record<AccountStatus, number>>;
}) {
  const { t, locale } = useLocale();
  const [message, setMessage] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>, done?: (r: unknown) => string) => {
    setMessage(null);
    try {
      const r = await fn();
      if (done) setMessage(done(r));
    } catch (err) {
      setMessage(requestFailureText(err, t));
    }
  };
  const closed = job.status === 'closed';
  return (
    <div className="job-actions">
      {job.status === 'paused' ? (
        <button type="button" className="secondary" disabled={!connected} onClick={() => void act(() => bridgeRequest('job.resume', { jobId: job.id }))}>
          {t('jobResume')}
        </button>
      ) : (
        <button type="button" className="secondary" disabled={!connected || closed} onClick={() => void act(() => bridgeRequest('job.pause', { jobId: job.id }))}>
          {t('jobPause')}
        </button>
      )}
      <button type="button" className="secondary" disabled={!connected || closed} onClick={onChangeServer}>
        {t('changeServer')}
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!connected}
        data-testid="export-report"
        onClick={() => void act(() => exportReport(job.id, locale), (f) => t('reportSaved', { file: String(f) }))}
      >
        {t('exportReport')}
      </button>
      <button
        type="button"
        className="secondary"
        // A closed job's passwords are deleted: no account of it can be read again.
        disabled={!connected || closed}
        data-testid="verify-job"
        title={closed ? t('verifyJobClosed') : t('verifyJobHint')}
        onClick={() =>
          void act(
            () => bridgeRequest('account.verify', { jobId: job.id, deep: true }),
            (r) => {
              const results = (r as { results: Array<{ ok: boolean }> }).results;
              const count = results.filter((x) => x.ok).length;
              const refused = results.length - count;
              // "(0 not possible yet)" only raised the question of which ones; a single account is not "accounts".
              // Nothing queued at all says why, instead of "0 accounts queued (2 not possible yet)".
              if (refused && count === 0) return t('verifyJobNone');
              if (refused) return t('verifyJobQueued', { count, refused });
              return t(count === 1 ? 'verifyJobQueuedOne' : 'verifyJobQueuedAll', { count });
            },
          )
        }
      >
        {t('verifyJob')}
      </button>
      <button
        type="button"
        className="danger"
        disabled={!connected || closed}
        onClick={() => {
          // Closing ends every copy for good: accounts whose mail has not all arrived are named,
          // so a close meant for a finished job is not confirmed for one still under way.
          const unfinished = UNFINISHED.reduce((n, s) => n + (counts[s] ?? 0), 0);
          const question = unfinished ? t('confirmCloseJobUnfinished', { count: formatCount(unfinished, locale) }) : t('confirmCloseJob');
          if (window.confirm(question)) void act(() => bridgeRequest('job.close', { jobId: job.id }));
        }}
      >
        {t('jobClose')}
      </button>
      {message && (
        <span className="hint" role="status" data-testid="job-action-message">
          {message}
        </span>
      )}
    </div>
  );
}
