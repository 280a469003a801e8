import type { VerifyMessage, VerifySummary } from '../../../shared/verify';
import type { PlainKey } from '../../i18n';
import { useLocale } from '../../i18n/locale-context';
import { formatDateTime } from '../../lib/format';

type Folder = VerifySummary['folders'][number];

/**
 * One folder's differences as verify found them: the missing, extra and changed messages
 * (the first entries, and how many more), and the copies found in another folder of the new
 * mailbox, for the account drawer and the printable report.
 */
export function VerifyDiffLists({
  folder: f,
  testIdPrefix,
  heading: Heading = 'p',
  count = String,
  withMessageId = false,
}: {
  folder: Folder;
  /** data-testid of each list: `${prefix}-missing`, `-extra`, `-changed`, `-elsewhere` */
  testIdPrefix: string;
  heading?: 'p' | 'h4';
  count?: (n: number) => string;
  withMessageId?: boolean;
}) {
  const { t, locale } = useLocale();
  const message = (m: VerifyMessage) =>
    `UID ${m.uid} · ${m.subject ?? t('verifyNoSubject')}${m.date ? ` · ${formatDateTime(m.date, locale)}` : ''}${withMessageId && m.messageId ? ` · ${m.messageId}` : ''}`;
  const more = (shown: number, total: number) => (total > shown ? <li className="hint">{t('verifyMore', { count: total - shown })}</li> : null);
  const list = (label: PlainKey, kind: string, total: number, items: Array<{ key: number; text: string }>) =>
    total > 0 && (
      <>
        <Heading>
          {t(label)}: {count(total)}
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
        f.changed.map((c) => ({ key: c.uid, text: `UID ${c.uid} → ${c.targetUid}: ${c.what.map((w) => t(`verifyWhat_${w}` as PlainKey)).join(', ')}` })),
      )}
      {list('verifyElsewhere', 'elsewhere', f.elsewhereCount, f.elsewhere.map((m) => ({ key: m.uid, text: `${message(m)} → ${m.targetFolder} (UID ${m.targetUid})` })))}
    </>
  );
}
