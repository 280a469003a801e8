import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef } from 'react';
import { ErrorRemedy } from '../../components/ErrorRemedy';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { STATUS_KEYS } from '../../components/status';
import { db, type AccountRow } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { formatBytes, formatCount, formatDateTime, percent } from '../../lib/format';

/** Everything about one account: counters, per-folder progress, skipped messages, history. */
export function DetailsDrawer({ account, onClose }: { account: AccountRow; onClose(): void }) {
  const { t, locale } = useLocale();
  const closeButton = useRef<HTMLButtonElement>(null);
  const history = useLiveQuery(() => db().events.where('accountId').equals(account.id).reverse().limit(50).toArray(), [account.id], []);
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const c = account.counters;
  const folders = account.progress?.folders ?? [];
  const skippedFolders = folders.filter((f) => f.skipped > 0);
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" data-testid="details-drawer">
      <header className="drawer__head">
        <div>
          <h2 id="drawer-title">{account.source}</h2>
          <p className="hint">→ {account.target}</p>
        </div>
        <button ref={closeButton} type="button" className="ghost" onClick={onClose}>
          {t('close')}
        </button>
      </header>
      <div className="drawer__body">
        <p>
          <StatusBadge status={account.status} />
        </p>
        <dl className="kv">
          <dt>{t('messagesCopied')}</dt>
          <dd>{formatCount(c.messagesCopied, locale)}</dd>
          <dt>{t('messagesAlreadyPresent')}</dt>
          <dd>{formatCount(c.messagesAlreadyPresent, locale)}</dd>
          <dt>{t('messagesSkipped')}</dt>
          <dd>{formatCount(c.messagesSkipped, locale)}</dd>
          <dt>{t('messagesTotal')}</dt>
          <dd>{formatCount(c.messagesTotal, locale)}</dd>
          <dt>{t('bytesCopied')}</dt>
          <dd>{formatBytes(c.bytesCopied)}</dd>
          <dt>{t('startedAt')}</dt>
          <dd>{formatDateTime(account.startedAt, locale)}</dd>
          <dt>{t('firstPassDoneAt')}</dt>
          <dd>{formatDateTime(account.firstPassDoneAt, locale)}</dd>
          <dt>{t('colLastSync')}</dt>
          <dd>{formatDateTime(account.lastSyncAt, locale)}</dd>
          <dt>{t('attempts')}</dt>
          <dd>{account.attempts}</dd>
          {account.nextRunAt && (
            <>
              <dt>{t('nextRunAt')}</dt>
              <dd>{formatDateTime(account.nextRunAt, locale)}</dd>
            </>
          )}
        </dl>
        {account.error && <ErrorRemedy error={account.error} />}

        <h3>{t('folderProgress')}</h3>
        {folders.length === 0 ? (
          <p className="hint">{t('folderProgressNone')}</p>
        ) : (
          <table className="mini-table">
            <thead>
              <tr>
                <th scope="col">{t('folder')}</th>
                <th scope="col">{t('colProgress')}</th>
                <th scope="col">{t('messagesSkipped')}</th>
              </tr>
            </thead>
            <tbody>
              {folders.map((f) => (
                <tr key={f.source}>
                  <td>
                    {f.source}
                    {f.target !== f.source && <span className="hint"> → {f.target}</span>}
                  </td>
                  <td>
                    <ProgressBar value={percent(f.copied + f.alreadyPresent + f.skipped, f.total)} label={t('progressOf', { name: f.source })} tone={f.done ? 'ok' : 'run'} />
                    <span className="hint">
                      {formatCount(f.copied + f.alreadyPresent, locale)} / {formatCount(f.total, locale)}
                    </span>
                  </td>
                  <td>{f.skipped}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <h3>{t('skippedTitle')}</h3>
        {c.messagesSkipped === 0 ? (
          <p className="hint">{t('skippedNone')}</p>
        ) : (
          <>
            <p>{t('skippedCount', { count: c.messagesSkipped, folders: skippedFolders.map((f) => f.source).join(', ') || '—' })}</p>
            <p className="hint">{t('skippedInReport')}</p>
          </>
        )}

        <h3>{t('historyTitle')}</h3>
        <ul className="history">
          {history.map((e) => (
            <li key={e.seq}>
              <span className="hint">{formatDateTime(e.time, locale)}</span> {e.from ? t(STATUS_KEYS[e.from]) : '—'} → {e.to ? t(STATUS_KEYS[e.to]) : '—'}
              {e.code && <code> {e.code}</code>}
            </li>
          ))}
        </ul>
      </div>
    </aside>
  );
}
