import { folderLayout, layoutWords, sameLayout, type FolderLayout } from '../../shared/folders/layout';
import { accountKey, type AccountJob } from './account-job';
import { MigrationError } from './errors';
import type { StateStore } from './state-store';

/** The layout this job's run would copy in. */
export function jobLayout(job: AccountJob): FolderLayout {
  return folderLayout(job.options.mode, job.source.user);
}

/**
 * Holds an account to the folder layout its copies were made in. The state knows a message as
 * copied whichever folder it went to: a run in another layout would find every message already
 * there, copy none, and leave the other layout's folders empty on the target. So a run whose
 * layout differs from the recorded one, where mail is recorded as on the target, is refused
 * before any connection. Otherwise (nothing placed yet, or a state file of a version that
 * recorded no layout, whose layout is not guessed) the run's layout is recorded when `record`
 * (not a dry run, which writes nothing) and the run goes ahead.
 */
export function holdLayout(job: AccountJob, store: StateStore, record: boolean): MigrationError | undefined {
  const account = accountKey(job);
  const requested = jobLayout(job);
  const recorded = store.recordedLayout(account);
  if (recorded && !sameLayout(recorded, requested)) {
    const placed = store.placedCount(account);
    if (placed > 0) return layoutChanged(recorded, requested, placed);
  }
  if (record && !(recorded && sameLayout(recorded, requested))) store.recordLayout(account, requested);
  return undefined;
}

/** `--mode mapped`, or `--mode unified` (its folder): the option that gives a layout. */
function option(l: FolderLayout): string {
  return `--mode ${l.mode}${l.mode === 'unified' ? ` (all under the folder "${l.folder}")` : ' (each folder to its counterpart)'}`;
}

function layoutChanged(recorded: FolderLayout, requested: FolderLayout, placed: number): MigrationError {
  const back = recorded.mode === requested.mode ? `the ${layoutWords(recorded, 'en')} of the earlier runs` : `--mode ${recorded.mode}`;
  return new MigrationError(
    'CONFIG_INVALID',
    `The earlier runs of this account copied ${placed} message${placed === 1 ? '' : 's'} in ${option(recorded)}; this run asks for ${option(requested)}. ` +
      `It did not start (nothing was created or copied on the target): its state counts that mail as copied, so it would copy nothing and leave empty folders. ` +
      `Run again with ${back}: the mail already copied stays where it is and only what is missing is added. ` +
      `To have the mailbox in ${layoutWords(requested, 'en')} instead, start that layout over with a new --state-dir: every message is then copied again into the new folders ` +
      `(delete the folders the earlier runs made on the target first, unless the mail should be there twice).`,
    { facts: { kind: 'layout-changed', recorded, requested } },
  );
}
