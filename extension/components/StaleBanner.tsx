import type { BridgeState } from '../lib/runtime-messages';
import { useLocale } from '../i18n/locale-context';
import { formatDateTime } from '../lib/format';

/**
 * The newest of the times the mirror's rows were written: what was last actually received from
 * the bridge (a snapshot, or any event since), not the last snapshot alone.
 */
export function lastReceivedAt(times: Iterable<string | null | undefined>): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const t of times) {
    const ms = t ? Date.parse(t) : NaN;
    if (!Number.isNaN(ms) && ms > bestMs) {
      bestMs = ms;
      best = t!;
    }
  }
  return best;
}

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
