import { errorMessage, REMEDIES } from '../../../shared/errors';
import type { AccountView } from '../../../shared/protocol/account';
import { useLocale } from '../../i18n/locale-context';
import { formatDateTime } from '../../lib/format';
import { warningFactsText } from './warning-facts';
import { listOf } from '../../i18n/punctuation';

type Warned = Partial<Pick<AccountView, 'warnings' | 'warningsOmitted'>>;

/**
 * The warnings of an account's passes (搬家警告): the mail is copied, but the new mailbox did
 * not keep all of it exactly as on the old one (a renamed folder, a date it cannot store, header
 * bytes it rewrote). Each distinct warning once: its code, what happened and what it means in the
 * UI's language, the folder, message or dates it is about, and how many passes reported it. For
 * the account drawer and the printable report.
 */
export function WarningsList({ account, heading: Heading = 'h3', testId = 'warnings' }: { account: Warned; heading?: 'h3' | 'h4'; testId?: string }) {
  const { t, locale } = useLocale();
  const lang = locale === 'zh-CN' ? 'zh' : 'en';
  const warnings = account.warnings ?? [];
  const omitted = account.warningsOmitted ?? 0;
  return (
    <section data-testid={testId}>
      <Heading>{t('warningsTitle')}</Heading>
      {warnings.length === 0 ? (
        <p className="hint">{t('warningsNone')}</p>
      ) : (
        <>
          <p className="hint">{t('warningsIntro')}</p>
          <ul className="warnings">
            {warnings.map((w) => {
              const facts = warningFactsText(w, lang, (iso) => formatDateTime(iso, locale));
              return (
                <li key={`${w.code}|${w.message}`} data-testid={`${testId}-item`} data-code={w.code} data-latest={w.latest}>
                  <p>
                    <code>{w.code}</code> {errorMessage(w, lang)}
                  </p>
                  {/* In Chinese the facts only: the engine's sentence is English (the CLI and the log keep it). */}
                  {facts ? <p data-testid={`${testId}-facts`}>{facts}</p> : lang === 'en' && <p className="hint">{w.message}</p>}
                  <p className="hint">
                    {REMEDIES[w.code][lang]}
                    {w.passes > 1 && <> · {t('warningPasses', { count: w.passes })}</>}
                    {!w.latest && <> · {t('warningEarlier')}</>}
                  </p>
                </li>
              );
            })}
          </ul>
          {omitted > 0 && <p className="hint">{t('warningsOmitted', { count: omitted })}</p>}
        </>
      )}
    </section>
  );
}

/** The monitor row's mark of an account whose passes reported warnings, with the codes in its tooltip. */
export function WarningsBadge({ account }: { account: Warned }) {
  const { t, locale } = useLocale();
  const count = (account.warnings?.length ?? 0) + (account.warningsOmitted ?? 0);
  if (count === 0) return null;
  const codes = listOf(locale, [...new Set((account.warnings ?? []).map((w) => w.code))]);
  return (
    <span className="badge badge--warn warnings-badge" title={t('warningsBadgeHint', { count, codes })} data-testid="warnings-badge" data-count={count}>
      ⚠ {t('warningsBadge', { count })}
    </span>
  );
}
