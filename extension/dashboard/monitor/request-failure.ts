import type { Translator } from '../../i18n';
import { PageRequestError } from '../../lib/page-client';

/**
 * A request that failed, as a sentence for the person who clicked: the bridge's own failure
 * text is English and names protocol details, so the UI words the failure from its code.
 */
export function requestFailureText(err: unknown, t: Translator): string {
  if (!(err instanceof PageRequestError)) return t('requestFailed', { code: 'INTERNAL' });
  switch (err.failure.code) {
    case 'NOT_CONNECTED':
    case 'UNAUTHORIZED':
      return t('requestNotConnected');
    case 'NOT_FOUND':
      return t('requestNotFound');
    case 'CONFLICT':
      return t('requestConflict');
    case 'INVALID_PARAMS':
      return t('requestInvalid');
    default:
      return t('requestFailed', { code: err.failure.code });
  }
}
