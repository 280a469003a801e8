import { useState } from 'react';
import type { JobView } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest } from '../../lib/page-client';
import { exportReport } from './export-report';
import { requestFailureText } from './request-failure';

/** Job-wide actions: pause / resume / close, change the server address, export the report, 核验 (deep verify). */
export function JobActions({ job, connected, onChangeServer }: { job: JobView; connected: boolean; onChangeServer(): void }) {
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
        disabled={!connected}
        data-testid="verify-job"
        title={t('verifyJobHint')}
        onClick={() =>
          void act(
            () => bridgeRequest('account.verify', { jobId: job.id, deep: true }),
            (r) => {
              const results = (r as { results: Array<{ ok: boolean }> }).results;
              return t('verifyJobQueued', { count: results.filter((x) => x.ok).length, refused: results.filter((x) => !x.ok).length });
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
          if (window.confirm(t('confirmCloseJob'))) void act(() => bridgeRequest('job.close', { jobId: job.id }));
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
