import { useLiveQuery } from 'dexie-react-hooks';
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/Field';
import { StatusBadge } from '../../components/StatusBadge';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest, PageRequestError } from '../../lib/page-client';
import type { BridgeState } from '../../lib/runtime-messages';
import type { AccountView } from '../../../shared/protocol';

/**
 * 员工自助搬家: the employee picks the migration their admin opened, types the new address, the
 * old address and the old password; the bridge starts their account (account.credentials).
 */
export function SelfServicePage({ bridge, onOpenWizard }: { bridge: BridgeState | undefined; onOpenWizard(): void }) {
  const { t } = useLocale();
  const jobs = useLiveQuery(async () => {
    const waiting = await db().accounts.where('status').anyOf('not_started', 'not_enabled').toArray();
    const ids = [...new Set(waiting.map((a) => a.jobId))];
    return (await db().jobs.bulkGet(ids)).filter((j) => j !== undefined && j.status !== 'closed');
  }, []);
  const [jobId, setJobId] = useState('');
  const [target, setTarget] = useState('');
  const [sourceUser, setSourceUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<AccountView | null>(null);
  const chosen = jobId || jobs?.[0]?.id || '';
  const connected = bridge?.phase === 'connected';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await bridgeRequest('account.credentials', {
        jobId: chosen,
        target: target.trim(),
        ...(sourceUser.trim() ? { sourceUser: sourceUser.trim() } : {}),
        sourcePassword: password,
      });
      setPassword('');
      setStarted(r.account);
    } catch (err) {
      setError(err instanceof PageRequestError ? (err.failure.code === 'NOT_FOUND' ? t('selfNotInvited') : `${err.failure.code}: ${err.failure.message}`) : String(err));
    }
  };

  return (
    <div className="self-page">
      <h1>{t('selfTitle')}</h1>
      <p className="step__lead">{t('selfLead')}</p>
      {!connected && <p className="callout callout--warn">{t('wizardNeedsBridge')}</p>}
      {jobs && jobs.length === 0 ? (
        <div className="panel">
          <p>{t('selfNoJobs')}</p>
          <button type="button" className="secondary" onClick={onOpenWizard}>
            {t('selfOwnMigration')}
          </button>
        </div>
      ) : (
        <form className="panel self-form" onSubmit={(e) => void submit(e)}>
          {jobs && jobs.length > 1 && (
            <Field label={t('selfJob')}>
              {(p) => (
                <select {...p} className="input" value={chosen} onChange={(e) => setJobId(e.target.value)}>
                  {jobs.map((j) => (
                    <option key={j!.id} value={j!.id}>
                      {j!.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label={t('selfNewAddress')} hint={t('selfNewAddressHint')}>
            {(p) => <input {...p} type="email" className="input" required value={target} onChange={(e) => setTarget(e.target.value)} />}
          </Field>
          <Field label={t('selfOldAddress')} hint={t('selfOldAddressHint')}>
            {(p) => <input {...p} type="email" className="input" value={sourceUser} onChange={(e) => setSourceUser(e.target.value)} />}
          </Field>
          <Field label={t('selfOldPassword')} hint={t('verifyPasswordHint')}>
            {(p) => <input {...p} type="password" className="input" required value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />}
          </Field>
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={!connected || !chosen}>
            {t('selfStart')}
          </button>
          {started && (
            <p role="status">
              {t('selfStarted', { account: started.source })} <StatusBadge status={started.status} />
            </p>
          )}
        </form>
      )}
    </div>
  );
}
