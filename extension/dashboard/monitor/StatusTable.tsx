import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { ErrorRemedy } from '../../components/ErrorRemedy';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { StopNote } from '../../components/StopNote';
import { STATUS_TONE } from '../../components/status';
import type { AccountRow } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import type { PlainKey } from '../../i18n';
import { formatBytes, formatCount, formatDateTime, formatDuration } from '../../lib/format';
import { isActive, isUncounted, progressRatio, type SortKey, type SortSpec } from './monitor-model';
import { VerifyBadge } from './VerifyBadge';
import { WarningsBadge } from './WarningsList';

/** Fixed for the virtualiser; the cells' CSS is sized to fit it (dashboard.css, .cell--error). */
export const ROW_HEIGHT = 64;

const COLUMNS: { key: string; label: PlainKey; sort?: SortKey }[] = [
  { key: 'account', label: 'colAccount', sort: 'account' },
  { key: 'status', label: 'colStatus', sort: 'status' },
  { key: 'progress', label: 'colProgress', sort: 'progress' },
  { key: 'speed', label: 'colSpeed' },
  { key: 'sync', label: 'colLastSync', sort: 'updated' },
  { key: 'error', label: 'colError' },
];

/**
 * One row per account, virtualised (only the visible rows are in the DOM) so that thousands
 * of accounts scroll smoothly. ARIA grid semantics: role=table/row/cell with row indices.
 */
export function StatusTable({
  rows,
  selected,
  onToggle,
  onToggleAll,
  onOpen,
  sort,
  onSort,
  height = 560,
  jobPaused = false,
}: {
  rows: readonly AccountRow[];
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
  onToggleAll(select: boolean): void;
  onOpen(id: string): void;
  sort: SortSpec;
  onSort(s: SortSpec): void;
  height?: number;
  /**
   * The job is paused ("Pause all"): its accounts keep their statuses (one cut short stays in
   * progress, queued), but none runs until the job is resumed, so their rows say that rather
   * than a phase or speed that suggests work going on.
   */
  jobPaused?: boolean;
}) {
  const { t, locale } = useLocale();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 1000, height },
  });
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div className="status-table" role="table" aria-label={t('accountsTable')} aria-rowcount={rows.length + 1} data-testid="status-table">
      <div className="status-table__head" role="row" aria-rowindex={1}>
        <div role="columnheader" className="cell cell--check">
          <input type="checkbox" checked={allSelected} onChange={(e) => onToggleAll(e.target.checked)} aria-label={t('selectAll')} />
        </div>
        {COLUMNS.map((c) => (
          <div
            key={c.key}
            role="columnheader"
            className={`cell cell--${c.key}`}
            aria-sort={c.sort && sort.key === c.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
          >
            {c.sort ? (
              <button
                type="button"
                className="sort-button"
                onClick={() => onSort({ key: c.sort!, dir: sort.key === c.sort && sort.dir === 'asc' ? 'desc' : 'asc' })}
              >
                {t(c.label)}
                <span aria-hidden="true">{sort.key === c.sort ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
              </button>
            ) : (
              t(c.label)
            )}
          </div>
        ))}
      </div>
      {rows.length === 0 ? (
        <p className="status-table__empty">{t('noAccountsMatch')}</p>
      ) : (
        <div ref={scroller} className="status-table__body" style={{ height }} tabIndex={-1}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const r = rows[item.index]!;
              const ratio = progressRatio(r);
              const c = r.counters;
              const running = r.status === 'in_progress' || r.status === 'syncing';
              // Speed and ETA only while the engine works on it: a finished pass shows its final figures alone.
              const active = !jobPaused && isActive(r);
              const passwordAction = (r.status === 'failed' && r.error?.code === 'AUTH_FAILED') || r.status === 'password_needed';
              return (
                <div
                  key={r.id}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={selected.has(r.id)}
                  className={`status-row status-row--${r.status}${selected.has(r.id) ? ' status-row--selected' : ''}`}
                  data-testid="account-row"
                  data-account={r.source}
                  data-status={r.status}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                >
                  <div role="cell" className="cell cell--check">
                    <input type="checkbox" checked={selected.has(r.id)} onChange={() => onToggle(r.id)} aria-label={t('selectAccount', { account: r.source })} />
                  </div>
                  <div role="cell" className="cell cell--account">
                    <button type="button" className="account-link" onClick={() => onOpen(r.id)} aria-label={t('openDetails', { account: r.source })}>
                      {r.source}
                    </button>
                    {r.target !== r.source && <span className="hint account-target">→ {r.target}</span>}
                    {r.worker && (
                      <span className="hint account-worker" data-testid="row-worker">
                        {' '}
                        {t('accountOnWorker', { worker: r.worker })}
                      </span>
                    )}
                  </div>
                  <div role="cell" className="cell cell--status">
                    <StatusBadge status={r.status} />
                    <VerifyBadge verify={r.verify} />
                    <WarningsBadge account={r} />
                    {running && jobPaused && (
                      <span className="hint phase" data-testid="row-job-paused">
                        {t('phase_jobPaused')}
                      </span>
                    )}
                    {running && !jobPaused && r.phase && <span className="hint phase">{t(`phase_${r.phase}` as PlainKey)}</span>}
                    <StopNote account={r} />
                  </div>
                  <div role="cell" className="cell cell--progress">
                    <ProgressBar value={ratio * 100} label={t('progressOf', { name: r.source })} tone={STATUS_TONE[r.status]} />
                    {isUncounted(r) ? (
                      <span className="hint" data-testid="row-uncounted">
                        {t('messagesNotCounted')}
                      </span>
                    ) : (
                      <span className="hint">
                        {t('messagesOf', {
                          done: formatCount(c.messagesCopied + c.messagesAlreadyPresent, locale),
                          total: formatCount(c.messagesTotal, locale),
                        })}{' '}
                        · {formatBytes(c.bytesCopied)} · {Math.round(ratio * 100)}%
                      </span>
                    )}
                  </div>
                  <div role="cell" className="cell cell--speed">
                    {active && r.progress && r.progress.rate > 0 ? (
                      <>
                        <span>{t('rate', { rate: r.progress.rate.toFixed(1) })}</span>
                        <span className="hint">{r.progress.etaSeconds !== null ? t('eta', { eta: formatDuration(r.progress.etaSeconds, locale) }) : ''}</span>
                      </>
                    ) : (
                      <span className="hint">—</span>
                    )}
                  </div>
                  <div role="cell" className="cell cell--sync">
                    <span>{formatDateTime(r.lastSyncAt ?? r.firstPassDoneAt, locale)}</span>
                    {(r.counters.messagesSyncedSinceFirstPass ?? 0) > 0 && (
                      <span className="hint" data-testid="synced-count">
                        {' '}
                        {t('syncedNew', { count: formatCount(r.counters.messagesSyncedSinceFirstPass, locale) })}
                      </span>
                    )}
                  </div>
                  <div role="cell" className={`cell cell--error${passwordAction ? ' cell--error-action' : ''}`}>
                    {r.error ? <ErrorRemedy error={r.error} compact passwordNeeded={r.status === 'password_needed'} /> : <span className="hint">—</span>}
                    {passwordAction && (
                      // The fix is in the drawer (fields, provider hint, test): the row's button opens it there.
                      <button type="button" className="account-link" data-testid="row-update-password" onClick={() => onOpen(r.id)}>
                        {r.status === 'password_needed' ? t('passwordAgainTitle') : t('updatePassword')}
                      </button>
                    )}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
