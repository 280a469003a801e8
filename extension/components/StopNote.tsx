import type { AccountView } from '../../shared/protocol';
import { useLocale } from '../i18n/locale-context';

/**
 * What the status alone does not say about a paused or closed account: its pass is still
 * finishing the messages it was copying (the figures may still grow for a few seconds), or it
 * was closed before its first pass copied everything (unlike one closed after its sync window).
 */
export function StopNote({ account }: { account: Pick<AccountView, 'status' | 'stopping' | 'startedAt' | 'firstPassDoneAt' | 'counters'> }) {
  const { t } = useLocale();
  // The title: a narrow status column cuts the note short.
  if (account.stopping) {
    return (
      <span className="hint phase" data-testid="account-stopping" title={t('stoppingAfterChunk')}>
        {t('stoppingAfterChunk')}
      </span>
    );
  }
  if (account.status === 'closed' && account.startedAt !== null && account.firstPassDoneAt === null && !allCounted(account.counters)) {
    return (
      <span className="hint phase" data-testid="account-closed-unfinished" title={t('closedBeforeFirstPass')}>
        {t('closedBeforeFirstPass')}
      </span>
    );
  }
  return null;
}

/** Every message the pass counted is copied, found or skipped: "100 %" beside "not finished" would contradict it. */
function allCounted(c: AccountView['counters']): boolean {
  return c.messagesTotal > 0 && c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped >= c.messagesTotal;
}
