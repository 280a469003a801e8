import { useEffect, useRef, useState } from 'react';
import type { AccountSelection, AccountStatus } from '../../../shared/protocol';
import { STATUS_KEYS } from '../../components/status';
import { listOf } from '../../i18n/punctuation';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import type { PlainKey } from '../../i18n';
import { bridgeRequest } from '../../lib/page-client';
import { refusalText, type BatchAction } from './batch-refusal';
import { ReimportPasswords } from './ReimportPasswords';
import { requestFailureText } from './request-failure';

const ACTIONS: { type: BatchAction; label: PlainKey; className: string }[] = [
  { type: 'account.start', label: 'actionResume', className: 'secondary' },
  { type: 'account.pause', label: 'actionPause', className: 'secondary' },
  { type: 'account.retry', label: 'actionRetry', className: 'secondary' },
  // 到期可重新开启: closed accounts sync again for a new window (those whose passwords were deleted are refused with the reason).
  { type: 'account.reopen', label: 'actionReopen', className: 'secondary' },
  { type: 'account.stop', label: 'actionStop', className: 'danger' },
];

/**
 * Pause / resume / retry / stop for the selected accounts (or, with none selected, all shown),
 * and new passwords for many accounts at once from a CSV. A refusal is worded here from the
 * action and the account's status. The outcome is shown until the person picks other accounts
 * (`scope`: the selection, the filter and the search), as it would then read as theirs.
 */
export function BulkActions({ ids, disabled, jobId, jobPaused = false, scope = '' }: { ids: string[]; disabled: boolean; jobId?: string; jobPaused?: boolean; scope?: string }) {
  const { t, locale } = useLocale();
  const [message, setMessage] = useState<string | null>(null);
  const currentScope = useRef(scope);
  useEffect(() => {
    // Only a real change: the first run of this effect can come after a quick first click's outcome.
    if (currentScope.current === scope) return;
    currentScope.current = scope;
    setMessage(null);
  }, [scope]);
  const run = async (type: BatchAction) => {
    if (type === 'account.stop' && !window.confirm(t(ids.length === 1 ? 'confirmStopOne' : 'confirmStop', { count: ids.length }))) return;
    setMessage(null);
    // An outcome that arrives after the person picked other accounts is not theirs: not shown.
    const startedFor = currentScope.current;
    const show = (text: string) => {
      if (currentScope.current === startedFor) setMessage(text);
    };
    try {
      // 重试 alone fails again on a wrong password: counted before the retry changes the rows, to say where it is fixed.
      const wrongPassword =
        type === 'account.retry' ? (await db().accounts.bulkGet(ids)).filter((r) => r?.status === 'failed' && r.error?.code === 'AUTH_FAILED').length : 0;
      let ok = 0;
      let refused = 0;
      let reason: string | undefined;
      let firstStatus: AccountStatus | undefined;
      // The reason is worded for the first refused account; the others' states are named after it.
      const otherStates = new Map<AccountStatus, number>();
      for (let i = 0; i < ids.length; i += 1000) {
        const selection: AccountSelection = { accountIds: ids.slice(i, i + 1000) };
        const r = await bridgeRequest(type, selection);
        ok += r.results.filter((x) => x.ok).length;
        for (const x of r.results) {
          if (x.ok) continue;
          refused++;
          if (reason === undefined) {
            reason = refusalText(type, x.status, t, x.otherLayoutJob);
            firstStatus = x.status;
          } else if (x.status !== firstStatus) otherStates.set(x.status, (otherStates.get(x.status) ?? 0) + 1);
        }
      }
      if (reason !== undefined && otherStates.size) {
        const states = [...otherStates].map(([status, count]) => t('bulkStateCount', { status: t(STATUS_KEYS[status]), count }));
        reason += `${locale === 'zh-CN' ? '' : ' '}${t('bulkOtherStates', { states: listOf(locale, states) })}`;
      }
      let text = reason ? t('bulkDoneReason', { ok, refused, reason }) : refused ? t('bulkDone', { ok, refused }) : t('bulkDoneAll', { ok });
      if (wrongPassword) text += ` ${t('bulkRetryAuthHint', { count: wrongPassword })}`;
      // The bridge accepts these in a paused job and queues the accounts, which then wait for
      // "Resume all": "1 done" alone reads as if they were running.
      if (jobPaused && ok > 0 && (type === 'account.start' || type === 'account.retry' || type === 'account.reopen')) text += ` ${t('bulkJobPaused')}`;
      show(text);
    } catch (err) {
      show(requestFailureText(err, t));
    }
  };
  return (
    <>
      <div className="bulk-actions" role="group" aria-label={t('bulkActions')}>
        <span className="hint">{t(ids.length === 1 ? 'bulkTargetOne' : 'bulkTarget', { count: ids.length })}</span>
        {ACTIONS.map((a) => (
          <button key={a.type} type="button" className={a.className} disabled={disabled || ids.length === 0} onClick={() => void run(a.type)}>
            {t(a.label)}
          </button>
        ))}
        {message && (
          <span className="hint" role="status" data-testid="bulk-message">
            {message}
          </span>
        )}
      </div>
      <ReimportPasswords jobId={jobId} firstAccountId={ids[0]} disabled={disabled} />
    </>
  );
}
