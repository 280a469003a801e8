import type { ClassifiedError } from '../../shared/protocol';
import { useLocale, useText } from '../i18n/locale-context';

/** A classified error: the code, what happened, and what to do about it. */
export function ErrorRemedy({ error, compact = false }: { error: { code: string; message: string; remedy: ClassifiedError['remedy']; transient?: boolean }; compact?: boolean }) {
  const { t } = useLocale();
  const text = useText();
  if (compact) {
    return (
      <span className="error-inline" title={text(error.remedy)}>
        <code>{error.code}</code> {text(error.remedy)}
      </span>
    );
  }
  return (
    <div className="remedy" role="note">
      <p className="remedy__what">
        <code>{error.code}</code> {error.message}
      </p>
      <p className="remedy__todo">
        <strong>{t('remedyLabel')}</strong> {text(error.remedy)}
      </p>
      {error.transient && <p className="remedy__retry">{t('remedyTransient')}</p>}
    </div>
  );
}
