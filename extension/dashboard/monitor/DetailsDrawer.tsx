import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState } from 'react';
import type { FolderState, JobView, SkippedMessage } from '../../../shared/protocol';
import { typedForServer } from '../../../shared/protocol/requests';
import { useTypedFor } from '../../hooks/use-typed-for';
import { ErrorCodeSchema, errorMessage } from '../../../shared/errors';
import { ErrorRemedy, retriedByBridge } from '../../components/ErrorRemedy';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { StopNote } from '../../components/StopNote';
import { STATUS_KEYS } from '../../components/status';
import { db, type AccountRow } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { formatBytes, formatCount, formatDateTime, percent } from '../../lib/format';
import { bridgeRequest } from '../../lib/page-client';
import { refusalText } from './batch-refusal';
import { PasswordAgainForm } from './PasswordAgainForm';
import { requestFailureText } from './request-failure';
import { VerifyDetails } from './VerifyDetails';
import { WarningsList } from './WarningsList';
import { listOf } from '../../i18n/punctuation';
import { isUncounted } from './monitor-model';

const SKIPPED_PAGE = 100;

/**
 * A skipped message's reason as the engine stored it ("MESSAGE_TOO_LARGE: <server text>"): in
 * Chinese the code and its sentence (the server's words are English protocol text), in English as stored.
 */
function skipReasonText(reason: string, locale: string): string {
  if (locale !== 'zh-CN') return reason;
  const code = /^([A-Z_]+)(?::|$)/.exec(reason)?.[1];
  return code && ErrorCodeSchema.safeParse(code).success ? `${code} ${errorMessage({ code, message: '' }, 'zh')}` : reason;
}

/**
 * 到期可重新开启: a closed account syncs again for a new window. Closing deleted its stored
 * passwords, so they are asked again (the bridge says which one is missing otherwise).
 */
function ReopenForm({ account, job }: { account: AccountRow; job: JobView | undefined }) {
  const { t } = useLocale();
  // The servers the passwords are stored for (the account's kept source server, if any), as shown.
  const shown = {
    source: job ? typedForServer(account.sourceServer ?? job.source, job.source.protocol) : null,
    target: job ? typedForServer(job.target, 'imap') : null,
  };
  const typedFor = { source: useTypedFor(), target: useTypedFor() };
  const [sourcePassword, setSourcePassword] = useState('');
  const [targetPassword, setTargetPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    // Cleared as soon as they are sent, as in the other password forms: whatever the answer, a
    // password does not stay in the page.
    const typed = { sourcePassword, targetPassword };
    const servers = { source: typedFor.source.server() ?? shown.source, target: typedFor.target.server() ?? shown.target };
    setSourcePassword('');
    setTargetPassword('');
    typedFor.source.clear();
    typedFor.target.clear();
    setBusy(true);
    setMessage(null);
    try {
      const r = await bridgeRequest('account.reopen', {
        accountIds: [account.id],
        // Each with the server it was typed for: the bridge refuses it for another one.
        ...(typed.sourcePassword ? { sourcePassword: typed.sourcePassword, ...(servers.source ? { sourceServer: servers.source } : {}) } : {}),
        ...(typed.targetPassword ? { targetPassword: typed.targetPassword, ...(servers.target ? { targetServer: servers.target } : {}) } : {}),
      });
      const res = r.results[0];
      setMessage(res?.ok ? t('reopened') : res ? refusalText('account.reopen', res.status, t, res.otherLayoutJob) : t('reopenRefused'));
    } catch (err) {
      setMessage(requestFailureText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="panel panel--quiet"
      data-testid="reopen-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('reopenTitle')}</h3>
      <p className="hint">{t('reopenHint')}</p>
      <label className="field">
        <span>{t('reopenSourcePassword')}</span>
        <input
          type="password"
          className="input"
          name="reopen-source-password"
          value={sourcePassword}
          onChange={(e) => {
            typedFor.source.typed(e.target.value, shown.source);
            setSourcePassword(e.target.value);
          }}
          autoComplete="new-password"
        />
      </label>
      <label className="field">
        <span>{t('reopenTargetPassword')}</span>
        <input
          type="password"
          className="input"
          name="reopen-target-password"
          value={targetPassword}
          onChange={(e) => {
            typedFor.target.typed(e.target.value, shown.target);
            setTargetPassword(e.target.value);
          }}
          autoComplete="new-password"
        />
      </label>
      {/* Until the job is known, so is not the server the passwords are for: nothing could be sent. */}
      <button type="submit" className="secondary" disabled={busy || !job}>
        {t('actionReopen')}
      </button>
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </form>
  );
}

/**
 * What the bridge's store holds for the account (account.get: per-folder state of all runs so
 * far; account.skipped: each skipped message with its reason), fetched again when the account
 * changes. null while loading or when the bridge is away (the drawer shows the mirror then).
 */
function useStoredDetails(account: AccountRow): { folders: FolderState[]; skipped: SkippedMessage[]; skippedTotal: number } | null {
  const [details, setDetails] = useState<{ folders: FolderState[]; skipped: SkippedMessage[]; skippedTotal: number } | null>(null);
  const refresh = `${account.id}|${account.status}|${account.lastSyncAt}|${account.counters.messagesSkipped}|${account.phase}`;
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const got = await bridgeRequest('account.get', { accountId: account.id });
        const skipped = account.counters.messagesSkipped > 0 ? await bridgeRequest('account.skipped', { accountId: account.id, limit: SKIPPED_PAGE }) : { items: [], total: 0 };
        if (!cancelled) setDetails({ folders: got.folders, skipped: skipped.items, skippedTotal: skipped.total });
      } catch {
        // bridge away: keep what we had
      }
    })();
    return () => {
      cancelled = true;
    };
    // `refresh` names what makes the stored details change.
  }, [refresh]);
  return details;
}

