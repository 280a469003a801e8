import { failureText, type RequestFailureInfo } from '../dashboard/monitor/request-failure';
import { useLocale } from '../i18n/locale-context';

/**
 * A failed request, worded from its code in the UI's language. The bridge's own text is English
 * and names protocol details: an English UI keeps it under "Technical details" (as ErrorRemedy
 * does for an account's error), a Chinese one leaves it out.
 */
export function RequestFailureNote({ failure, className = 'field__error', testId }: { failure: RequestFailureInfo; className?: string; testId?: string }) {
  const { t, locale } = useLocale();
  return (
    <>
      <p className={className} role="alert" data-testid={testId} data-code={failure.code}>
        {failureText(failure, t)}
      </p>
      {locale === 'en' && failure.message && <TechnicalDetails text={`${failure.code}: ${failure.message}`} />}
    </>
  );
}

/** The technical text behind a sentence, folded away; English UI only (callers decide). */
export function TechnicalDetails({ text }: { text: string }) {
  const { t } = useLocale();
  return (
    <details className="remedy__details">
      <summary>{t('remedyDetails')}</summary>
      <p className="hint">{text}</p>
    </details>
  );
}
