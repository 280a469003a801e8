import type { AccountResult } from '../../../shared/migration';
import type { AccountJob } from '../account-job';
import { runAccount } from '../pass-loop';
import type { StateStore } from '../state-store';
import { pop3Source, type Pop3MigrateHooks } from './pop3-source';

export { POP3_UID_VALIDITY, fitToListSize, pop3Mapping, type Pop3MigrateHooks } from './pop3-source';

/**
 * One POP3 account: the pass loop over the POP3 driver, with the retries and the report
 * of an IMAP source. Transient failures (connection lost, timeout, maildrop in use) are
 * retried with exponential back-off, each retry resuming from the rows already written.
 */
export async function migratePop3Account(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks = {}): Promise<AccountResult> {
  return runAccount(job, store, hooks, pop3Source(job, store, hooks));
}
