import { useCallback, useEffect, useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import { BRIDGE_NAME } from '../../../shared/bridge-defaults';
import { translator, type Locale, type Translator } from '../../i18n';
import { BRIDGE_HOST, type BridgeStatus, type BridgeStatusRequest } from '../../lib/bridge';

type ViewState = { readonly state: 'checking' } | BridgeStatus;

/** While the bridge is missing, look again this often so starting it is noticed. */
const RECHECK_MS = 3000;

async function askBackground(): Promise<BridgeStatus> {
  const request: BridgeStatusRequest = { type: 'bridge-status' };
  return (await browser.runtime.sendMessage(request)) as BridgeStatus;
}

export function App({ locale }: { locale: Locale }) {
  const t = useMemo(() => translator(locale), [locale]);
  const [status, setStatus] = useState<ViewState>({ state: 'checking' });

  const check = useCallback(async () => {
    try {
      setStatus(await askBackground());
    } catch {
      setStatus((previous) => ({ state: 'not-found', port: 'port' in previous ? previous.port : 0 }));
    }
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  useEffect(() => {
    if (status.state !== 'not-found') return undefined;
    const timer = setTimeout(() => void check(), RECHECK_MS);
    return () => clearTimeout(timer);
  }, [status, check]);

  return (
    <main className="popup">
      <header className="header">
        <Logo />
        <div>
          <h1 className="title">mailmover</h1>
          <p className="subtitle">{t('appSubtitle')}</p>
        </div>
      </header>
      <section className={`card card--${status.state}`} data-testid="bridge-status" data-state={status.state}>
        {status.state === 'checking' && <Checking t={t} />}
        {status.state === 'not-found' && <NotFound t={t} port={status.port} onRetry={() => void check()} />}
        {status.state === 'found' && <Found t={t} version={status.version} port={status.port} />}
      </section>
    </main>
  );
}

function Checking({ t }: { t: Translator }) {
  return (
    <p className="status-line">
      <span className="dot dot--checking" aria-hidden="true" />
      {t('checking')}
    </p>
  );
}

function NotFound({ t, port, onRetry }: { t: Translator; port: number; onRetry: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText('npm start').then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--not-found" aria-hidden="true" />
        {t('notFoundTitle')}
      </h2>
      <p className="lead">{t('notFoundBody')}</p>
      <div className="command">
        <code>npm start</code>
        <button type="button" className="link-button" onClick={copy}>
          {copied ? t('copied') : t('copy')}
        </button>
      </div>
      {port > 0 && <p className="hint">{t('notFoundHint', { address: `${BRIDGE_HOST}:${port}` })}</p>}
      <button type="button" className="primary" onClick={onRetry}>
        {t('retry')}
      </button>
    </>
  );
}

function Found({ t, version, port }: { t: Translator; version: string; port: number }) {
  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--found" aria-hidden="true" />
        {t('foundTitle')}
      </h2>
      <dl className="facts">
        <dt className="bridge-name">{BRIDGE_NAME}</dt>
        <dd className="bridge-version">{t('foundVersion', { version })}</dd>
        <dd className="hint">{t('foundAddress', { address: `${BRIDGE_HOST}:${port}` })}</dd>
      </dl>
      <p className="hint">{t('pairingSoon')}</p>
    </>
  );
}

function Logo() {
  return (
    <svg className="logo" width="36" height="36" viewBox="0 0 36 36" aria-hidden="true">
      <rect width="36" height="36" rx="9" fill="#2456d6" />
      <path d="M8 12.5h20v12a1.5 1.5 0 0 1-1.5 1.5h-17A1.5 1.5 0 0 1 8 24.5z" fill="#fff" />
      <path d="M8.5 12.5 18 20l9.5-7.5" fill="none" stroke="#2456d6" strokeWidth="2" strokeLinejoin="round" />
      <path d="M22 6.5h6.5V13" fill="none" stroke="#9fc0ff" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
