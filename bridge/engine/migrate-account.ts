import { accountResult, storedChangeWarnings } from './account-result';
import type { ImapFlow } from 'imapflow';
import type { FolderMapping } from '../../shared/folders/map-folders';
import { accountKey, type AccountJob, type MigrateHooks } from './account-job';
import { planMappings } from './plan-mappings';
import { createTargetFolders } from './target-folders';
import { adoptRenamedFolders } from './folder-renames';
import { keepRecordedTargets } from './recorded-targets';
import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult, FolderResult } from '../../shared/migration';
import { ByteBudget } from './byte-budget';
import { closeQuietly, connectImap } from './connect';
import { copyChunk, makeChunks, type Chunk } from './copy-chunk';
import { discoverLayout, type MailboxLayout } from './discover';
import { MigrationError } from './errors';
import { planFolder } from './plan-folder';
import { retryPasses } from './retry-passes';
import { ProgressTracker } from './progress';
import { guardReadOnly } from './read-only-guard';
import type { StateStore } from './state-store';
import type { FolderRun } from './folder-run';

export { accountKey, type AccountJob, type MigrateHooks } from './account-job';
export { planMappings } from './plan-mappings';

interface Side {
  layout: MailboxLayout;
}

type Task = { kind: 'plan'; mapping: FolderMapping } | { kind: 'copy'; chunk: Chunk };

/**
 * Runs one pass over an account with `concurrency` workers. Each worker owns a
 * read-only source connection and a target connection: imapflow cannot run a
 * command while a FETCH is streaming, so fetch and append never share one.
 * Planning tasks (one per folder) come first and queue copy chunks; a big folder's
 * chunks are spread over all workers.
 */
