import type { VerifyMessage, VerifyRewritten, VerifySummary } from '../../../shared/verify';
import type { PlainKey } from '../../i18n';
import { useLocale } from '../../i18n/locale-context';
import { formatDateTime } from '../../lib/format';
import { aside, labelMark, listOf } from '../../i18n/punctuation';

type Folder = VerifySummary['folders'][number];

/**
 * One folder's differences as verify found them: the missing, extra and changed messages
 * (the first entries, and how many more), the copies the new server stored with its known
 * rewriting (not differences), and the copies found in another folder of the new mailbox, for
 * the account drawer and the printable report.
 */
export function VerifyDiffLists({
  folder: f,
  testIdPrefix,
  heading: Heading = 'p',
  count = String,
  withMessageId = false,
}: {
  folder: Folder;
  /** data-testid of each list: `${prefix}-missing`, `-extra`, `-changed`, `-rewritten`, `-elsewhere` */
  testIdPrefix: string;
  heading?: 'p' | 'h4';
  count?: (n: number) => string;
  withMessageId?: boolean;
}) {
  const { t, locale } = useLocale();
  const message = (m: VerifyMessage) =>
    `UID ${m.uid} · ${m.subject ?? t('verifyNoSubject')}${m.date ? ` · ${formatDateTime(m.date, locale)}` : ''}${withMessageId && m.messageId ? ` · ${m.messageId}` : ''}`;
  // What the target rewrote in the UI's language; a summary stored before the kinds were carried has the verify's English words only.
  const rewriteText = (r: VerifyRewritten) =>
    r.sourceDate && r.targetDate
      ? t('rewriteDate', { sent: formatDateTime(r.sourceDate, locale), stored: formatDateTime(r.targetDate, locale) })
      : r.kinds?.length
        ? listOf(locale, r.kinds.map((k) => t(`rewriteKind_${k}`)))
        : locale === 'en'
          ? r.what
          : t('verifyRewritten');
  const more = (shown: number, total: number) => (total > shown ? <li className="hint">{t('verifyMore', { count: total - shown })}</li> : null);
  const list = (label: PlainKey, kind: string, total: number, items: Array<{ key: number; text: string }>) =>
    total > 0 && (
      <>
        <Heading>
          {t(label)}
          {labelMark(locale)}
          {count(total)}
        </Heading>
        <ul data-testid={`${testIdPrefix}-${kind}`}>
          {items.map((i) => (
            <li key={i.key}>{i.text}</li>
          ))}
          {more(items.length, total)}
        </ul>
      </>
    );
  return (
    <>
      {list('verifyMissing', 'missing', f.missingCount, f.missing.map((m) => ({ key: m.uid, text: message(m) })))}
      {list('verifyExtra', 'extra', f.extraCount, f.extra.map((m) => ({ key: m.uid, text: message(m) })))}
      {list(
        'verifyChanged',
        'changed',
        f.changedCount,
        // A metadata check of messages sharing a fingerprint (no Message-ID) cannot tell other flags from one lost and another doubled: said, with what tells.
        f.changed.map((c) => ({ key: c.uid, text: `UID ${c.uid} → ${c.targetUid}${labelMark(locale)}${listOf(locale, c.what.map((w) => t(`verifyWhat_${w}` as PlainKey)))}${c.ambiguous ? ` ${t('verifyAmbiguous')}` : ''}` })),
      )}
      {list(
        'verifyRewritten',
        'rewritten',
        f.rewrittenCount ?? 0,
        (f.rewritten ?? []).map((r) => ({ key: r.uid, text: `UID ${r.uid} → ${r.targetUid}${labelMark(locale)}${rewriteText(r)}` })),
      )}
      {list('verifyElsewhere', 'elsewhere', f.elsewhereCount, f.elsewhere.map((m) => ({ key: m.uid, text: `${message(m)} → ${m.targetFolder}${aside(locale, `UID ${m.targetUid}`)}` })))}
    </>
  );
}
