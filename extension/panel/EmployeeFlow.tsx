import { useLiveQuery } from 'dexie-react-hooks';
import { useState, type FormEvent } from 'react';
import { typedForServer } from '../../shared/protocol/requests';
import { Field } from '../components/Field';
import { useTypedFor } from '../hooks/use-typed-for';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorRemedy } from '../components/ErrorRemedy';
import { runEndpointTest } from '../dashboard/wizard/run-endpoint-test';
import type { EndpointTestView } from '../dashboard/wizard/wizard-state';
import { db } from '../db/schema';
import { useLocale } from '../i18n/locale-context';
import { percent } from '../lib/format';
import { bridgeRequest, PageRequestError } from '../lib/page-client';
import { requestFailureText } from '../dashboard/monitor/request-failure';
import type { BridgeState } from '../lib/runtime-messages';
import { authHint, authHintText } from '../dashboard/monitor/auth-hint';
import type { PanelContext } from './messages';
import { ps } from './strings';

/**
 * 员工自助搬家 in the webmail panel: the new address as the page shows it (editable; asked for
 * when it could not be seen), the old address, the old server (from the migration the admin
 * opened, editable for the test), the old password or authorization code with the provider's
 * hint, a test, the start (account.credentials: also the admin's "employee supplies the
 * password" accounts) and the account's live progress from the mirror.
 */