async function runPass(
  job: AccountJob,
  store: StateStore,
  account: string,
  tracker: ProgressTracker,
  hooks: MigrateHooks,
  result: PassResult,
): Promise<void> {
  const opts = job.options;
  let control: { src?: ImapFlow; tgt?: ImapFlow } = {};
  try {
    tracker.setPhase('connecting');
    control.src = guardReadOnly(await connectImap(job.source, { side: 'source', id: 'src-control', stallTimeoutMs: opts.stallTimeoutMs }));
    control.tgt = await connectImap(job.target, { side: 'target', id: 'tgt-control', stallTimeoutMs: opts.stallTimeoutMs });
    tracker.setPhase('discovering');
    const src: Side = { layout: await discoverLayout(control.src) };
    const tgt: Side = { layout: await discoverLayout(control.tgt) };
    const mappings = planMappings(src.layout, tgt.layout, job);
    result.mappings = mappings;
    for (const m of mappings) store.recordFolderMap(account, m.source, m.target, m.sanitized.length ? JSON.stringify(m.sanitized) : null);
    if (opts.dryRun) {
      await dryRunCounts(control.src, mappings, result);
      return;
    }
    tracker.setPhase('creating-folders');
    keepRecordedTargets(store, account, mappings, tgt.layout);
    result.warnings.push(...(await adoptRenamedFolders(control.src, control.tgt, store, account, mappings, src.layout, tgt.layout)));
    const created = await createTargetFolders(control.tgt, tgt.layout, mappings);
    for (const [path, e] of created.failed) result.folderErrors.set(path, e);
    result.warnings.push(...created.renamed);
    for (const m of mappings) store.recordFolderMap(account, m.source, m.target, m.sanitized.length ? JSON.stringify(m.sanitized) : null);
    await closeQuietly(control.tgt);
    control.tgt = undefined;

    tracker.setPhase('planning');
    const queue: Task[] = mappings
      .filter((m) => m.selectable && !result.folderErrors.has(m.target))
      .map((mapping) => ({ kind: 'plan', mapping }));
    const budget = hooks.budget ?? new ByteBudget(Math.min(opts.budgetBytes, opts.chunkBytes * opts.concurrency * 2));
    // Every worker stays while folders are being planned: a single big folder's chunks
    // appear only after its planning task ends, and should be spread over all of them.
    const workers = queue.length === 0 ? 0 : opts.concurrency;
    let failure: unknown;
    let planning = 0;
    let connected = 0;
    let connectTurn: Promise<void> = Promise.resolve();
    let throttledWorkers = 0;
    let wake: Array<() => void> = [];
    const notify = () => {
      const w = wake;
      wake = [];
      w.forEach((f) => f());
    };
    const nextTask = async (): Promise<Task | undefined> => {
      for (;;) {
        const task = queue.shift();
        // Counted when taken, so that no worker sees "nothing planned, nothing queued" in between.
        if (task?.kind === 'plan') planning++;
        if (task || planning === 0 || failure) return task;
        await new Promise<void>((resolve) => wake.push(resolve));
      }
    };
    const first = control.src;
    control.src = undefined;

    const worker = async (index: number, reuse?: ImapFlow): Promise<void> => {
      let s: ImapFlow | undefined = reuse;
      let t: ImapFlow | undefined;
      let holdsConnections = false;
      try {
        while (!failure) {
          if (hooks.signal?.aborted) throw new MigrationError('CANCELLED', 'The migration was stopped.');
          const task = await nextTask();
          if (!task) break;
          try {
            if (!s || !t) {
              // Workers log in one after another, so a connection limit shows up as the
              // later logins failing while the earlier ones already work.
              const turn = connectTurn;
              let done!: () => void;
              connectTurn = new Promise<void>((resolve) => (done = resolve));
              await turn;
              try {
                s ??= guardReadOnly(await connectImap(job.source, { side: 'source', id: `src-${index}`, stallTimeoutMs: opts.stallTimeoutMs }));
                t ??= await connectImap(job.target, { side: 'target', id: `tgt-${index}`, stallTimeoutMs: opts.stallTimeoutMs });
              } catch (err) {
                done();
                // A server that allows fewer connections than asked for: hand the task back
                // and carry on with the workers that got in, instead of failing the pass.
                if (err instanceof MigrationError && err.code === 'THROTTLED' && connected > 0) {
                  queue.unshift(task);
                  throttledWorkers++;
                  return;
                }
                throw err;
              }
              done();
              connected++;
              holdsConnections = true;
            }
            if (task.kind === 'plan') {
              await planTask(s, t, task.mapping);
            } else {
              // Twice the chunk: the fetched bodies, plus the socket reads they were
              // assembled from (garbage until the next GC) or, on a target without
              // non-synchronizing literals, imapflow's copy of them in the APPEND command.
              const release = await budget.acquire(task.chunk.bytes * 2);
              try {
                await copyChunk(s, t, task.chunk, opts);
              } finally {
                release();
              }
              tracker.setPhase('copying');
              await maybeFinish(t, task.chunk.run);
            }
          } finally {
            if (task.kind === 'plan') {
              planning--;
              notify();
            }
          }
          tracker.tick();
        }
      } catch (err) {
        failure ??= err;
        notify();
      } finally {
        if (holdsConnections) connected--;
        await closeQuietly(s);
        await closeQuietly(t);
      }
    };

    const planTask = async (s: ImapFlow, t: ImapFlow, mapping: FolderMapping): Promise<void> => {
      try {
        const plan = await planFolder(s, t, store, account, mapping, opts, result.targetUidNextAtStart.get(mapping.source));
        if (plan.targetUidNext !== undefined && !result.targetUidNextAtStart.has(mapping.source)) {
          result.targetUidNextAtStart.set(mapping.source, plan.targetUidNext);
        }
        result.warnings.push(...plan.warnings);
        result.adopt(plan.run);
        tracker.track(plan.run);
        const chunks = makeChunks(plan.run, plan.toCopy, opts);
        // Chunks go to the front so memory is freed before more folders are planned.
        queue.unshift(...chunks.map((chunk): Task => ({ kind: 'copy', chunk })));
        if (chunks.length === 0) await maybeFinish(t, plan.run);
      } catch (err) {
        const e = err as { responseStatus?: string; responseText?: string };
        // A folder that vanished on the source between LIST and EXAMINE: report it, go on.
        if (e.responseStatus === 'NO' && /exist|not found|unknown/i.test(e.responseText ?? '')) {
          result.folderErrors.set(mapping.target, { code: 'FOLDER_NOT_FOUND', message: `Source folder "${mapping.source}" could not be opened: ${e.responseText}` });
          return;
        }
        throw err;
      }
    };

    const maybeFinish = async (t: ImapFlow, run: FolderRun): Promise<void> => {
      if (run.remaining > 0 || run.done) return;
      run.done = true;
      const status = await t.status(run.target, { uidNext: true, uidValidity: true });
      run.finish(status && status.uidValidity !== undefined ? Number(status.uidValidity) : null, status ? (status.uidNext ?? null) : null);
    };

    await Promise.all(Array.from({ length: workers }, (_, i) => worker(i, i === 0 ? first : undefined)));
    if (workers === 0) await closeQuietly(first);
    if (throttledWorkers > 0) {
      result.warnings.push({
        code: 'THROTTLED',
        message: `The server refused ${throttledWorkers} of ${workers} parallel connections (connection limit); the migration went on with fewer. Lower --concurrency for this provider.`,
      });
    }
    if (failure) throw failure;
  } finally {
    await closeQuietly(control.src);
    await closeQuietly(control.tgt);
  }
}

