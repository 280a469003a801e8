import { useState } from 'react';
import type { JobView, LoginView } from '../../../shared/protocol';
import type { AccountRow } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest, PageRequestError } from '../../lib/page-client';

type Side = 'source' | 'target';

/** What a side needs typed again: the job's admin password, the account's own, or nothing. */
function need(login: LoginView | undefined, hasOwn: boolean): 'admin' | 'own' | null {
  if (login?.kind === 'admin') return login.hasPassword ? null : 'admin';
  return hasOwn ? null : 'own';
}

const serverText = (s: { host: string; port: number; security: string }) => `${s.host}:${s.port} (${s.security})`;

/**
 * An account in `password_needed`: the bridge no longer uses a stored password because the
 * server settings changed since it was entered (passwords are bound to their server). The
 * admin types it again here: an account's own password goes with account.credentials, a job's
 * admin password with job.update (which releases every account of the job waiting for it).
 * The fields are cleared as soon as the request is sent. `job` is the account's job from the
 * mirror (undefined while it loads: the account's own passwords are offered then).
 */
export function PasswordAgainForm({ account, job }: { account: AccountRow; job: JobView | undefined }) {
  const { t } = useLocale();
  const [passwords, setPasswords] = useState<Record<Side, string>>({ source: '', target: '' });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needs: Record<Side, 'admin' | 'own' | null> = {
    source: need(job?.sourceLogin, account.hasSourcePassword),
    target: need(job?.targetLogin, account.hasTargetPassword),
  };
  // Before the job is known, offer the account's own passwords (the usual case).
  if (!job && !needs.source && !needs.target) needs.source = 'own';

  const submit = async () => {
    const typed = { ...passwords };
    setPasswords({ source: '', target: '' });
    if (!typed.source && !typed.target) {
      setMessage(t('passwordAgainEmpty'));
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const login = (side: Side) => {
        const l = side === 'source' ? job?.sourceLogin : job?.targetLogin;
        return l?.kind === 'admin' && typed[side] ? { kind: 'admin' as const, adminUser: l.adminUser, form: l.form, password: typed[side] } : undefined;
      };
      const sourceLogin = needs.source === 'admin' ? login('source') : undefined;
      const targetLogin = needs.target === 'admin' ? login('target') : undefined;
      if (sourceLogin || targetLogin) {
        await bridgeRequest('job.update', { jobId: account.jobId, patch: { ...(sourceLogin ? { sourceLogin } : {}), ...(targetLogin ? { targetLogin } : {}) } });
      }
      const own = {
        ...(needs.source === 'own' && typed.source ? { sourcePassword: typed.source } : {}),
        ...(needs.target === 'own' && typed.target ? { targetPassword: typed.target } : {}),
      };
      if (own.sourcePassword || own.targetPassword) await bridgeRequest('account.credentials', { accountId: account.id, ...own });
      setMessage(t('passwordAgainSaved'));
    } catch (err) {
      setMessage(err instanceof PageRequestError ? `${err.failure.code}: ${err.failure.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  // The server whose password is asked for: the source's when it is needed, else the target's.
  const server = needs.source ? (account.sourceServer ?? job?.source) : job?.target;
  const field = (side: Side) => {
    const kind = needs[side];
    if (!kind) return null;
    const l = side === 'source' ? job?.sourceLogin : job?.targetLogin;
    const label =
      kind === 'admin' && l?.kind === 'admin'
        ? t(side === 'source' ? 'passwordAgainSourceAdmin' : 'passwordAgainTargetAdmin', { user: l.adminUser })
        : t(side === 'source' ? 'passwordAgainSource' : 'passwordAgainTarget');
    return (
      <label className="field">
        <span>{label}</span>
        <input
          type="password"
          className="input"
          name={`password-again-${side}`}
          data-testid={`password-again-${side}`}
          value={passwords[side]}
          onChange={(e) => setPasswords((p) => ({ ...p, [side]: e.target.value }))}
          autoComplete="new-password"
        />
      </label>
    );
  };
  return (
    <form
      className="panel panel--quiet"
      data-testid="password-again-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('passwordAgainTitle')}</h3>
      <p className="hint">{t('passwordAgainHint', { server: server ? serverText(server) : '—' })}</p>
      {field('source')}
      {field('target')}
      <button type="submit" className="secondary" disabled={busy}>
        {t('passwordAgainSubmit')}
      </button>
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </form>
  );
}
