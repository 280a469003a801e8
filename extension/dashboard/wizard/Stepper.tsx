import { useLocale } from '../../i18n/locale-context';
import type { PlainKey } from '../../i18n';
import { STEPS } from './wizard-state';

const LABELS: Record<(typeof STEPS)[number], PlainKey> = {
  source: 'stepSource',
  storage: 'stepStorage',
  target: 'stepTarget',
  accounts: 'stepAccounts',
  review: 'stepReview',
};

/** The step list; a done step can be revisited with a click (or Enter). */
export function Stepper({ current, reachable, onGo }: { current: number; reachable: number; onGo(i: number): void }) {
  const { t } = useLocale();
  return (
    <ol className="stepper" aria-label={t('wizardSteps')}>
      {STEPS.map((s, i) => (
        <li key={s} className={`stepper__item${i === current ? ' stepper__item--current' : ''}${i < current ? ' stepper__item--done' : ''}`}>
          <button type="button" onClick={() => onGo(i)} disabled={i > reachable} aria-current={i === current ? 'step' : undefined}>
            <span className="stepper__num" aria-hidden="true">
              {i < current ? '✓' : i + 1}
            </span>
            {t(LABELS[s])}
          </button>
        </li>
      ))}
    </ol>
  );
}
