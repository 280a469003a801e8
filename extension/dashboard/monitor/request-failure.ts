import type { Translator } from '../../i18n';
import { PageRequestError } from '../../lib/page-client';

/** A failed request as the bridge or the background reported it: its code and (English) text. */
export interface RequestFailureInfo {
  code: string;
  message: string;
}

/** Any thrown value as a code and a text: the bridge's failure, or INTERNAL with the error's own text. */
export function requestFailureOf(err: unknown): RequestFailureInfo {
  if (err instanceof PageRequestError) return err.failure;
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * A request that failed, as a sentence for the person who clicked: the bridge's own failure
 * text is English and names protocol details, so the UI words the failure from its code.
 */
export function requestFailureText(err: unknown, t: Translator): string {
  return failureText(requestFailureOf(err), t);
}

/** The sentence for a failure kept as data (so that it is worded again when the language changes). */
export function failureText(failure: RequestFailureInfo, t: Translator): string {
  switch (failure.code) {
    case 'NOT_CONNECTED':
    case 'UNAUTHORIZED':
      return t('requestNotConnected');
    case 'NOT_FOUND':
      return t('requestNotFound');
    case 'CONFLICT':
      return t('requestConflict');
    case 'SERVER_CHANGED':
      return t('requestServerChanged');
    case 'INVALID_PARAMS':
      return t('requestInvalid');
    case 'TIMEOUT':
      return t('requestTimeout');
    case 'UNKNOWN_TYPE':
    case 'UNSUPPORTED_VERSION':
      return t('requestBridgeOld');
    default:
      return t('requestFailed', { code: failure.code });
  }
}
