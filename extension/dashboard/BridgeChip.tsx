import { useLocale } from '../i18n/locale-context';
import type { BridgeState } from '../lib/runtime-messages';

/** The bridge's state in the top bar, always visible. */
export function BridgeChip({ bridge }: { bridge: BridgeState | undefined }) {
  const { t } = useLocale();
  const phase = bridge?.phase ?? 'checking';
  const label =
    phase === 'connected'
      ? t('chipConnected', { version: bridge?.version ?? '' })
      : phase === 'unpaired'
        ? t('chipUnpaired')
        : phase === 'not-found'
          ? t('chipNotFound')
          : phase === 'impostor'
            ? t('impostorTitle')
            : t('chipConnecting');
  return (
    <span className={`bridge-chip bridge-chip--${phase}`} data-testid="bridge-chip" data-state={phase} role="status">
      <span className="bridge-chip__dot" aria-hidden="true" />
      {label}
    </span>
  );
}