export function EmployeeFlow({ context, bridge, onOwnMigration }: { context: PanelContext; bridge: BridgeState | undefined; onOwnMigration(): void }) {
  const { t, locale } = useLocale();
  const [target, setTarget] = useState(context.address ?? '');
  const [sourceUser, setSourceUser] = useState('');
  const [password, setPassword] = useState('');
  const [hostEdit, setHostEdit] = useState<string | null>(null);
  const [portEdit, setPortEdit] = useState<string | null>(null);
  const [test, setTest] = useState<{ busy: boolean; result: EndpointTestView | null; error: string | null }>({ busy: false, result: null, error: null });
  const [error, setError] = useState<string | null>(null);
  const [startedId, setStartedId] = useState<string | null>(null);
  // The started account failed (a wrong password): its form again, for that account.
  const [again, setAgain] = useState(false);
  const connected = bridge?.phase === 'connected';

  const invites = useLiveQuery(async () => {
    const waiting = await db().accounts.where('status').anyOf('not_started', 'not_enabled').toArray();
    const jobs = await db().jobs.bulkGet([...new Set(waiting.map((a) => a.jobId))]);
    return waiting.flatMap((a) => {
      const job = jobs.find((j) => j?.id === a.jobId);
      return job && job.status !== 'closed' ? [{ account: a, job }] : [];
    });
  }, []);
  const started = useLiveQuery(async () => (startedId ? ((await db().accounts.get(startedId)) ?? null) : null), [startedId]);
  const startedJob = useLiveQuery(async () => (started ? ((await db().jobs.get(started.jobId)) ?? null) : null), [started?.jobId]);

  const wanted = target.trim().toLowerCase();
  const invite =
    again && started && startedJob
      ? { account: started, job: startedJob }
      : (invites?.find((i) => i.account.target.toLowerCase() === wanted) ?? (invites?.length === 1 ? invites[0] : undefined));
  const job = invite?.job;
  const oldAddress = sourceUser.trim() || (invite && invite.account.source.toLowerCase() !== invite.account.target.toLowerCase() ? invite.account.source : wanted);
  // The server the bridge stores the password for and logs in to: the account's own when it kept
  // the one it started with (a server change for new accounts only), else the job's.
  const bound = invite ? (invite.account.sourceServer ? { ...invite.account.sourceServer, protocol: invite.job.source.protocol } : invite.job.source) : null;
  const host = hostEdit ?? bound?.host ?? '';
  const port = portEdit ?? String(bound?.port ?? 993);
  const hint = authHint(job?.provider ?? null, host, oldAddress);
  const zh = locale === 'zh-CN';

  const server = bound ? { ...bound, host: host.trim(), port: Number(port) || bound.port } : null;
  // The fields may name another server for a test, but a password typed for it must not be sent:
  // the bridge would use it with `bound`, a server the employee did not type it for.
  const elsewhere = !!bound && !!server && (server.host.toLowerCase() !== bound.host.toLowerCase() || server.port !== bound.port);
  const boundFor = bound && invite ? typedForServer(bound, invite.job.source.protocol) : null;
  const typedFor = useTypedFor();

  const runTest = async () => {
    if (!server) return;
    setTest({ busy: true, result: null, error: null });
    try {
      const result = await runEndpointTest({ side: 'source', server, user: oldAddress, password });
      setTest({ busy: false, result, error: null });
    } catch (err) {
      setTest({ busy: false, result: null, error: requestFailureText(err, t) });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!invite || elsewhere) return;
    setError(null);
    try {
      const same = invite.account.target.toLowerCase() === wanted;
      // The server the password was typed for (the bridge refuses it when the job moved meanwhile).
      const sourceServer = typedFor.server() ?? boundFor;
      const typed = { sourceUser: oldAddress, sourcePassword: password, ...(sourceServer ? { sourceServer } : {}) };
      const r = await bridgeRequest('account.credentials', same ? { accountId: invite.account.id, ...typed } : { jobId: invite.job.id, target: wanted, ...typed });
      setPassword('');
      typedFor.clear();
      setTest({ busy: false, result: null, error: null });
      setAgain(false);
      setStartedId(r.account.id);
    } catch (err) {
      setError(err instanceof PageRequestError && err.failure.code === 'NOT_FOUND' ? t('selfNotInvited') : requestFailureText(err, t));
    }
  };

  if (started && !again) {
    const c = started.counters;
    const done = c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped;
    // The first pass is over: the mailbox is there (new mail keeps syncing while the window lasts).
    const finished = started.firstPassDoneAt !== null && started.status !== 'failed' && started.status !== 'in_progress';
    const failed = started.status === 'failed' || started.status === 'password_needed';
    return (
      <section className="panel self-progress" data-testid="self-progress" data-status={started.status} data-done={String(finished)} aria-live="polite">
        <h2>{ps(locale, 'progress')}</h2>
        <p>
          {t('selfStarted', { account: started.source })} <StatusBadge status={started.status} />
        </p>
        <ProgressBar value={finished ? 100 : percent(done, c.messagesTotal)} label={ps(locale, 'progress')} tone={failed ? 'bad' : finished ? 'ok' : 'run'} />
        <p data-testid="self-counts">{ps(locale, 'copied', { copied: done, total: c.messagesTotal })}</p>
        {finished && (
          <p className="callout" data-testid="self-done">
            {t('selfDone', { copied: done })} {started.status === 'syncing' ? t('selfSyncing') : ''}
          </p>
        )}
        {started.error && <ErrorRemedy error={started.error} passwordNeeded={started.status === 'password_needed'} />}
        {failed && (
          <button type="button" className="secondary" data-testid="self-try-again" onClick={() => setAgain(true)}>
            {t('selfTryAgain')}
          </button>
        )}
      </section>
    );
  }

  return (
    <div className="self-page">
      <h1>{t('selfTitle')}</h1>
      {!connected && <p className="callout callout--warn">{ps(locale, 'needsPairing')}</p>}
      {invites && invites.length === 0 && !again ? (
        <div className="panel" data-testid="no-invite">
          <p>{ps(locale, 'noInvite')}</p>
          <button type="button" className="secondary" onClick={onOwnMigration}>
            {ps(locale, 'ownMigration')}
          </button>
        </div>
      ) : (
        <form className="panel self-form" data-testid="self-form" onSubmit={(e) => void submit(e)}>
          {job && <p className="step__lead" data-testid="invite">{ps(locale, 'waitingInvite', { job: job.name })}</p>}
          <Field label={ps(locale, 'newAddress')} hint={context.address ? `${ps(locale, 'detected')}: ${context.address}` : context.siteId === 'dashboard' ? t('selfNewAddressHint') : ps(locale, 'notDetected')}>
            {(p) => <input {...p} name="self-target" type="email" className="input" required value={target} onChange={(e) => setTarget(e.target.value)} />}
          </Field>
          <Field label={ps(locale, 'oldAddress')} hint={t('selfOldAddressHint')}>
            {(p) => <input {...p} name="self-source" type="email" className="input" placeholder={oldAddress} value={sourceUser} onChange={(e) => setSourceUser(e.target.value)} />}
          </Field>
          <div className="self-server" style={{ display: 'grid', gridTemplateColumns: '1fr 110px', gap: 12 }}>
            <Field label={ps(locale, 'oldServer')} hint={ps(locale, 'oldServerAuto')}>
              {(p) => <input {...p} name="self-host" className="input" value={host} onChange={(e) => setHostEdit(e.target.value)} />}
            </Field>
            <Field label={ps(locale, 'port')}>
              {(p) => <input {...p} name="self-port" className="input" inputMode="numeric" value={port} onChange={(e) => setPortEdit(e.target.value)} />}
            </Field>
          </div>
          <Field
            label={ps(locale, 'password')}
            hint={
              <>
                {ps(locale, 'passwordHint')}
                {hint && (
                  <span data-testid="auth-hint">
                    {' '}
                    {t('authCodeWhere', { where: authHintText(hint, zh ? 'zh' : 'en') })}
                  </span>
                )}
              </>
            }
          >
            {(p) => (
              <input
                {...p}
                name="self-password"
                type="password"
                className="input"
                required
                autoComplete="off"
                value={password}
                onChange={(e) => {
                  typedFor.typed(e.target.value, boundFor);
                  setPassword(e.target.value);
                }}
              />
            )}
          </Field>
          <div className="row" style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
            <button type="button" className="secondary" data-testid="self-test" disabled={!connected || !server || !password || test.busy} onClick={() => void runTest()}>
              {test.busy ? ps(locale, 'testing') : ps(locale, 'test')}
            </button>
            <button type="submit" className="primary" data-testid="self-start" disabled={!connected || !invite || !password || elsewhere}>
              {ps(locale, 'start')}
            </button>
          </div>
          {bound && elsewhere && (
            <p className="callout callout--warn" data-testid="self-other-server">
              {ps(locale, 'otherServer', { server: `${bound.host}:${bound.port}` })}
            </p>
          )}
          {test.result && (
            <div data-testid="self-test-result" data-ok={String(test.result.ok)} role="status">
              {test.result.ok ? <p>{ps(locale, 'testOk', { folders: test.result.folders ?? 0 })}</p> : test.result.error && <ErrorRemedy error={test.result.error} />}
            </div>
          )}
          {(test.error || error) && (
            <p className="field__error" role="alert">
              {test.error ?? error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
