import { useState } from 'react';
import { errorSide } from '../../../shared/errors';
import type { JobView, LoginView, Server } from '../../../shared/protocol';
import { typedForServer, type TypedForServer } from '../../../shared/protocol/requests';
import { useTypedFor } from '../../hooks/use-typed-for';
import type { AccountRow } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest } from '../../lib/page-client';
import { runEndpointTest } from '../wizard/run-endpoint-test';
import type { EndpointTestView } from '../wizard/wizard-state';
import { ErrorRemedy } from '../../components/ErrorRemedy';
import { authHint, authHintLabel, authHintText } from './auth-hint';
import { requestFailureText } from './request-failure';
import { aside } from '../../i18n/punctuation';

type Side = 'source' | 'target';
type Need = 'admin' | 'own' | null;

/** What a side needs typed again: the job's admin password, the account's own, or nothing. */
function need(login: LoginView | undefined, hasOwn: boolean): Need {
  if (login?.kind === 'admin') return login.hasPassword ? null : 'admin';
  return hasOwn ? null : 'own';
}

/** Whose password a failed login asks for: the side the error names (both when it names none). */
function failedNeeds(account: AccountRow, job: JobView | undefined): Record<Side, Need> {
  const side = account.error ? errorSide(account.error) : null;
  const kind = (s: Side): Need => ((s === 'source' ? job?.sourceLogin : job?.targetLogin)?.kind === 'admin' ? 'admin' : 'own');
  return { source: side === 'target' ? null : kind('source'), target: side === 'source' ? null : side === 'target' ? kind('target') : null };
}

const SECURITY_KEYS = { tls: 'securityTls', starttls: 'securityStarttls', plain: 'securityPlain' } as const;

/** Every setting a stored password is bound to on the bridge (docs/PROTOCOL.md). */
function sameServer(a: Server, b: Server): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.security === b.security && a.allowPlaintext === b.allowPlaintext && a.insecureTls === b.insecureTls;
}

/**
 * A password typed again where the account's problem is shown (drawer), for two reasons:
 * - `password_needed`: the bridge no longer uses a stored password because the server settings
 *   changed since it was entered (passwords are bound to their server);
 * - `auth_failed`: the account failed with AUTH_FAILED: 更新密码并重试 for the side that failed,
 *   with the provider's hint on its client password / authorization code and a test first.
 * An account's own password goes with account.credentials (which also queues a failed account
 * again), a job's admin password with job.update (then account.retry for a failed login). The
 * fields are cleared as soon as the request is sent. `job` is the account's job from the mirror
 * (undefined while it loads: the account's own passwords are offered then).
 */
