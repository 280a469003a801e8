import type { AccountStatus } from '../../shared/protocol';
import type { PlainKey } from '../i18n';

/** The seeds' status names (未开启搬家, 未开始, 进行中, 暂停, 失败, 已关闭) plus the sync phase. */
export const STATUS_KEYS: Record<AccountStatus, PlainKey> = {
  not_enabled: 'statusNotEnabled',
  not_started: 'statusNotStarted',
  in_progress: 'statusInProgress',
  paused: 'statusPaused',
  failed: 'statusFailed',
  first_pass_done: 'statusFirstPassDone',
  syncing: 'statusSyncing',
  closed: 'statusClosed',
  password_needed: 'statusPasswordNeeded',
};

export const STATUS_HINT_KEYS: Record<AccountStatus, PlainKey> = {
  not_enabled: 'statusHintNotEnabled',
  not_started: 'statusHintNotStarted',
  in_progress: 'statusHintInProgress',
  paused: 'statusHintPaused',
  failed: 'statusHintFailed',
  first_pass_done: 'statusHintFirstPassDone',
  syncing: 'statusHintSyncing',
  closed: 'statusHintClosed',
  password_needed: 'statusHintPasswordNeeded',
};

/** Tone of the badge: colour is never the only signal (the label is always there). */
export const STATUS_TONE: Record<AccountStatus, 'idle' | 'run' | 'ok' | 'warn' | 'bad' | 'off'> = {
  not_enabled: 'idle',
  not_started: 'idle',
  in_progress: 'run',
  paused: 'warn',
  failed: 'bad',
  first_pass_done: 'ok',
  syncing: 'ok',
  closed: 'off',
  password_needed: 'bad',
};
