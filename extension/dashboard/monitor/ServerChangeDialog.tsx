import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { JobView } from '../../../shared/protocol';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest } from '../../lib/page-client';
import { ConnectionResult } from '../wizard/ConnectionResult';
import { runEndpointTest } from '../wizard/run-endpoint-test';
import { ServerFields } from '../wizard/ServerFields';
import { serverValid, toServer, type EndpointTestView, type ServerDraft } from '../wizard/wizard-state';
import { requestFailureText } from './request-failure';

/**
 * 修改服务器地址和端口: for accounts that start from now on, or for all of them. The new
 * settings are tested first with one account of the job (endpoint.test, read-only) and the
 * diagnosis is shown here, so a bad setting does not surface later as a failure of every
 * account. The password is typed for the test: stored passwords are bound to the server they
 * were entered for and are never sent to another one. With no password typed, the dialog saves
 * as before.
 */
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
  const accounts = useLiveQuery(() => db().accounts.where('jobId').equals(job.id).limit(200).toArray(), [job.id], []);
  const [testAccount, setTestAccount] = useState('');
  const [testPassword, setTestPassword] = useState('');
  const [test, setTest] = useState<{ key: string; result: EndpointTestView } | null>(null);
  const testUser = testAccount || accounts[0]?.source || '';
  // An admin login tests with the admin password typed for the move; otherwise with the account's own.
  const password = admin ? adminPassword : testPassword;
  const settingsKey = JSON.stringify([server, testUser]);
  const tested = test?.key === settingsKey ? test.result : null;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
  }, []);

  const runTest = async (): Promise<boolean> => {
    const s = toServer(server);
    const result = await runEndpointTest({
      side: 'source',
      server: { ...s, protocol: job.source.protocol },
      user: testUser,
      password,
      ...(admin ? { adminUser: admin.adminUser, adminForm: admin.form } : {}),
      ...(job.provider ? { provider: job.provider } : {}),
      detect: false,
    });
    setTest({ key: settingsKey, result });
    return result.ok;
  };

  const save = async () => {
    const s = toServer(server);
    const sourceLogin = admin && adminPassword ? { sourceLogin: { kind: 'admin' as const, adminUser: admin.adminUser, form: admin.form, password: adminPassword } } : {};
    setAdminPassword('');
    setTestPassword('');
    await bridgeRequest('server.change', { jobId: job.id, scope, host: s.host, port: s.port, security: s.security, allowPlaintext: s.allowPlaintext, insecureTls: s.insecureTls, ...sourceLogin });
    onClose();
  };

  // Untested settings with a password: test first, save only when the login works. After a
  // failed test, the same button saves anyway (the admin has seen the diagnosis).
  const mustTest = !!password && !!testUser && !tested;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mustTest && !(await runTest())) return;
      await save();
    } catch (err) {
      setError(requestFailureText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const testNow = async () => {
    setBusy(true);
    setError(null);
    try {
      await runTest();
    } catch (err) {
      setError(requestFailureText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="server-change-title" onClose={onClose} onCancel={onClose} data-testid="server-change-dialog">
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
        <fieldset className="panel panel--quiet" data-testid="server-change-test">
          <legend className="field__label">{t('serverChangeTest')}</legend>
          <p className="hint">{t('serverChangeTestHint')}</p>
          <label className="field">
            <span>{t('serverChangeTestAccount')}</span>
            <select className="input" name="server-change-test-account" value={testUser} onChange={(e) => setTestAccount(e.target.value)}>
              {accounts.map((a) => (
                <option key={a.id} value={a.source}>
                  {a.source}
                </option>
              ))}
            </select>
          </label>
          {!admin && (
            <label className="field">
              <span>{t('serverChangeTestPassword')}</span>
              <input type="password" className="input" name="server-change-test-password" value={testPassword} onChange={(e) => setTestPassword(e.target.value)} autoComplete="off" />
            </label>
          )}
          <button type="button" className="secondary" data-testid="server-change-test-button" disabled={busy || !password || !testUser || !serverValid(server)} onClick={() => void testNow()}>
            {t('serverChangeTest')}
          </button>
          {tested && <ConnectionResult result={tested} providerId={job.provider ?? 'generic'} stale={false} />}
        </fieldset>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="ghost" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" data-testid="server-change-save" disabled={busy || !serverValid(server)}>
            {mustTest ? t('serverChangeTestFirst') : tested && !tested.ok ? t('serverChangeSaveAnyway') : t('save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
