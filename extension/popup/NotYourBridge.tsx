import { useLocale } from '../i18n/locale-context';
import { BRIDGE_HOST } from '../lib/bridge';

/** Something answered on the bridge port but failed the handshake: it was sent nothing. */
export function NotYourBridge({ port, onRetry }: { port: number; onRetry: () => void }) {
  const { t } = useLocale();
  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--not-found" aria-hidden="true" />
        {t('impostorTitle')}
      </h2>
      <p className="lead warn-text">{t('impostorBody', { address: `${BRIDGE_HOST}:${port}` })}</p>
      <button type="button" className="primary" onClick={onRetry}>
        {t('impostorRetry')}
      </button>
    </>
  );
}