/** Everything about one account: counters, per-folder progress, skipped messages, history. */
export function DetailsDrawer({ account, onClose }: { account: AccountRow; onClose(): void }) {
  const { t, locale } = useLocale();
  const closeButton = useRef<HTMLButtonElement>(null);
  const history = useLiveQuery(() => db().events.where('accountId').equals(account.id).reverse().limit(50).toArray(), [account.id], []);
  const job = useLiveQuery(() => db().jobs.get(account.jobId), [account.jobId]);
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const c = account.counters;
  const stored = useStoredDetails(account);
  const running = account.status === 'in_progress' || account.status === 'syncing' ? account.phase !== null && account.phase !== 'queued' && account.phase !== 'waiting-retry' : false;
  // Live rows while a run streams progress; otherwise what the bridge's store says per folder.
  const live = running ? (account.progress?.folders ?? []) : [];
  // The store knows what each folder's runs settled, not how many messages the folder holds: that
  // is its total only once the first pass went through every folder. Before (a pass paused,
  // stopped or failed part-way, or the drawer opened before the first progress) it is a count so far.
  const firstPassDone = account.firstPassDoneAt !== null;
  const folders: Array<{ source: string; target: string; total: number | null; copied: number; alreadyPresent: number; skipped: number; done: boolean }> = live.length
    ? live
    : (stored?.folders ?? []).map((f) => ({
        source: f.source,
        target: f.target,
        total: firstPassDone ? f.copied + f.alreadyPresent + f.skipped : null,
        copied: f.copied,
        alreadyPresent: f.alreadyPresent,
        skipped: f.skipped,
        done: firstPassDone,
      }));
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
          <StatusBadge status={account.status} /> <StopNote account={account} />
        </p>
        <dl className="kv">
          <dt>{t('messagesCopied')}</dt>
          <dd>{formatCount(c.messagesCopied, locale)}</dd>
          <dt>{t('messagesAlreadyPresent')}</dt>
          <dd>{formatCount(c.messagesAlreadyPresent, locale)}</dd>
          <dt>{t('messagesSkipped')}</dt>
          <dd>{formatCount(c.messagesSkipped, locale)}</dd>
          <dt>{t('messagesTotal')}</dt>
          <dd data-testid="drawer-total">{isUncounted(account) ? t('messagesNotCounted') : formatCount(c.messagesTotal, locale)}</dd>
          <dt>{t('bytesCopied')}</dt>
          <dd>{formatBytes(c.bytesCopied)}</dd>
          <dt>{t('syncedSinceFirstPass')}</dt>
          <dd data-testid="synced-since-first-pass">{formatCount(c.messagesSyncedSinceFirstPass ?? 0, locale)}</dd>
          <dt>{t('startedAt')}</dt>
          <dd>{formatDateTime(account.startedAt, locale)}</dd>
          <dt>{t('firstPassDoneAt')}</dt>
          <dd>{formatDateTime(account.firstPassDoneAt, locale)}</dd>
          <dt>{t('colLastSync')}</dt>
          <dd>{formatDateTime(account.lastSyncAt, locale)}</dd>
          <dt>{t('attempts')}</dt>
          <dd>{account.attempts}</dd>
          {account.worker && (
            <>
              <dt>{t('accountWorker')}</dt>
              <dd data-testid="drawer-worker">{account.worker}</dd>
            </>
          )}
          {account.syncEndsAt && (
            <>
              <dt>{t('syncEndsAt')}</dt>
              <dd>{formatDateTime(account.syncEndsAt, locale)}</dd>
            </>
          )}
          {account.nextRunAt && (
            <>
              <dt>{t('nextRunAt')}</dt>
              <dd>{formatDateTime(account.nextRunAt, locale)}</dd>
            </>
          )}
        </dl>
        {account.error && <ErrorRemedy error={account.error} passwordNeeded={account.status === 'password_needed'} retried={retriedByBridge(account)} />}
        {account.status === 'closed' && <ReopenForm account={account} job={job} />}
        {account.status === 'password_needed' && <PasswordAgainForm account={account} job={job} />}
        {account.status === 'failed' && account.error?.code === 'AUTH_FAILED' && <PasswordAgainForm key={account.id} account={account} job={job} reason="auth_failed" />}

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
                <tr key={f.source} data-testid="folder-row" data-folder={f.source}>
                  <td>
                    {f.source}
                    {f.target !== f.source && <span className="hint"> → {f.target}</span>}
                  </td>
                  <td>
                    {f.total === null ? (
                      <span className="hint" data-testid="folder-so-far">
                        {t('folderSoFar', { count: formatCount(f.copied + f.alreadyPresent, locale) })}
                      </span>
                    ) : (
                      <>
                        <ProgressBar value={percent(f.copied + f.alreadyPresent + f.skipped, f.total)} label={t('progressOf', { name: f.source })} tone={f.done ? 'ok' : 'run'} />
                        <span className="hint">
                          {formatCount(f.copied + f.alreadyPresent, locale)} / {formatCount(f.total, locale)}
                        </span>
                      </>
                    )}
                  </td>
                  <td>{f.skipped}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <WarningsList account={account} />

        <VerifyDetails verify={account.verify} fix={{ jobId: account.jobId, accountId: account.id }} />

        <h3>{t('skippedTitle')}</h3>
        {c.messagesSkipped === 0 ? (
          <p className="hint">{t('skippedNone')}</p>
        ) : (
          <>
            <p>{t('skippedCount', { count: c.messagesSkipped, folders: listOf(locale, skippedFolders.map((f) => f.source)) || '—' })}</p>
            {stored && stored.skipped.length > 0 ? (
              <table className="mini-table" data-testid="skipped-list">
                <thead>
                  <tr>
                    <th scope="col">{t('folder')}</th>
                    <th scope="col">UID</th>
                    <th scope="col">{t('skippedReason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {stored.skipped.map((m) => (
                    <tr key={`${m.folder}/${m.uid}`}>
                      <td>{m.folder}</td>
                      <td>{m.uid}</td>
                      <td>{skipReasonText(m.reason, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="hint">{t('skippedInReport')}</p>
            )}
            {stored && stored.skippedTotal > stored.skipped.length && <p className="hint">{t('skippedMore', { count: stored.skippedTotal - stored.skipped.length })}</p>}
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
