import type { VerifySummary } from '../../../shared/verify';
import { useLocale } from '../../i18n/locale-context';

/**
 * The target folders verify could not search for the missing messages' copies, each with the
 * reason as the bridge gave it (the server's words, or what became of the connection): shown
 * before the missing lists, as a message filed in one of them is among those counted missing,
 * and the admin should know before copying it again or closing the old mailbox.
 */
export function VerifyUnsearched({ verify, testId, count = String }: { verify: Pick<VerifySummary, 'unsearched' | 'unsearchedCount'>; testId: string; count?: (n: number) => string }) {
  const { t } = useLocale();
  const shown = verify.unsearched ?? [];
  if (shown.length === 0) return null;
  // A summary may carry the list without its count; the list is then all there is.
  const more = Math.max(0, (verify.unsearchedCount ?? shown.length) - shown.length);
  return (
    <div className="callout callout--warn" data-testid={testId}>
      <ul className="verify-unsearched">
        {shown.map((u, i) => (
          // The same folder can be listed twice: unreadable itself, and holding copies of a filtered-out source folder that was.
          <li key={`${i}:${u.folder}`}>{t('verifyUnsearched', { folder: u.folder, reason: u.reason })}</li>
        ))}
        {more > 0 && <li className="hint">{t('verifyUnsearchedMore', { count: count(more) })}</li>}
      </ul>
    </div>
  );
}
