import { mailboxKey, mailboxPairText } from '../../shared/csv/same-mailbox';
import type { AccountRecord, AccountsRepo } from './accounts-repo';
import type { JobRecord, JobsRepo, StoredJobSpec } from './jobs-repo';
import { mailboxPairKey } from './mailbox-pair';
import { STORAGE_WORDS } from './storage-words';

type Storage = StoredJobSpec['storage'];
type Repos = { accounts: AccountsRepo; jobs: JobsRepo };

export interface LineError {
  line: number;
  message: string;
  messageZh: string;
}

/** An open account of another open job that copies between the same two mailboxes in another storage. */
export interface OtherLayoutHolder {
  job: JobRecord;
  account: AccountRecord;
}

/**
 * A mailbox is in one migration at a time when the layouts differ, as in Microsoft 365's
 * migration batches. Two jobs with the same storage (mapped / unified) take turns on one pair,
 * and each finds what the other copied in the target folders (mailbox-pair.ts). With another
 * storage the messages go to other folders: none is found there, and the new mailbox would get
 * a second copy of every message while the first job still syncs. So importing, reopening, or
 * switching a job's storage is refused where it would make such a second migration.
 *
 * `pairKey` is mailboxPairKey's text for the account as it would be in `jobId`; `storage` the
 * storage it would be copied in there.
 */
export function otherLayoutHolder(repos: Repos, jobId: string, source: string, pairKey: string, storage: Storage): OtherLayoutHolder | undefined {
  for (const account of openWithSource(repos.accounts, jobId, source)) {
    const job = repos.jobs.get(account.jobId);
    if (job && job.spec.storage !== storage && mailboxPairKey(job, account) === pairKey) return { job, account };
  }
  return undefined;
}

/**
 * SQLite's NOCASE folds ASCII letters only, so an address with other letters (jürgen@, JÜRGEN@,
 * or ü in two Unicode forms) is compared as the pair key compares it, over the other jobs' open
 * accounts: rare, and one read of them.
 */
function openWithSource(accounts: AccountsRepo, jobId: string, source: string): AccountRecord[] {
  if (/^[\x00-\x7f]*$/.test(source)) return accounts.openElsewhere(jobId, source);
  const key = mailboxKey(source);
  return accounts.openInOtherJobs(jobId).filter((a) => mailboxKey(a.source) === key);
}

/** Why `source → target` cannot be migrated in `storage`, in English and Chinese. */
export function otherLayoutWords(holder: OtherLayoutHolder, source: string, target: string, storage: Storage): { en: string; zh: string } {
  const name = holder.job.spec.name;
  const theirs = STORAGE_WORDS[holder.job.spec.storage];
  const ours = STORAGE_WORDS[storage];
  return {
    en: `${source} → ${target} is already being migrated by job "${name}" into ${theirs.en}; this job would copy every message again into ${ours.en}. Close the account in "${name}" first, or migrate it in that job.`,
    zh: `${source} → ${target} 已在任务“${name}”中按${theirs.zh}搬家；此任务按${ours.zh}会把每封邮件再复制一份。请先在“${name}”中关闭该账号，或在该任务中搬家。`,
  };
}

/**
 * Rows of an import into `job` refused for such a holder, by line. Rows of accounts already open
 * in `job` are left alone (a re-import for their passwords).
 */
export function otherLayoutConflicts(repos: Repos, job: JobRecord, rows: ReadonlyArray<{ line: number; source: string; target: string }>): LineError[] {
  const { source, target } = job.spec;
  return rows.flatMap((row) => {
    const here = repos.accounts.findBySource(job.id, row.source);
    if (here && here.status !== 'closed') return [];
    const pair = mailboxPairText({ host: source.host, port: source.port, user: row.source }, { host: target.host, port: target.port, user: row.target });
    const holder = otherLayoutHolder(repos, job.id, row.source, pair, job.spec.storage);
    if (!holder) return [];
    const words = otherLayoutWords(holder, row.source, row.target, job.spec.storage);
    return [{ line: row.line, message: words.en, messageZh: words.zh }];
  });
}
