import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { JobView } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest, PageRequestError } from '../../lib/page-client';
import { ServerFields } from '../wizard/ServerFields';
import { serverValid, toServer, type ServerDraft } from '../wizard/wizard-state';

/** 修改服务器地址和端口: for accounts that start from now on, or for all of them. */
export function ServerChangeDialog({ job, onClose }: { job: JobView; onClose(): void }) {
  const { t } = useLocale();
  const ref = useRef<HTMLDialogElement>(null);
  const [server, setServer] = useState<ServerDraft>({
    host: job.source.host,
    port: String(job.source.port),
    security: job.source.security,
    insecureTls: job.source.insecureTls,
    allowPlaintext: job.source.allowPlaintext,
  });
  const [scope, setScope] = useState<'new-accounts' | 'all-accounts'>('new-accounts');
  // Stored passwords are bound to the server they were entered for; an admin login can come with the move.
  const [adminPassword, setAdminPassword] = useState('');
  const admin = job.sourceLogin.kind === 'admin' ? job.sourceLogin : null;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = toServer(server);
      const sourceLogin = admin && adminPassword ? { sourceLogin: { kind: 'admin' as const, adminUser: admin.adminUser, form: admin.form, password: adminPassword } } : {};
      setAdminPassword('');
      await bridgeRequest('server.change', { jobId: job.id, scope, host: s.host, port: s.port, security: s.security, allowPlaintext: s.allowPlaintext, insecureTls: s.insecureTls, ...sourceLogin });
      onClose();
    } catch (err) {
      setError(err instanceof PageRequestError ? `${err.failure.code}: ${err.failure.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="server-change-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="server-change-title">{t('serverChangeTitle')}</h2>
        <p className="hint">{t('serverChangeLead')}</p>
        <ServerFields idPrefix="change" value={server} protocol={job.source.protocol} onChange={setServer} />
        <fieldset className="choice-group">
          <legend className="field__label">{t('serverChangeScope')}</legend>
          <label className={`choice${scope === 'new-accounts' ? ' choice--on' : ''}`}>
            <input type="radio" name="scope" checked={scope === 'new-accounts'} onChange={() => setScope('new-accounts')} />
            <span>
              <strong>{t('scopeNew')}</strong>
              <span className="choice__hint">{t('scopeNewHint')}</span>
            </span>
          </label>
          <label className={`choice${scope === 'all-accounts' ? ' choice--on' : ''}`}>
            <input type="radio" name="scope" checked={scope === 'all-accounts'} onChange={() => setScope('all-accounts')} />
            <span>
              <strong>{t('scopeAll')}</strong>
              <span className="choice__hint">{t('scopeAllHint')}</span>
            </span>
          </label>
        </fieldset>
        <p className="hint" data-testid="server-change-passwords">{t('serverChangePasswordsHint')}</p>
        {admin && (
          <label className="field">
            <span>{t('serverChangeAdminPassword', { user: admin.adminUser })}</span>
            <input type="password" className="input" name="server-change-admin-password" value={adminPassword} onChange={(e) => setAdminPassword(e.target.value)} autoComplete="new-password" />
          </label>
        )}
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="ghost" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !serverValid(server)}>
            {t('save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
