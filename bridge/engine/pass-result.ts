import type { ErrorInfo } from '../../shared/errors';
import type { FolderMapping } from '../../shared/folders/map-folders';
import type { AccountResult, FolderResult } from '../../shared/migration';
import type { AccountJob } from './account-job';
import { accountResult, storedChangeWarnings } from './account-result';
import { MigrationError } from './errors';
import type { FolderRun } from './folder-run';
import type { StateStore } from './state-store';
import type { DateSuspect } from './stored-dates';

/** What one account's passes found, kept across retries for the report. */
export class PassResult {
  mappings: FolderMapping[] = [];
  readonly runs = new Map<string, FolderRun>();
  readonly folderErrors = new Map<string, ErrorInfo>();
  /** Messages a TOOBIG refusal of a whole command named: the run's next attempts send each alone (appendMessages). */
  readonly sendAlone = new Set<string>();
  readonly warnings: ErrorInfo[] = [];
  readonly dryRun = new Map<string, number>();
  /**
   * Each folder's message count from the listing, before it is planned: a pass stopped (paused,
   * cut) before planning a folder reports that count as its total, as its progress did, rather
   * than 0 (the account's total then dropped by the folders not reached, while their mail was
   * still to copy).
   */
  readonly listed = new Map<string, number>();
  /** Each target folder's UIDNEXT when this run first planned it: what arrives above it, this run put there. */
  readonly targetUidNextAtStart = new Map<string, number>();
  /** Messages copied by earlier attempts of this run, per source folder. */
  readonly earlier = new Map<string, { copied: number; bytes: number }>();
  /**
   * Source folders whose plan or copy failed an attempt of this run: the next attempt plans
   * them once every other folder's tasks are done (PassTasks), so a folder that fails every
   * time leaves every other folder copied instead of holding them all back.
   */
  readonly failedFolders = new Set<string>();
  /**
   * Source folders found FOLDER_UNREADABLE in this run, with the error: the next attempt
   * leaves them out, and a pass that copied everything else ends with the first of them.
   */
  readonly unreadableFolders = new Map<string, MigrationError>();
  /** Whether the last FOLDER_UNREADABLE noted named a folder not noted before in this run. */
  private unreadableIsNew = false;
  /**
   * Per source folder, the copies whose flags the run's flag pass changed (flag-sync.ts), over
   * its attempts: a folder is in it once a flag pass looked at it.
   */
  readonly flagsUpdated = new Map<string, number>();
  /** Per source folder, the copies moved on the target into its folder because the source moved their message there (moved-copies.ts), over its attempts. */
  readonly movedInto = new Map<string, number>();
  /** Date suspects of attempts that failed before their dates were read back. */
  private readonly earlierDateSuspects: DateSuspect[] = [];

  constructor(private readonly label: ((uid: number) => string) | undefined) {}

  adopt(run: FolderRun): void {
    const before = this.earlier.get(run.source);
    if (before) {
      // The retry sees the earlier attempt's copies as already present; they are this run's copies.
      run.counts.alreadyPresent -= before.copied;
      run.counts.copied += before.copied;
      run.counts.bytesCopied += before.bytes;
    }
    this.runs.set(run.source, run);
  }

  /** An attempt's failure: a FOLDER_UNREADABLE is noted under its folder. */
  noteFailure(err: unknown): void {
    const folder = err instanceof MigrationError && err.code === 'FOLDER_UNREADABLE' && err.options.facts?.kind === 'folder-unreadable' ? err.options.facts.folder : undefined;
    if (folder === undefined) return;
    this.unreadableIsNew = !this.unreadableFolders.has(folder);
    this.unreadableFolders.set(folder, err as MigrationError);
  }

  /**
   * Whether the attempt after a FOLDER_UNREADABLE can copy something: the folder is newly
   * found so, and another folder failed an attempt of this run (both went last, one at a
   * time, and the unreadable one may have been taken first). A retry of the same folder
   * would only narrow it again on a dozen fresh connections.
   */
  unreadableWorthRetry(): boolean {
    return this.unreadableIsNew && [...this.failedFolders].some((f) => !this.unreadableFolders.has(f));
  }

  /** Carries copy counts over to the next attempt. */
  carryOver(): void {
    this.warnings.push(...storedChangeWarnings(this.runs.values(), this.label));
    for (const run of this.runs.values()) this.earlierDateSuspects.push(...run.dateSuspects.splice(0));
    for (const [folder, run] of this.runs) this.earlier.set(folder, { copied: run.counts.copied, bytes: run.counts.bytesCopied });
    this.runs.clear();
  }

  /** Every copy whose date is still to be read back, this attempt's and earlier ones'; each handed out once. */
  takeDateSuspects(): DateSuspect[] {
    const out = this.earlierDateSuspects.splice(0);
    for (const run of this.runs.values()) out.push(...run.dateSuspects.splice(0));
    return out;
  }

  result(job: AccountJob, store: StateStore, account: string, error: MigrationError | null): AccountResult {
    const folders: FolderResult[] = this.mappings.map((m) => {
      const run = this.runs.get(m.source);
      const dry = this.dryRun.get(m.source);
      // A folder the last attempt left out (found unreadable) keeps the copies earlier attempts made of it.
      const before = run ? undefined : this.earlier.get(m.source);
      return {
        source: m.source,
        target: m.target,
        total: run?.counts.total ?? dry ?? this.listed.get(m.source) ?? 0,
        copied: run?.counts.copied ?? before?.copied ?? 0,
        skipped: run?.counts.skipped ?? 0,
        alreadyPresent: run?.counts.alreadyPresent ?? 0,
        bytesCopied: run?.counts.bytesCopied ?? before?.bytes ?? 0,
        error: this.folderErrors.get(m.target) ?? null,
        ...(this.flagsUpdated.has(m.source) ? { flagsUpdated: this.flagsUpdated.get(m.source) } : {}),
        ...(this.movedInto.has(m.source) ? { movedHere: this.movedInto.get(m.source) } : {}),
      };
    });
    return accountResult(job, store, account, folders, error, [...this.warnings, ...storedChangeWarnings(this.runs.values(), this.label)]);
  }
}
