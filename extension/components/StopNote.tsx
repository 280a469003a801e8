import type { AccountView } from '../../shared/protocol';
import { useLocale } from '../i18n/locale-context';

/**
 * What the status alone does not say about a paused or closed account: its pass is still
 * finishing the messages it was copying (the figures may still grow for a few seconds), or it
 * was closed before its first pass copied everything (unlike one closed after its sync window).
 */
export function StopNote({ account }: { account: Pick<AccountView, 'status' | 'stopping' | 'startedAt' | 'firstPassDoneAt'> }) {
  const { t } = useLocale();
  if (account.stopping) {
    return (
      <span className="hint phase" data-testid="account-stopping">
        {t('stoppingAfterChunk')}
      </span>
    );
  }
  if (account.status === 'closed' && account.startedAt !== null && account.firstPassDoneAt === null) {
    return (
      <span className="hint phase" data-testid="account-closed-unfinished">
        {t('closedBeforeFirstPass')}
      </span>
    );
  }
  return null;
}
