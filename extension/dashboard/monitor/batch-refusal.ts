import type { AccountStatus } from '../../../shared/protocol';
import { STATUS_KEYS } from '../../components/status';
import type { Translator } from '../../i18n';

export type BatchAction = 'account.start' | 'account.pause' | 'account.retry' | 'account.reopen' | 'account.stop';

/**
 * Why the bridge refused a batch action for one account, worded by the UI from the action and
 * the account's status (the bridge's `reason` is English protocol text, never shown).
 */
export function refusalText(action: BatchAction, status: AccountStatus, t: Translator, otherLayoutJob?: string): string {
  if (otherLayoutJob !== undefined) return t('refuseOtherLayout', { job: otherLayoutJob });
  const name = t(STATUS_KEYS[status]);
  switch (action) {
    case 'account.reopen':
      return status === 'closed' ? t('refusePasswordsDeleted') : t('refuseNotClosed', { status: name });
    case 'account.retry':
      if (status === 'failed' || status === 'password_needed') return t('refuseNeedsPassword');
      return t('refuseNotFailed', { status: name });
    case 'account.start':
      if (status === 'closed') return t('refuseClosed');
      return t('refuseNeedsPassword');
    case 'account.pause':
      return t('refuseCannotPause', { status: name });
    default:
      return t('refuseOther', { status: name });
  }
}
