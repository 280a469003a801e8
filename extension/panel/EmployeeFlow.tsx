import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState, type FormEvent } from 'react';
import type { AccountPhase, AccountStatus, AccountView } from '../../shared/protocol';
import { typedForServer } from '../../shared/protocol/requests';
import { Field } from '../components/Field';
import { useTypedFor } from '../hooks/use-typed-for';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorRemedy, retriedByBridge } from '../components/ErrorRemedy';
import { runEndpointTest } from '../dashboard/wizard/run-endpoint-test';
import type { EndpointTestView } from '../dashboard/wizard/wizard-state';
import { db } from '../db/schema';
import { useLocale } from '../i18n/locale-context';
import type { PlainKey } from '../i18n';
import { formatDateTime, percent } from '../lib/format';
import { bridgeRequest, PageRequestError } from '../lib/page-client';
import { requestFailureText } from '../dashboard/monitor/request-failure';
import type { BridgeState } from '../lib/runtime-messages';
import { authHint, authHintLabel, authHintText } from '../dashboard/monitor/auth-hint';
import type { PanelContext } from './messages';
import { fullWidthFieldError } from '../lib/full-width-field';
import { EMPLOYEE_MODES, INVITED, waitsForEmployee } from '../lib/waiting-for-employee';
import { PANEL_STRINGS, ps } from './strings';
import { aside, labelMark } from '../i18n/punctuation';
import { isUncounted } from '../dashboard/monitor/monitor-model';

