import { useState } from 'react';
import { useLocale } from '../i18n/locale-context';
import { BRIDGE_HOST } from '../lib/bridge';

export function NotFound({ port, onRetry }: { port: number; onRetry: () => void }) {
  const { t } = useLocale();
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
      <p className="hint">{t('notFoundHint', { address: `${BRIDGE_HOST}:${port}` })}</p>
      <button type="button" className="primary" onClick={onRetry}>
        {t('retry')}
      </button>
    </>
  );
}
