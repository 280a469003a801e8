import { errorMessage, errorSide } from '../../shared/errors';
import type { AccountView, ClassifiedError } from '../../shared/protocol';
import { useLocale, useText } from '../i18n/locale-context';
import { formatDateTime } from '../lib/format';

type ShownError = { code: string; message: string; side?: 'source' | 'target' | undefined; remedy: ClassifiedError['remedy']; transient?: boolean; facts?: ClassifiedError['facts'] };

/**
 * A classified error: the code, what happened and what to do about it, in the UI's language.
 * What happened is worded from the code (shared/errors.ts ERROR_MESSAGES), not the engine's
 * English text; an English UI keeps that text under "Technical details" for the server's words.
 * `passwordNeeded`: the account waits for a password entered again (its error is a settings one).
 * `retried`: the bridge runs it again by itself (retriedByBridge); a connection test or a failed
 * account is not, so saying so there would leave the person waiting for nothing.
 */
export function ErrorRemedy({ error, compact = false, passwordNeeded = false, retried = false }: { error: ShownError; compact?: boolean; passwordNeeded?: boolean; retried?: boolean }) {
  const { t, locale } = useLocale();
  const text = useText();
  const lang = locale === 'zh-CN' ? 'zh' : 'en';
  // An account waiting for both passwords names both sides in its message and sends no single side.
  const both = !error.side && /\bsource\b/i.test(error.message) && /\btarget\b/i.test(error.message);
  const side = both ? null : errorSide(error);
  const what = passwordNeeded
    ? t('passwordNeededMessage', { side: side === 'target' ? t('sideTarget') : side === 'source' ? t('sideSource') : t('sideBoth') })
    : errorMessage(error, lang, (iso) => formatDateTime(iso, locale));
  const todo = passwordNeeded ? t('passwordNeededRemedy') : text(error.remedy);
  if (compact) {
    // The remedy's words are the same for both sides (a wrong old password reads like a wrong new
    // one): the row names the mailbox, so an admin knows which password to ask for without
    // opening each account.
    const where = side === 'source' ? t('errorAtSource') : side === 'target' ? t('errorAtTarget') : null;
    return (
      <span className="error-inline" title={what} data-side={side ?? undefined}>
        <code>{error.code}</code> {where && <strong className="error-inline__side">{where}</strong>}
        {where && lang === 'en' ? ' ' : ''}
        {todo}
      </span>
    );
  }
  return (
    <div className="remedy" role="note">
      <p className="remedy__what">
        <code>{error.code}</code> {what}
      </p>
      <p className="remedy__todo">
        <strong>{t('remedyLabel')}</strong> {todo}
      </p>
      {retried && error.transient && !passwordNeeded && <p className="remedy__retry" data-testid="remedy-retry">{t('remedyTransient')}</p>}
      {lang === 'en' && error.message && error.message !== what && (
        <details className="remedy__details">
          <summary>{t('remedyDetails')}</summary>
          <p className="hint">{error.message}</p>
        </details>
      )}
    </div>
  );
}

/**
 * Whether the bridge tries the account's error again without anyone acting: a transient one while
 * the account is still in progress or syncing (it waits for its next attempt). After too many in a
 * row the account is failed, and nothing retries it until a person does.
 */
export function retriedByBridge(account: Pick<AccountView, 'status' | 'error'>): boolean {
  return !!account.error?.transient && (account.status === 'in_progress' || account.status === 'syncing');
}