/** Statuses of a migration that is still running its course. */
const LIVE: ReadonlySet<AccountStatus> = new Set<AccountStatus>(['in_progress', 'paused', 'first_pass_done', 'syncing', 'password_needed']);
/** Before the engine has counted the old mailbox: no figure to show yet. */
const EARLY_PHASES: ReadonlySet<AccountPhase | null> = new Set<AccountPhase | null>([null, 'queued', 'connecting', 'discovering', 'creating-folders', 'planning']);

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
  // The bridge's answer to the start: newer than the mirror until the mirror hears of it.
  const [answered, setAnswered] = useState<AccountView | null>(null);
  // The started account failed (a wrong password): its form again, for that account.
  const [again, setAgain] = useState(false);
  const connected = bridge?.phase === 'connected';
  const wanted = target.trim().toLowerCase();

  // One read transaction: the snapshot time and the accounts it brought are of one moment.
  const invitesQuery = useLiveQuery(
    () =>
      db().transaction('r', db().accounts, db().jobs, db().settings, async () => {
        // An account whose password the admin entered is no invitation: the employee has nothing to type.
        const waiting = (await db().accounts.where('status').anyOf([...INVITED]).toArray()).filter(waitsForEmployee);
        const jobs = await db().jobs.bulkGet([...new Set(waiting.map((a) => a.jobId))]);
        const snapshotAt = ((await db().settings.get('lastSnapshotAt'))?.value as string | undefined) ?? null;
        const list = waiting.flatMap((a) => {
          const job = jobs.find((j) => j?.id === a.jobId);
          return job && job.status !== 'closed' ? [{ account: a, job }] : [];
        });
        return { list, snapshotAt };
      }),
    [],
  );
  const invites = invitesQuery?.list;
  // The bridge says "connected" once the mirror holds its snapshot, but this page's query may not
  // have seen that write yet: "no invitation" is said only from a mirror as new as the connection.
  const mirrored = connected && !!bridge?.lastConnectedAt && !!invitesQuery?.snapshotAt && invitesQuery.snapshotAt >= bridge.lastConnectedAt;
  // A migration of this address that already ran: the panel is opened again later (another day,
  // after a bridge restart), and only the mirror remembers it. Also one the admin runs with the
  // password they entered, from its import on: the employee is told so, not "no migration was
  // opened for you" with an offer to set up a second one.
  const own = useLiveQuery(async () => {
    if (!wanted) return null;
    const rows = await db()
      .accounts.where('target')
      .equalsIgnoreCase(wanted)
      .filter((a) => !waitsForEmployee(a))
      .toArray();
    const jobs = await db().jobs.bulkGet([...new Set(rows.map((a) => a.jobId))]);
    const found = rows.flatMap((a) => {
      const job = jobs.find((j) => j?.id === a.jobId);
      return job ? [{ account: a, job }] : [];
    });
    // An open job's account before a closed job's (that one is history), then the latest.
    found.sort((x, y) => Number(x.job.status === 'closed') - Number(y.job.status === 'closed') || y.account.updatedAt.localeCompare(x.account.updatedAt));
    return found[0] ?? null;
  }, [wanted]);
  const exactInvite = invites?.find((i) => i.account.target.toLowerCase() === wanted);
  // A migration still under way (or paused) in an open job is what the employee sees; a new
  // invitation for the address wins over one that ended, failed or was closed, which the
  // admin's new invitation replaces.
  const ownUnderWay = !!own && own.job.status !== 'closed' && LIVE.has(own.account.status);
  const shownId = startedId ?? (own && (ownUnderWay || !exactInvite) ? own.account.id : null);
  const startedQuery = useLiveQuery(async () => (shownId ? { id: shownId, row: (await db().accounts.get(shownId)) ?? null } : null), [shownId]);
  // The query answers for the previous id for a moment: never show that one's state (or the form) meanwhile.
  const startedSettled = !shownId || startedQuery?.id === shownId;
  const started = startedSettled && startedQuery ? startedQuery.row : null;
  const startedJobQuery = useLiveQuery(async () => (started ? { id: started.jobId, job: (await db().jobs.get(started.jobId)) ?? null } : null), [started?.jobId]);
  const startedJob = started && startedJobQuery?.id === started.jobId ? startedJobQuery.job : undefined;
  // A password typed into a form that gave way to a migration's state (started from elsewhere)
  // is not kept in memory, nor filled in again should that form come back.
  const showsMigration = !!started && !again;
  useEffect(() => {
    if (showsMigration) setPassword('');
  }, [showsMigration]);

  // An invitation is for the address it was opened for. The only one is offered while no address
  // is known yet (nothing detected on the page); with another address it is somebody else's, and
  // claiming it ("your old mailbox is waiting") led to a login test that passed and a start the
  // bridge then refused.
  const invite =
    again && started && startedJob ? { account: started, job: startedJob } : (exactInvite ?? (!wanted && invites?.length === 1 ? invites[0] : undefined));
  const otherAddress = !!wanted && !exactInvite && !!invites?.length && !(again && started);
  const job = invite?.job;
  const oldAddress = sourceUser.trim() || (invite && invite.account.source.toLowerCase() !== invite.account.target.toLowerCase() ? invite.account.source : wanted);
  // The server the bridge stores the password for and logs in to: the account's own when it kept
  // the one it started with (a server change for new accounts only), else the job's.
  const bound = invite ? (invite.account.sourceServer ? { ...invite.account.sourceServer, protocol: invite.job.source.protocol } : invite.job.source) : null;
  const host = hostEdit ?? bound?.host ?? '';
  const port = portEdit ?? String(bound?.port ?? 993);
  const hint = authHint(job?.provider ?? null, host, oldAddress);
  const zh = locale === 'zh-CN';
  // Typed in Chinese input mode (user＠corp.com, imap。example.com, ９９３): named under the field,
  // and neither tested nor started with, as the login would fail for a reason nobody sees.
  const fullWidth = {
    target: fullWidthFieldError(target, PANEL_STRINGS.fullWidthNewAddress, locale),
    source: fullWidthFieldError(sourceUser, PANEL_STRINGS.fullWidthOldAddress, locale),
    host: fullWidthFieldError(host, PANEL_STRINGS.fullWidthOldServer, locale),
    port: fullWidthFieldError(port, PANEL_STRINGS.fullWidthPort, locale, 'port'),
  };
  const typedFullWidth = Object.values(fullWidth).some((e) => e !== null);

  const server = bound ? { ...bound, host: host.trim(), port: Number(port) || bound.port } : null;
  // The fields may name another server for a test, but a password typed for it must not be sent:
  // the bridge would use it with `bound`, a server the employee did not type it for.
  const elsewhere = !!bound && !!server && (server.host.toLowerCase() !== bound.host.toLowerCase() || server.port !== bound.port);
  const boundFor = bound && invite ? typedForServer(bound, invite.job.source.protocol) : null;
  const typedFor = useTypedFor();

  const runTest = async () => {
    if (!server || typedFullWidth) return;
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
    if (!invite || elsewhere || typedFullWidth) return;
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
      setAnswered(r.account);
      setStartedId(r.account.id);
    } catch (err) {
      setError(err instanceof PageRequestError && err.failure.code === 'NOT_FOUND' ? t('selfNotInvited') : requestFailureText(err, t));
    }
  };

  const notice = <BridgeNotice bridge={bridge} lastKnownAt={started && !again ? started.syncedAt : null} />;
  if (invites === undefined || own === undefined || !startedSettled || (again && started && startedJob === undefined)) {
    return (
      <div className="self-page" data-testid="self-loading">
        <h1>{t('selfTitle')}</h1>
        {notice}
      </div>
    );
  }

  if (started && !again) {
    const shown = answered && answered.id === started.id && Date.parse(answered.updatedAt) > Date.parse(started.updatedAt) ? { ...started, ...answered } : started;
    const c = shown.counters;
    const done = c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped;
    // The first pass is over: the mailbox is there (new mail keeps syncing while the window lasts).
    const finished = shown.firstPassDoneAt !== null && shown.status !== 'failed' && shown.status !== 'in_progress';
    const failed = shown.status === 'failed' || shown.status === 'password_needed';
    // The admin entered this account's password: a failure is theirs to fix, not a form for the employee.
    const byAdmin = !EMPLOYEE_MODES.has(shown.mode);
    // Queued or still reading the old mailbox: a status of 0 of 0 messages would read as an empty or stuck mailbox.
    const starting = shown.status === 'in_progress' && shown.firstPassDoneAt === null && c.messagesTotal === 0 && EARLY_PHASES.has(shown.phase);
    return (
      <div className="self-page">
        <h1>{t('selfTitle')}</h1>
        {notice}
        <section className="panel self-progress" data-testid="self-progress" data-status={shown.status} data-starting={String(starting)} data-done={String(finished)} aria-live="polite">
          <h2>{ps(locale, 'progress')}</h2>
          {starting ? (
            <p data-testid="self-starting">
              {t('selfStarting', { account: shown.source })}
              {shown.phase && <span className="hint">{aside(locale, t(`phase_${shown.phase}` as PlainKey))}</span>}
            </p>
          ) : (
            <p data-testid="self-state">
              {t('selfMigrationOf', { account: shown.source })} <StatusBadge status={shown.status} />
            </p>
          )}
          <ProgressBar value={finished ? 100 : percent(done, c.messagesTotal)} label={ps(locale, 'progress')} tone={failed ? 'bad' : finished ? 'ok' : 'run'} />
          {!starting && !INVITED.has(shown.status) && <p data-testid="self-counts">{isUncounted(shown) ? ps(locale, 'notCounted') : ps(locale, 'copied', { copied: done, total: c.messagesTotal })}</p>}
          {finished && (
            <p className="callout" data-testid="self-done">
              {t('selfDone', { copied: done })} {shown.status === 'syncing' ? t('selfSyncing') : ''}
            </p>
          )}
          {byAdmin && (
            <p className="hint" data-testid="self-by-admin">
              {ps(locale, INVITED.has(shown.status) ? 'adminWillRun' : failed ? 'adminFailed' : 'adminRuns')}
            </p>
          )}
          {shown.error && <ErrorRemedy error={shown.error} passwordNeeded={shown.status === 'password_needed'} retried={retriedByBridge(shown)} />}
          {failed && !byAdmin && (
            <button type="button" className="secondary" data-testid="self-try-again" onClick={() => setAgain(true)}>
              {t('selfTryAgain')}
            </button>
          )}
        </section>
      </div>
    );
  }

  return (
    <div className="self-page">
      <h1>{t('selfTitle')}</h1>
      {notice}
      {invites.length === 0 && !again ? (
        // Whether an invitation exists is known only from a connected bridge: the mirror may be old.
        mirrored && (
          <div className="panel" data-testid="no-invite">
            <p>{ps(locale, 'noInvite')}</p>
            <button type="button" className="secondary" onClick={onOwnMigration}>
              {ps(locale, 'ownMigration')}
            </button>
          </div>
        )
      ) : (
        <form className="panel self-form" data-testid="self-form" onSubmit={(e) => void submit(e)}>
          {job && <p className="step__lead" data-testid="invite">{ps(locale, 'waitingInvite', { job: job.name })}</p>}
          {otherAddress && (
            <p className="callout callout--warn" role="status" data-testid="invite-mismatch">
              {t('selfNoInviteForAddress', { address: wanted })}
            </p>
          )}
          <Field label={ps(locale, 'newAddress')} hint={context.address ? `${ps(locale, 'detected')}${labelMark(locale)}${context.address}` : context.siteId === 'dashboard' ? t('selfNewAddressHint') : ps(locale, 'notDetected')} error={fullWidth.target}>
            {(p) => <input {...p} name="self-target" type="email" className="input" required value={target} onChange={(e) => setTarget(e.target.value)} />}
          </Field>
          <Field label={ps(locale, 'oldAddress')} hint={t('selfOldAddressHint')} error={fullWidth.source}>
            {(p) => <input {...p} name="self-source" type="email" className="input" placeholder={oldAddress} value={sourceUser} onChange={(e) => setSourceUser(e.target.value)} />}
          </Field>
          <div className="self-server" style={{ display: 'grid', gridTemplateColumns: '1fr 110px', gap: 12 }}>
            <Field label={ps(locale, 'oldServer')} hint={ps(locale, 'oldServerAuto')} error={fullWidth.host}>
              {(p) => <input {...p} name="self-host" className="input" value={host} onChange={(e) => setHostEdit(e.target.value)} />}
            </Field>
            <Field label={ps(locale, 'port')} error={fullWidth.port}>
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
                    {t(authHintLabel(hint), { where: authHintText(hint, zh ? 'zh' : 'en') })}
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
            <button type="button" className="secondary" data-testid="self-test" disabled={!connected || !server || !password || test.busy || typedFullWidth} onClick={() => void runTest()}>
              {test.busy ? ps(locale, 'testing') : ps(locale, 'test')}
            </button>
            <button type="submit" className="primary" data-testid="self-start" disabled={!connected || !invite || !password || elsewhere || typedFullWidth}>
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

/**
 * Why nothing can be started right now, one sentence for the bridge's state: pairing is asked for
 * only when this browser is not paired; a paired bridge that is down needs starting, not pairing.
 */
function BridgeNotice({ bridge, lastKnownAt }: { bridge: BridgeState | undefined; lastKnownAt: string | null }) {
  const { locale } = useLocale();
  const phase = bridge?.phase ?? 'checking';
  if (phase === 'connected') return null;
  const text =
    phase === 'unpaired'
      ? ps(locale, 'notPaired')
      : phase === 'not-found'
        ? bridge?.paired
          ? ps(locale, 'bridgeOffline')
          : `${ps(locale, 'bridgeOffline')} ${ps(locale, 'notPaired')}`
        : phase === 'impostor'
          ? ps(locale, 'bridgeImpostor')
          : ps(locale, 'bridgeConnecting');
  const waiting = phase === 'checking' || phase === 'connecting';
  return (
    <p className={waiting ? 'hint' : 'callout callout--warn'} data-testid="self-bridge-notice" data-state={phase} role="status">
      {text}
      {lastKnownAt && !waiting && ` ${ps(locale, 'lastKnown', { time: formatDateTime(lastKnownAt, locale) })}`}
    </p>
  );
}
