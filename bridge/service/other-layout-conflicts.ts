import { mailboxPairText } from '../../shared/csv/same-mailbox';
import type { AccountsRepo } from './accounts-repo';
import type { JobRecord, JobsRepo } from './jobs-repo';
import { mailboxPairKey } from './mailbox-pair';
import { STORAGE_WORDS } from './storage-words';

export interface LineError {
  line: number;
  message: string;
  messageZh: string;
}

/**
 * Rows of an import whose mailbox pair another open job is migrating in another storage
 * (mapped / unified). Two jobs with the same storage take turns on one pair, and each finds
 * what the other copied in the target folders (mailbox-pair.ts). With another storage the
 * messages go to other folders: none is found there, and the new mailbox would get a second
 * copy of every message while the first job still syncs. A mailbox is in one migration at a
 * time, as in Microsoft 365's migration batches: the row is refused, naming the other job.
 *
 * Rows of accounts already open in `job` are left alone (a re-import for their passwords).
 */
export function otherLayoutConflicts(
  repos: { accounts: AccountsRepo; jobs: JobsRepo },
  job: JobRecord,
  rows: ReadonlyArray<{ line: number; source: string; target: string }>,
): LineError[] {
  const { source, target } = job.spec;
  return rows.flatMap((row) => {
    const here = repos.accounts.findBySource(job.id, row.source);
    if (here && here.status !== 'closed') return [];
    const pair = mailboxPairText({ host: source.host, port: source.port, user: row.source }, { host: target.host, port: target.port, user: row.target });
    for (const other of repos.accounts.openElsewhere(job.id, row.source)) {
      const otherJob = repos.jobs.get(other.jobId);
      if (!otherJob || otherJob.spec.storage === job.spec.storage || mailboxPairKey(otherJob, other) !== pair) continue;
      const name = otherJob.spec.name;
      const theirs = STORAGE_WORDS[otherJob.spec.storage];
      const ours = STORAGE_WORDS[job.spec.storage];
      return [
        {
          line: row.line,
          message: `${row.source} → ${row.target} is already being migrated by job "${name}" into ${theirs.en}; this job would copy every message again into ${ours.en}. Close the account in "${name}" first, or import it into that job.`,
          messageZh: `${row.source} → ${row.target} 已在任务“${name}”中按${theirs.zh}搬家；此任务按${ours.zh}会把每封邮件再复制一份。请先在“${name}”中关闭该账号，或将其导入该任务。`,
        },
      ];
    }
    return [];
  });
}
