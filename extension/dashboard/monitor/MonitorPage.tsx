import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { AccountStatus } from '../../../shared/protocol';
import { lastReceivedAt, StaleBanner } from '../../components/StaleBanner';
import { JOB_STATUS_KEYS } from '../../components/status';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import type { BridgeState } from '../../lib/runtime-messages';
import { BulkActions } from './BulkActions';
import { DetailsDrawer } from './DetailsDrawer';
import { JobActions } from './JobActions';
import { countByStatus, filterRows, jobTotals, sortRows, type SortSpec } from './monitor-model';
import { JobSummary } from './JobSummary';
import { ServerChangeDialog } from './ServerChangeDialog';
import { StatusFilter } from './StatusFilter';
import { StatusTable } from './StatusTable';
import { Field } from '../../components/Field';
import { CutoverStep } from '../cutover/CutoverStep';

/** 进度监控与管理: one job's accounts, live from the Dexie mirror. */
export function MonitorPage({ jobId, bridge }: { jobId: string; bridge: BridgeState | undefined }) {
  const { t } = useLocale();
  const job = useLiveQuery(() => db().jobs.get(jobId), [jobId]);
  const accounts = useLiveQuery(() => db().accounts.where('jobId').equals(jobId).toArray(), [jobId]);
  const snapshotAt = useLiveQuery(async () => ((await db().settings.get('lastSnapshotAt'))?.value as string | undefined) ?? null, []);
  const [statuses, setStatuses] = useState<Set<AccountStatus>>(new Set());
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const [sort, setSort] = useState<SortSpec>({ key: 'status', dir: 'asc' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [changing, setChanging] = useState(false);
  const connected = bridge?.phase === 'connected';

  const rows = useMemo(() => sortRows(filterRows(accounts ?? [], statuses, deferredSearch), sort), [accounts, statuses, deferredSearch, sort]);
  const counts = useMemo(() => countByStatus(accounts ?? []), [accounts]);
  const totals = useMemo(() => jobTotals(accounts ?? []), [accounts]);
  const receivedAt = useMemo(() => lastReceivedAt([snapshotAt, job?.syncedAt, ...(accounts ?? []).map((a) => a.syncedAt)]), [snapshotAt, job, accounts]);
  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);
  const targetIds = selected.size ? [...selected] : rows.map((r) => r.id);
  // What the person chose to act on, not the rows' statuses changing under it.
  const bulkScope = useMemo(() => JSON.stringify([[...selected], [...statuses], deferredSearch]), [selected, statuses, deferredSearch]);
  const openAccount = accounts?.find((a) => a.id === open);
  const closeDrawer = useCallback(() => setOpen(null), []);

  if (job === undefined && accounts === undefined) return <p className="hint">{t('loading')}</p>;
  if (!job) return <p className="callout callout--warn">{t('jobNotFound')}</p>;

  return (
    <div className="monitor" data-testid="monitor">
      <StaleBanner bridge={bridge} syncedAt={receivedAt} />
      <header className="monitor__head">
        <div>
          <h1>{job.name}</h1>
          <p className="hint">
            {job.source.protocol.toUpperCase()} <code>{`${job.source.host}:${job.source.port}`}</code> → <code>{`${job.target.host}:${job.target.port}`}</code> ·{' '}
            {job.storage === 'mapped' ? t('storageMapped') : t('storageUnified')} ·{' '}
            {t(JOB_STATUS_KEYS[job.status])}
          </p>
        </div>
        <JobActions job={job} connected={connected} onChangeServer={() => setChanging(true)} counts={counts} />
      </header>
      <JobSummary totals={totals} name={job.name} />
      {job.status === 'paused' && (
        // The header's status word alone went unnoticed while the rows still read "in progress".
        <p className="callout callout--warn" role="status" data-testid="job-paused-note">
          {t('jobPausedNote')}
        </p>
      )}
      <p className="hint">
        {t('monitorSyncNote', { days: job.incremental.windowDays })}{' '}
        <a href={`#/jobs/${job.id}/verify-report`} data-testid="verify-report-link">
          {t('verifyReportLink')}
        </a>
      </p>

      <div className="monitor__toolbar">
        <StatusFilter counts={counts} value={statuses} onChange={setStatuses} total={accounts?.length ?? 0} />
        <div className="monitor__search">
          <Field label={t('searchAccount')}>
            {(p) => <input {...p} type="search" className="input" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name@example.com" />}
          </Field>
        </div>
      </div>
      <BulkActions ids={targetIds} disabled={!connected} jobId={job.id} jobPaused={job.status === 'paused'} scope={bulkScope} />
      <StatusTable
        rows={rows}
        selected={selected}
        onToggle={toggle}
        onToggleAll={(all) => setSelected(all ? new Set(rows.map((r) => r.id)) : new Set())}
        onOpen={setOpen}
        sort={sort}
        onSort={setSort}
        jobPaused={job.status === 'paused'}
      />
      <CutoverStep jobId={job.id} connected={connected} />
      {openAccount && <DetailsDrawer account={openAccount} onClose={closeDrawer} />}
      {changing && <ServerChangeDialog job={job} onClose={() => setChanging(false)} />}
    </div>
  );
}