async function dryRunCounts(src: ImapFlow, mappings: FolderMapping[], result: PassResult): Promise<void> {
  for (const m of mappings) {
    if (!m.selectable) {
      result.dryRun.set(m.source, 0);
      continue;
    }
    const st = await src.status(m.source, { messages: true });
    result.dryRun.set(m.source, st ? (st.messages ?? 0) : 0);
  }
}

class PassResult {
  mappings: FolderMapping[] = [];
  readonly runs = new Map<string, FolderRun>();
  readonly folderErrors = new Map<string, ErrorInfo>();
  readonly warnings: ErrorInfo[] = [];
  readonly dryRun = new Map<string, number>();
  /** Each target folder's UIDNEXT when this run first planned it: what arrives above it, this run put there. */
  readonly targetUidNextAtStart = new Map<string, number>();
  /** Messages copied by earlier attempts of this run, per source folder. */
  readonly earlier = new Map<string, { copied: number; bytes: number }>();

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

  /** Carries copy counts over to the next attempt. */
  carryOver(): void {
    this.warnings.push(...storedChangeWarnings(this.runs.values()));
    for (const [folder, run] of this.runs) this.earlier.set(folder, { copied: run.counts.copied, bytes: run.counts.bytesCopied });
    this.runs.clear();
  }
}

/**
 * Migrates one account: discover, map, create folders, copy, with retries. A
 * transient failure (connection cut, throttling, timeout) is retried with
 * exponential back-off; each retry resumes from the checkpoints, so it costs only
 * what was not yet confirmed. Bad messages never fail the account; they are
 * skipped and reported.
 */
export async function migrateAccount(job: AccountJob, store: StateStore, hooks: MigrateHooks = {}): Promise<AccountResult> {
  const account = accountKey(job);
  const tracker = new ProgressTracker(account, hooks.onProgress);
  const pass = new PassResult();
  const error = await retryPasses(job, tracker, hooks, () => runPass(job, store, account, tracker, hooks, pass), () => pass.carryOver(), {
    retrySourceChanged: true,
    settled: () => store.settledCount(account),
  });
  const result = buildResult(job, store, account, pass, error);
  tracker.setPhase(result.status === 'done' ? 'done' : 'failed');
  return result;
}

function buildResult(job: AccountJob, store: StateStore, account: string, pass: PassResult, error: MigrationError | null): AccountResult {
  const folders: FolderResult[] = pass.mappings.map((m) => {
    const run = pass.runs.get(m.source);
    const dry = pass.dryRun.get(m.source);
    return {
      source: m.source,
      target: m.target,
      total: run?.counts.total ?? dry ?? 0,
      copied: run?.counts.copied ?? 0,
      skipped: run?.counts.skipped ?? 0,
      alreadyPresent: run?.counts.alreadyPresent ?? 0,
      bytesCopied: run?.counts.bytesCopied ?? 0,
      error: pass.folderErrors.get(m.target) ?? null,
    };
  });
  return accountResult(job, store, account, folders, error, [...pass.warnings, ...storedChangeWarnings(pass.runs.values())]);
}
