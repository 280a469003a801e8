import { useLiveQuery } from 'dexie-react-hooks';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { ProgressBar } from '../components/ProgressBar';
import { db } from '../db/schema';
import { useLocale } from '../i18n/locale-context';
import { jobHeadline, jobTotals } from '../dashboard/monitor/monitor-model';
import type { BridgeState } from '../lib/runtime-messages';
import { waitsForEmployee } from '../lib/waiting-for-employee';

interface JobSummary {
  id: string;
  name: string;
  running: number;
  /** Past their first pass: syncing new mail, first pass done, or closed after it. */
  done: number;
  failed: number;
  /** Invitations the employee has not answered with the old password yet: nothing the admin can run. */
  waiting: number;
  total: number;
  /** The job's bar as the dashboard draws it (jobHeadline): never full while an account failed uncounted. */
  bar: number;
}

async function summaries(): Promise<JobSummary[]> {
  const jobs = await db().jobs.toArray();
  const out: JobSummary[] = [];
  for (const j of jobs) {
    if (j.status === 'closed') continue;
    const accounts = await db().accounts.where('jobId').equals(j.id).toArray();
    out.push({
      id: j.id,
      name: j.name,
      running: accounts.filter((a) => a.status === 'in_progress').length,
      done: accounts.filter((a) => a.status === 'first_pass_done' || a.status === 'syncing' || (a.status === 'closed' && a.firstPassDoneAt)).length,
      failed: accounts.filter((a) => a.status === 'failed').length,
      waiting: accounts.filter(waitsForEmployee).length,
      total: accounts.length,
      bar: jobHeadline(jobTotals(accounts)).bar,
    });
  }
  return out;
}

/** Paired and connected: the version and a one-line summary per running job. */
export function Connected({ state }: { state: BridgeState }) {
  const { t } = useLocale();
  const jobs = useLiveQuery(summaries, [], []);
  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--found" aria-hidden="true" />
        {t('connectedTitle')}
      </h2>
      <dl className="facts">
        <dt className="bridge-name">{BRIDGE_NAME}</dt>
        {state.version && <dd className="bridge-version">{t('foundVersion', { version: state.version })}</dd>}
      </dl>
      <h3 className="popup-subtitle">{t('popupJobs')}</h3>
      {jobs.length === 0 ? (
        <p className="hint">{t('popupNoJobs')}</p>
      ) : (
        <ul className="job-summaries">
          {jobs.map((j) => (
            <li key={j.id}>
              <div className="job-summary__head">
                <span className="job-summary__name">{j.name}</span>
                <span className="hint">{t(j.total === 1 ? 'popupJobCountsOne' : 'popupJobCounts', { running: j.running, done: j.done, failed: j.failed, total: j.total })}</span>
              </div>
              {j.waiting > 0 && (
                <p className="hint job-summary__waiting" data-testid="popup-waiting-employee">
                  {t(j.waiting === 1 ? 'popupWaitingEmployeeOne' : 'popupWaitingEmployee', { count: j.waiting })}
                </p>
              )}
              <ProgressBar value={j.bar} label={t('progressOf', { name: j.name })} tone={j.failed ? 'bad' : 'run'} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
