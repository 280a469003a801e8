import { ACCOUNT_STATUSES, type AccountStatus } from '../../../shared/protocol';
import { STATUS_KEYS } from '../../components/status';
import { useLocale } from '../../i18n/locale-context';

/** Status chips with counts; none selected = all. Toggle buttons (aria-pressed). */
export function StatusFilter({
  counts,
  value,
  onChange,
  total,
}: {
  counts: Partial<Record<AccountStatus, number>>;
  value: ReadonlySet<AccountStatus>;
  onChange(next: Set<AccountStatus>): void;
  total: number;
}) {
  const { t } = useLocale();
  return (
    <div className="status-filter" role="group" aria-label={t('filterByStatus')}>
      <button type="button" className={`chip${value.size === 0 ? ' chip--on' : ''}`} aria-pressed={value.size === 0} onClick={() => onChange(new Set())}>
        {t('filterAll')} <span className="chip__count">{total}</span>
      </button>
      {ACCOUNT_STATUSES.filter((s) => counts[s]).map((s) => (
        <button
          key={s}
          type="button"
          className={`chip${value.has(s) ? ' chip--on' : ''}`}
          aria-pressed={value.has(s)}
          data-status={s}
          onClick={() => {
            const next = new Set(value);
            if (next.has(s)) next.delete(s);
            else next.add(s);
            onChange(next);
          }}
        >
          {t(STATUS_KEYS[s])} <span className="chip__count">{counts[s]}</span>
        </button>
      ))}
    </div>
  );
}
