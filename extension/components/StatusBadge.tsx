import type { AccountStatus } from '../../shared/protocol';
import { useLocale } from '../i18n/locale-context';
import { STATUS_HINT_KEYS, STATUS_KEYS, STATUS_TONE } from './status';

export function StatusBadge({ status }: { status: AccountStatus }) {
  const { t } = useLocale();
  return (
    <span className={`badge badge--${STATUS_TONE[status]}`} title={t(STATUS_HINT_KEYS[status])} data-status={status}>
      {t(STATUS_KEYS[status])}
    </span>
  );
}
