import { useState } from 'react';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Logo } from '../components/Logo';
import { useBridgeState } from '../hooks/use-bridge-state';
import { useLocale } from '../i18n/locale-context';
import { BridgeChip } from './BridgeChip';
import { JobsPage } from './jobs/JobsPage';
import { MonitorPage } from './monitor/MonitorPage';
import { VerifyReportPage } from './report/VerifyReport';
import { SelfServicePage } from './self/SelfServicePage';
import { useHashRoute } from './use-hash-route';
import { Wizard } from './wizard/Wizard';
import { WorkersPanel } from './workers/WorkersPanel';
import { useQueueMode } from './workers/use-queue-mode';

export function App() {
  const { t } = useLocale();
  const bridge = useBridgeState();
  const [route, go] = useHashRoute();
  const queueMode = useQueueMode(bridge);
  // A new wizard after each start; until then the same one, whichever tab is looked at.
  const [wizardRun, setWizardRun] = useState(0);
  const nav = [
    { path: '/', label: t('navJobs'), on: route.page === 'jobs' || route.page === 'job' || route.page === 'verifyReport' },
    { path: '/new', label: t('newMigration'), on: route.page === 'new' },
    { path: '/self', label: t('migrateMyMailbox'), on: route.page === 'self' },
    // Queue mode only (or while its page is open): a bridge that runs passes itself keeps three tabs.
    ...(queueMode || route.page === 'workers' ? [{ path: '/workers', label: t('navWorkers'), on: route.page === 'workers' }] : []),
  ];
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/">
          <Logo size={28} />
          <span>
            mailmover <span className="brand__sub">{t('appSubtitle')}</span>
          </span>
        </a>
        <nav className="topnav" aria-label={t('mainNav')}>
          {nav.map((n) => (
            <a key={n.path} href={`#${n.path}`} aria-current={n.on ? 'page' : undefined} className={n.on ? 'on' : ''}>
              {n.label}
            </a>
          ))}
        </nav>
        <BridgeChip bridge={bridge} />
        <LanguageSwitch />
      </header>
      <main className="content">
        {route.page === 'jobs' && <JobsPage bridge={bridge} onOpen={(id) => go(`/jobs/${id}`)} onNew={() => go('/new')} />}
        {/* Kept mounted while another tab is shown: one click on "Migrations" mid-way discarded
            every step and the imported account files without a word. */}
        <div hidden={route.page !== 'new'}>
          <Wizard
            key={wizardRun}
            bridge={bridge}
            onStarted={(id) => {
              setWizardRun((n) => n + 1);
              go(`/jobs/${id}`);
            }}
          />
        </div>
        {route.page === 'job' && <MonitorPage jobId={route.jobId} bridge={bridge} />}
        {route.page === 'verifyReport' && <VerifyReportPage jobId={route.jobId} />}
        {route.page === 'self' && <SelfServicePage bridge={bridge} onOpenWizard={() => go('/new')} />}
        {route.page === 'workers' && <WorkersPanel />}
      </main>
    </div>
  );
}
