import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Logo } from '../../components/Logo';
import { useBridgeState } from '../../hooks/use-bridge-state';
import { useLocale } from '../../i18n/locale-context';
import { bridgeCommand } from '../../lib/page-client';
import { Connected } from '../../popup/Connected';
import { NotFound } from '../../popup/NotFound';
import { NotYourBridge } from '../../popup/NotYourBridge';
import { openDashboard } from '../../popup/open-page';
import { PairForm } from '../../popup/PairForm';
import { SiteToggle } from './SiteToggle';

export function App() {
  const { t } = useLocale();
  const state = useBridgeState();
  const phase = state?.phase ?? 'checking';
  const retry = () => void bridgeCommand({ kind: 'bridge.reconnect' }).catch(() => undefined);

  return (
    <main className="popup">
      <header className="header">
        <Logo />
        <div className="header__text">
          <h1 className="title">mailmover</h1>
          <p className="subtitle">{t('appSubtitle')}</p>
        </div>
        <LanguageSwitch />
      </header>
      <section className={`card card--${phase}`} data-testid="bridge-status" data-state={phase} aria-live="polite">
        {(phase === 'checking' || phase === 'connecting') && (
          <p className="status-line">
            <span className="dot dot--checking" aria-hidden="true" />
            {phase === 'checking' ? t('checking') : t('connecting')}
          </p>
        )}
        {phase === 'not-found' && state && <NotFound port={state.port} onRetry={retry} />}
        {phase === 'unpaired' && state && <PairForm state={state} />}
        {phase === 'connected' && state && <Connected state={state} />}
        {phase === 'impostor' && state && <NotYourBridge port={state.port} onRetry={retry} />}
      </section>
      <nav className="popup-actions">
        <button type="button" className="primary" onClick={() => openDashboard()}>
          {t('openDashboard')}
        </button>
        <button type="button" className="secondary" onClick={() => openDashboard('/self')}>
          {t('migrateMyMailbox')}
        </button>
      </nav>
      <SiteToggle />
    </main>
  );
}
