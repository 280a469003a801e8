import type { AccountResult } from '../../shared/migration';
import type { AccountJob, MigrateHooks } from './account-job';
import { imapSource } from './imap/imap-source';
import { runAccount } from './pass-loop';
import type { StateStore } from './state-store';

export { accountKey, type AccountJob, type MigrateHooks } from './account-job';
export { planMappings } from './plan-mappings';

/**
 * Migrates one account from an IMAP source (the pass loop over the IMAP driver). A
 * UIDVALIDITY that changes under a copy is retried like a transient failure: the next
 * pass plans the folder again and matches its messages by fingerprint.
 */
export async function migrateAccount(job: AccountJob, store: StateStore, hooks: MigrateHooks = {}): Promise<AccountResult> {
  return runAccount(job, store, hooks, imapSource(job, hooks.signal), { retrySourceChanged: true });
}
