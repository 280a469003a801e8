import { useEffect, useState } from 'react';
import type { WorkersList } from '../../../shared/protocol/workers';
import { useLocale } from '../../i18n/locale-context';
import { formatAgo, formatBytes, formatCount, formatDateTime } from '../../lib/format';
import { bridgeRequest } from '../../lib/page-client';
import { requestFailureText } from '../monitor/request-failure';

/** How often the panel asks again: workers beat every 5 s, and are dropped 20 s after the last beat. */
export const WORKERS_POLL_MS = 5_000;

const loadWorkers = () => bridgeRequest('workers.list', {});

/**
 * Queue mode (bridge start --queue): the workers taking account passes from the queue, with
 * what each runs now, its last heartbeat and its throughput. Without a queue it says that the
 * bridge runs the passes itself.
 */
export function WorkersPanel({ load = loadWorkers, pollMs = WORKERS_POLL_MS, now = Date.now }: { load?: () => Promise<WorkersList>; pollMs?: number; now?: () => number }) {
  const { t, locale } = useLocale();
  const [list, setList] = useState<WorkersList | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      load().then(
        (l) => {
          if (!live) return;
          setList(l);
          setError(null);
        },
        (err: unknown) => live && setError(requestFailureText(err, t)),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), pollMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
    // t changes with the language only: the poll keeps running across a language switch.
  }, [load, pollMs]);

  return (
    <div className="workers-page">
      <header className="page-head">
        <h1>{t('workersTitle')}</h1>
      </header>
      {error && (
        <p className="error-inline" role="alert">
          {t('workersError', { message: error })}
        </p>
      )}
      {!list && !error && <p className="hint">{t('loading')}</p>}
      {list && list.queue === null && <p data-testid="workers-local">{t('workersLocal')}</p>}
      {list && list.queue !== null && (
        <>
          <p className="hint" data-testid="workers-queue">
            {t('workersQueue', { queue: list.queue })}
          </p>
          {list.workers.length === 0 ? (
            <p data-testid="workers-none">{t('workersNone')}</p>
          ) : (
            <table className="workers-table" data-testid="workers-table">
              <thead>
                <tr>
                  <th>{t('workerColName')}</th>
                  <th>{t('workerColHost')}</th>
                  <th>{t('workerColVersion')}</th>
                  <th>{t('workerColRunning')}</th>
                  <th>{t('workerColHeartbeat')}</th>
                  <th>{t('workerColThroughput')}</th>
                </tr>
              </thead>
              <tbody>
                {list.workers.map((w) => (
                  <tr key={w.name} data-worker={w.name}>
                    <td>
                      <strong>{w.name}</strong>
                      {w.stopped && <div className="error-inline">{t('workerStopped', { reason: w.stopped })}</div>}
                    </td>
                    <td>
                      <code>{w.host}</code>
                    </td>
                    <td>{w.version}</td>
                    <td data-testid="worker-running">
                      {t('workerRunningOf', { running: w.running.length, slots: w.concurrency })}
                      {w.running.length > 0 && (
                        <ul className="hint worker-accounts">
                          {w.running.map((label) => (
                            <li key={label}>{label}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    {/* An age, not a clock time: a worker beats every 5 s, so "3 seconds ago" against "40 seconds ago" is what tells a live one from a stuck one. */}
                    <td data-testid="worker-heartbeat" title={formatDateTime(w.lastHeartbeat, locale)}>
                      {formatAgo(w.lastHeartbeat, now(), locale)}
                    </td>
                    <td data-testid="worker-throughput">
                      {t('workerThroughput', { messages: w.messagesPerSecond.toFixed(1), bytes: formatBytes(w.bytesPerSecond) })}
                      <div className="hint">
                        {t('workerTotals', { done: formatCount(w.accountsDone, locale), failed: formatCount(w.accountsFailed, locale), messages: formatCount(w.messagesCopied, locale) })}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
