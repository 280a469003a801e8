import type { AccountStatus, JobStatus } from '../../shared/protocol';
import type { VerifyStatus } from '../../shared/verify';
import type { PlainKey } from '../i18n';

/**
 * Dictionary keys of each status. The words themselves (未开启搬家, 未开始, 进行中, 暂停, 失败, 已关闭 and
 * the sync phase) come from shared/status-labels.ts, which the bridge's CSV report uses too.
 */
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

export const JOB_STATUS_KEYS: Record<JobStatus, PlainKey> = {
  active: 'jobActive',
  paused: 'jobPaused',
  closed: 'jobClosed',
};

export const VERIFY_STATUS_KEYS: Record<VerifyStatus, PlainKey> = {
  verified: 'verifyVerified',
  differences: 'verifyDifferences',
  failed: 'verifyFailed',
};
