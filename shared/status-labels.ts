/**
 * The words for account, job and verify statuses, in English and Chinese: one table for the
 * extension's UI (its dictionaries take these strings) and the bridge's CSV report, so that the
 * screen and the spreadsheet say the same thing.
 *
 * There is deliberately no "done" account status: after the first pass an account keeps syncing
 * new mail until its window ends or it is closed.
 */
import type { AccountStatus } from './protocol/account';
import type { JobStatus } from './protocol/job';
import type { VerifyStatus } from './verify';

export interface StatusLabel {
  readonly en: string;
  readonly zh: string;
}

export const ACCOUNT_STATUS_LABELS = {
  not_enabled: { en: 'Not enabled', zh: '未开启搬家' },
  not_started: { en: 'Not started', zh: '未开始' },
  in_progress: { en: 'In progress', zh: '进行中' },
  paused: { en: 'Paused', zh: '暂停' },
  failed: { en: 'Failed', zh: '失败' },
  first_pass_done: { en: 'First pass done', zh: '首次搬家完成' },
  syncing: { en: 'Syncing new mail', zh: '同步新邮件中' },
  closed: { en: 'Closed', zh: '已关闭' },
  password_needed: { en: 'Password needed again', zh: '需重新输入密码' },
} as const satisfies Record<AccountStatus, StatusLabel>;

/** A migration job as a whole (all its accounts paused, running or closed). */
export const JOB_STATUS_LABELS = {
  active: { en: 'running', zh: '进行中' },
  paused: { en: 'paused', zh: '已暂停' },
  closed: { en: 'closed', zh: '已关闭' },
} as const satisfies Record<JobStatus, StatusLabel>;

/** The last independent check (核验) of an account. */
export const VERIFY_STATUS_LABELS = {
  verified: { en: 'Verified', zh: '已核验' },
  differences: { en: 'Differences', zh: '有差异' },
  failed: { en: 'Check failed', zh: '核验失败' },
} as const satisfies Record<VerifyStatus, StatusLabel>;
