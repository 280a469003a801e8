import { useEffect, useState } from 'react';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Logo } from '../components/Logo';
import { BridgeChip } from '../dashboard/BridgeChip';
import { JobsPage } from '../dashboard/jobs/JobsPage';
import { MonitorPage } from '../dashboard/monitor/MonitorPage';
import { Wizard } from '../dashboard/wizard/Wizard';
import { useBridgeState } from '../hooks/use-bridge-state';
import { useLocale } from '../i18n/locale-context';
import { EmployeeFlow } from './EmployeeFlow';
import { claimTicket } from './panel-client';
import type { PanelContext } from './messages';
import { ps } from './strings';
import { useUnobscured } from './visibility';

let claimed: ReturnType<typeof claimTicket> | null = null;
/** Claimed once per page (the ticket works once; StrictMode runs effects twice in development). */
function claimOnce() {
  if (!claimed) {
    const ticket = new URLSearchParams(location.hash.slice(1)).get('t') ?? '';
    history.replaceState(null, '', location.pathname); // the ticket is spent; do not keep it around
    claimed = claimTicket(ticket);
  }
  return claimed;
}

type View = { v: 'new' } | { v: 'jobs' } | { v: 'job'; jobId: string } | { v: 'self' };

/**
 * The panel the launcher frames on a console or webmail page (panel.html): the dashboard's
 * wizard, jobs list and monitor for an admin console, the self-service flow for a webmail.
 * It renders nothing useful unless the launcher's one-time ticket is valid.
 */
export function PanelApp() {
  const { locale } = useLocale();
  const bridge = useBridgeState();
  const [context, setContext] = useState<PanelContext | null | 'bad'>(null);
  const [view, setView] = useState<View>({ v: 'new' });
  const [visible, shellRef] = useUnobscured();

  useEffect(() => {
    void claimOnce().then((c) => {
      setContext(c ?? 'bad');
      if (c) setView(c.kind === 'webmail' ? { v: 'self' } : { v: 'new' });
    });
  }, []);

  if (context === null) return <main className="panel-app" data-testid="panel" data-state="loading" ref={shellRef} />;
  if (context === 'bad')
    return (
      <main className="panel-app content" data-testid="panel" data-state="refused" ref={shellRef}>
        <p className="callout callout--warn">{ps(locale, 'badTicket')}</p>
      </main>
    );

  const tabs: Array<{ id: View['v']; label: string; on: boolean }> = [
    ...(context.kind === 'webmail' ? [{ id: 'self' as const, label: ps(locale, 'tabSelf'), on: view.v === 'self' }] : []),
    { id: 'new', label: ps(locale, 'tabNew'), on: view.v === 'new' },
    { id: 'jobs', label: ps(locale, 'tabJobs'), on: view.v === 'jobs' || view.v === 'job' },
  ];
  return (
    <div className="shell panel-app" data-testid="panel" data-state="ready" data-kind={context.kind} data-obscured={visible === true ? 'false' : 'true'} ref={shellRef}>
      {visible === false && (
        <p className="callout callout--warn panel-obscured" role="alert" data-testid="panel-obscured">
          {ps(locale, 'obscured')}
        </p>
      )}
      <div className="panel-body" inert={visible !== true}>
      <header className="topbar">
        <span className="brand">
          <Logo size={24} />
          <span>mailmover</span>
        </span>
        <nav className="topnav" aria-label={ps(locale, 'panelTitle')}>
          {tabs.map((tab) => (
            <a
              key={tab.id}
              href="#"
              data-testid={`panel-tab-${tab.id}`}
              aria-current={tab.on ? 'page' : undefined}
              className={tab.on ? 'on' : ''}
              onClick={(e) => {
                e.preventDefault();
                setView({ v: tab.id } as View);
              }}
            >
              {tab.label}
            </a>
          ))}
        </nav>
        <BridgeChip bridge={bridge} />
        <LanguageSwitch />
      </header>
      <main className="content">
        {/* No banner of its own: every view says what the bridge's state means for it (the wizard's note, the lists' last-known-state banner, the employee's notice), once. */}
        {view.v === 'new' && <Wizard bridge={bridge} onStarted={(jobId) => setView({ v: 'job', jobId })} />}
        {view.v === 'jobs' && <JobsPage bridge={bridge} onOpen={(jobId) => setView({ v: 'job', jobId })} onNew={() => setView({ v: 'new' })} />}
        {view.v === 'job' && <MonitorPage jobId={view.jobId} bridge={bridge} />}
        {view.v === 'self' && <EmployeeFlow context={context} bridge={bridge} onOwnMigration={() => setView({ v: 'new' })} />}
      </main>
      </div>
    </div>
  );
}