export function PasswordAgainForm({ account, job, reason = 'password_needed' }: { account: AccountRow; job: JobView | undefined; reason?: 'password_needed' | 'auth_failed' }) {
  const { t, locale } = useLocale();
  const lang = locale === 'zh-CN' ? 'zh' : 'en';
  const [passwords, setPasswords] = useState<Record<Side, string>>({ source: '', target: '' });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<EndpointTestView | null>(null);
  const authFailed = reason === 'auth_failed';
  const needs: Record<Side, Need> = authFailed
    ? failedNeeds(account, job)
    : { source: need(job?.sourceLogin, account.hasSourcePassword), target: need(job?.targetLogin, account.hasTargetPassword) };
  // A job keeps one admin password for the old system, and job.update stores it for the job's
  // server of today. An account that kept the server it started with reads another one: an
  // admin password typed for that server would be stored for, and used with, the job's.
  const keptServer = job && account.sourceServer && !sameServer(account.sourceServer, job.source) ? account.sourceServer : null;
  const adminKept = !!keptServer && needs.source === 'admin';
  if (adminKept) needs.source = null;
  // Before the job is known, offer the account's own passwords (the usual case).
  if (!job && !needs.source && !needs.target) needs.source = 'own';

  const login = (side: Side) => (side === 'source' ? job?.sourceLogin : job?.targetLogin);
  const serverOf = (side: Side) => (side === 'source' ? (account.sourceServer ? { ...account.sourceServer, protocol: job?.source.protocol ?? 'imap' } : job?.source) : job?.target);
  // What the bridge stores each password for: an admin password for the job's server, an
  // account's own for the account's (its kept source server, if any).
  const storedFor = (side: Side): TypedForServer | null => {
    if (!job) return null;
    if (side === 'target') return typedForServer(job.target, 'imap');
    return typedForServer(needs.source === 'admin' ? job.source : (account.sourceServer ?? job.source), job.source.protocol);
  };
  const typedFor = { source: useTypedFor(), target: useTypedFor() };

  const submit = async () => {
    const typed = { ...passwords };
    const servers = { source: typedFor.source.server() ?? storedFor('source'), target: typedFor.target.server() ?? storedFor('target') };
    setPasswords({ source: '', target: '' });
    typedFor.source.clear();
    typedFor.target.clear();
    setTest(null);
    if (!typed.source && !typed.target) {
      setMessage(t('passwordAgainEmpty'));
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const adminLogin = (side: Side) => {
        const l = login(side);
        return l?.kind === 'admin' && typed[side] ? { kind: 'admin' as const, adminUser: l.adminUser, form: l.form, password: typed[side] } : undefined;
      };
      const sourceLogin = needs.source === 'admin' ? adminLogin('source') : undefined;
      const targetLogin = needs.target === 'admin' ? adminLogin('target') : undefined;
      if (sourceLogin || targetLogin) {
        // Each with the server it was typed for: the bridge refuses it for another one.
        await bridgeRequest('job.update', {
          jobId: account.jobId,
          patch: { ...(sourceLogin ? { sourceLogin } : {}), ...(targetLogin ? { targetLogin } : {}) },
          ...(sourceLogin && servers.source ? { sourceServer: servers.source } : {}),
          ...(targetLogin && servers.target ? { targetServer: servers.target } : {}),
        });
      }
      const own = {
        ...(needs.source === 'own' && typed.source ? { sourcePassword: typed.source, ...(servers.source ? { sourceServer: servers.source } : {}) } : {}),
        ...(needs.target === 'own' && typed.target ? { targetPassword: typed.target, ...(servers.target ? { targetServer: servers.target } : {}) } : {}),
      };
      if (own.sourcePassword || own.targetPassword) await bridgeRequest('account.credentials', { accountId: account.id, ...own });
      // An admin password does not restart a failed account by itself.
      else if (authFailed && account.status === 'failed') await bridgeRequest('account.retry', { accountIds: [account.id] });
      setMessage(authFailed ? t('updatePasswordSaved') : t('passwordAgainSaved'));
    } catch (err) {
      setMessage(requestFailureText(err, t));
    } finally {
      setBusy(false);
    }
  };

  /** Logs in with the typed password before it is saved (endpoint.test, read-only). */
  const runTest = async () => {
    const side: Side = needs.source ? 'source' : 'target';
    const server = serverOf(side);
    const l = login(side);
    if (!server || !passwords[side]) return;
    setBusy(true);
    setTest(null);
    setMessage(null);
    try {
      const user = side === 'source' ? account.source : account.target;
      setTest(
        await runEndpointTest({
          side,
          server: { ...server, protocol: side === 'source' ? (job?.source.protocol ?? 'imap') : 'imap' },
          user,
          password: passwords[side],
          ...(l?.kind === 'admin' ? { adminUser: l.adminUser, adminForm: l.form } : {}),
          ...(job?.provider && side === 'source' ? { provider: job.provider } : {}),
          detect: false,
        }),
      );
    } catch (err) {
      setMessage(requestFailureText(err, t));
    } finally {
      setBusy(false);
    }
  };

  // The server whose password is asked for: the source's when it is needed, else the target's.
  const server = needs.source ? (account.sourceServer ?? job?.source) : job?.target;
  const serverText = (v: { host: string; port: number; security: 'tls' | 'starttls' | 'plain' }) => `${v.host}:${v.port}${aside(locale, t(SECURITY_KEYS[v.security]))}`;
  const hint = needs.source === 'own' ? authHint(job?.provider, server?.host ?? '', account.source) : undefined;
  const sideWord = needs.source && needs.target ? t('sideBoth') : needs.target ? t('sideTarget') : t('sideSource');
  const field = (side: Side) => {
    const kind = needs[side];
    if (!kind) return null;
    const l = login(side);
    const label =
      kind === 'admin' && l?.kind === 'admin'
        ? t(side === 'source' ? 'passwordAgainSourceAdmin' : 'passwordAgainTargetAdmin', { user: l.adminUser })
        : authFailed
          ? t(side === 'source' ? 'updatePasswordSource' : 'updatePasswordTarget')
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
          onChange={(e) => {
            typedFor[side].typed(e.target.value, storedFor(side));
            setPasswords((p) => ({ ...p, [side]: e.target.value }));
          }}
          autoComplete="new-password"
        />
      </label>
    );
  };
  const testSide: Side = needs.source ? 'source' : 'target';
  return (
    <form
      className="panel panel--quiet"
      data-testid={authFailed ? 'update-password-form' : 'password-again-form'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{authFailed ? t('updatePassword') : t('passwordAgainTitle')}</h3>
      <p className="hint">{authFailed ? t('updatePasswordHint', { side: sideWord }) : t('passwordAgainHint', { server: server ? serverText(server) : '—' })}</p>
      {hint && (
        <p className="hint" data-testid="auth-code-hint">
          {t(authHintLabel(hint), { where: authHintText(hint, lang) })}
        </p>
      )}
      {adminKept && keptServer && job && (
        <p className="callout callout--warn" data-testid="password-again-admin-kept">
          {t('passwordAgainAdminKept', { server: serverText(keptServer), jobServer: serverText(job.source) })}
        </p>
      )}
      {field('source')}
      {field('target')}
      <div className="row" style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
        {authFailed && (
          <button type="button" className="ghost" data-testid="update-password-test" disabled={busy || !passwords[testSide] || !serverOf(testSide)} onClick={() => void runTest()}>
            {busy && !message ? t('updatePasswordTesting') : t('updatePasswordTest')}
          </button>
        )}
        {/* Until the job is known, the server the password is for is not: nothing could be sent. */}
        <button type="submit" className="secondary" data-testid="password-again-submit" disabled={busy || !job}>
          {authFailed ? t('updatePassword') : t('passwordAgainSubmit')}
        </button>
      </div>
      {test && (
        <div data-testid="update-password-test-result" data-ok={String(test.ok)}>
          {test.ok ? <p className="hint">{t('updatePasswordTestOk')}</p> : test.error && <ErrorRemedy error={test.error} />}
        </div>
      )}
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </form>
  );
}
