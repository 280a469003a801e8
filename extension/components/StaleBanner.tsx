import type { BridgeState } from '../lib/runtime-messages';
import { useLocale } from '../i18n/locale-context';
import { formatDateTime } from '../lib/format';

/** Shown whenever the bridge is not connected: what is on screen is the last known state. */
export function StaleBanner({ bridge, syncedAt }: { bridge: BridgeState | undefined; syncedAt: string | null }) {
  const { t, locale } = useLocale();
  if (bridge?.phase === 'connected') return null;
  const reason =
    bridge?.phase === 'unpaired' ? t('staleUnpaired') : bridge?.phase === 'connecting' || bridge?.phase === 'checking' ? t('staleConnecting') : t('staleNotFound');
  return (
    <div className="stale" role="status" data-testid="stale-banner">
      <strong>{t('staleTitle')}</strong> {reason}{' '}
      {syncedAt && <span>{t('staleAsOf', { time: formatDateTime(syncedAt, locale) })}</span>}
    </div>
  );
}
