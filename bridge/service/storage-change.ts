import type { JobPatch } from '../../shared/protocol/job';
import type { AccountRecord, AccountsRepo } from './accounts-repo';
import type { JobRecord, JobsRepo, StoredJobSpec } from './jobs-repo';
import { mailboxPairKey } from './mailbox-pair';
import { otherLayoutHolder, otherLayoutWords } from './other-layout-conflicts';
import { ServiceError } from './service-error';
import { STORAGE_WORDS as WORDS } from './storage-words';

/**
 * Refuses a job.update that changes the storage (mapped / unified) once any of the job's
 * accounts has mail on the target. The engine knows each copied message whatever folder it
 * went to: after such a change every account would find its mail already migrated, copy
 * nothing into the new layout, and fail on its next pass with the engine's layout-changed
 * refusal. Before any mail is placed the change is harmless and allowed.
 */
export function assertStorageChangeAllowed(spec: StoredJobSpec, patch: JobPatch, accounts: readonly AccountRecord[]): void {
  if (patch.storage === undefined || patch.storage === spec.storage) return;
  const placed = accounts.filter((a) => a.counters.messagesCopied + a.counters.messagesAlreadyPresent > 0);
  if (placed.length === 0) return;
  const from = WORDS[spec.storage];
  const to = WORDS[patch.storage];
  throw new ServiceError(
    'CONFLICT',
    `storage: ${placed.length} account(s) of this job already have mail on the target in the ${from.en} layout (first: ${placed[0]!.source}); changing it to ${to.en} would copy nothing more. Nothing was changed.`,
    {
      en: `Mail of ${placed.length} account(s) has already been copied into the ${from.en} layout, so the storage of this job can no longer change. To copy the mail again in the ${to.en} layout, create a new migration with that storage (the copies already made stay where they are).`,
      zh: `已有 ${placed.length} 个账号的邮件按“${from.zh}”复制到新邮箱，此任务的存储方案不能再更改。如需按“${to.zh}”重新复制，请用该存储方案新建一个迁移任务（已复制的邮件保留在原处）。`,
    },
  );
}

/**
 * Refuses a job.update that changes the storage while another open job migrates one of this
 * job's open accounts' mailbox pairs in the storage the job has now: the two would then copy
 * every message into both layouts (other-layout-conflicts.ts).
 */
export function assertStorageChangeLeavesNoSecondLayout(repos: { accounts: AccountsRepo; jobs: JobsRepo }, job: JobRecord, patch: JobPatch): void {
  if (patch.storage === undefined || patch.storage === job.spec.storage) return;
  for (const a of repos.accounts.listByJob(job.id).accounts) {
    if (a.status === 'closed') continue;
    const holder = otherLayoutHolder(repos, job.id, a.source, mailboxPairKey(job, a), patch.storage);
    if (!holder) continue;
    const words = otherLayoutWords(holder, a.source, a.target, patch.storage);
    throw new ServiceError('CONFLICT', `storage: ${words.en} Nothing was changed.`, { en: words.en, zh: words.zh });
  }
}
