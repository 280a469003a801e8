import type { ImapFlow } from 'imapflow';
import type { FolderMapping } from '../../shared/folders/map-folders';
import type { AccountResult } from '../../shared/migration';
import { accountKey, type AccountJob, type MigrateHooks } from './account-job';
import { ByteBudget } from './byte-budget';
import { pendingEstimate, workersFor } from './worker-count';
import { closeQuietly, connectImap } from './connect';
import { MovedCopies } from './imap/moved-copies';
import { appendFetched, makeChunks } from './copy-chunk';
import { discoverLayout, type ListedStatus } from './discover';
import { MigrationError, stoppedError } from './errors';
import { originOf } from './error-origin';
import type { FolderRun } from './folder-run';
import { PassResult } from './pass-result';
import { PassTasks } from './pass-tasks';
import { planMappings } from './plan-mappings';
import { unmatchedIncludeWarnings } from './unmatched-includes';
import { ProgressTracker } from './progress';
import { extraWindowBytes, measureRoundTrip } from './link-window';
import { keepRecordedTargets } from './recorded-targets';
import { retryPasses } from './retry-passes';
import type { Chunk, PlanCursor, PlannedMessage, SourceDriver, SourceSession, TargetFree } from './source-driver';
import type { StateStore } from './state-store';
import { readBackDates } from './date-readback';
import { drainedBy, recheckHeld } from './late-appends';
import { syncFlags } from './flag-sync';
import { bothOrNeither } from './both-or-neither';
import { createTargetFolders, subscribeFolders } from './target-folders';
import { targetStatuses } from './target-statuses';
import { WorkerLogins, type Login } from './worker-logins';

/** A plan task plans a folder, or its next window when `cursor` is set (a big folder is planned in windows). */
type Task<M extends PlannedMessage> = { kind: 'plan'; mapping: FolderMapping; cursor?: PlanCursor } | { kind: 'copy'; chunk: Chunk<M> };

/**
 * Migrates one account from any source the driver reads: discover, map, create folders,
 * copy, with retries. A transient failure (connection cut, throttling, timeout) is
 * retried with exponential back-off; each retry resumes from the checkpoints and rows,
 * so it costs only what was not yet confirmed. Bad messages never fail the account;
 * they are skipped and reported.
 */
export async function runAccount<M extends PlannedMessage>(
  job: AccountJob,
  store: StateStore,
  hooks: MigrateHooks,
  driver: SourceDriver<M>,
  /** Whether a changed source identity (SOURCE_CHANGED during a copy) is retried. */
  retry: { retrySourceChanged?: boolean } = {},
): Promise<AccountResult> {
  const account = accountKey(job);
  const tracker = new ProgressTracker(account, hooks.onProgress);
  const pass = new PassResult(driver.label);
  // A halt stops the account too: no retry, no next task.
  if (hooks.halt) hooks = { ...hooks, signal: hooks.signal ? AbortSignal.any([hooks.signal, hooks.halt]) : hooks.halt };
  let error: MigrationError | null;
  try {
    const attempt = async (lastChance: boolean): Promise<void> => {
      try {
        await runPass(job, store, account, tracker, hooks, driver, pass, lastChance);
      } catch (err) {
        pass.noteFailure(err);
        throw err;
      }
    };
    error = await retryPasses(job, tracker, hooks, attempt, () => pass.carryOver(), {
      ...retry,
      settled: () => store.settledCount(account),
      retryUnreadable: () => pass.unreadableWorthRetry(),
    });
    // A pass that ends failed or stopped never reached its read-back, and its copies are
    // checkpointed: no later pass copies them or reads their dates back, so it is now or never.
    // Not after a halt: the account may be running elsewhere already, and nothing more is sent.
    if (error && !hooks.halt?.aborted) await readBackLeft(job, pass, driver, hooks.halt);
  } finally {
    driver.dispose?.();
  }
  const result = pass.result(job, store, account, error);
  tracker.setPhase(result.status === 'done' ? 'done' : 'failed');
  return result;
}

/**
 * The date read-back of the copies a pass that did not end done made (readBackDates), on
 * connections of its own: the stop that ended the pass does not cut it short (two short
 * sessions), a halt does. A read-back that fails says which dates went unchecked.
 */
async function readBackLeft<M extends PlannedMessage>(job: AccountJob, pass: PassResult, driver: SourceDriver<M>, halt: AbortSignal | undefined): Promise<void> {
  const suspects = pass.takeDateSuspects();
  if (suspects.length === 0) return;
  const open = new Set<ImapFlow>();
  const cut = () => open.forEach((c) => c.close());
  halt?.addEventListener('abort', cut, { once: true });
  try {
    pass.warnings.push(...(await readBackDates(job, suspects, driver.label, halt, (c) => open.add(c))));
  } catch {
    // Halted meanwhile: nothing more is said or sent.
  } finally {
    halt?.removeEventListener('abort', cut);
  }
}

/**
 * Runs one pass over an account with `concurrency` workers (at most the sessions the
 * source allows). Each worker owns a source session and a target connection: imapflow
 * cannot run a command while a FETCH is streaming, so fetch and append never share
 * one. Planning tasks (one per folder) come first and queue copy chunks; a big folder's
 * chunks are spread over all workers. A worker fetches its next chunk, or plans its
 * next folder, while the target takes the previous chunk.
 */
async function runPass<M extends PlannedMessage>(
  job: AccountJob,
  store: StateStore,
  account: string,
  tracker: ProgressTracker,
  hooks: MigrateHooks,
  driver: SourceDriver<M>,
  result: PassResult,
  /** The run ends if this pass fails without progress: a refusal for now is judged against the messages after it. */
  lastChance = false,
): Promise<void> {
  const opts = job.options;
  const passStart = Date.now();
  const singleSession = driver.maxSessions === 1;
  const control: { src?: SourceSession<M>; tgt?: ImapFlow } = {};
  let logins: WorkerLogins<M> | undefined;
  // A widened byte budget is narrowed again when the pass ends (a batch's budget is shared).
  let narrowWindow = (): void => undefined;
  // Every target connection of the pass, for hooks.halt: closed under an APPEND, not after it.
  const targets = new Set<ImapFlow>();
  const halt = () => {
    for (const t of targets) t.close();
  };
  hooks.halt?.addEventListener('abort', halt, { once: true });
  // Opens its connections only when a planned message may be a move on the source (moved-copies.ts).
  const moves = new MovedCopies(job, store, account, hooks.signal, (c) => {
    targets.add(c);
    if (hooks.halt?.aborted) c.close();
  });
  const connect = async (id: string, targetSibling?: ImapFlow): Promise<[SourceSession<M>, ImapFlow]> => {
    const pair = await connectBoth(driver, job, id, hooks.signal, targetSibling);
    targets.add(pair[1]);
    if (hooks.halt?.aborted) pair[1].close();
    return pair;
  };
  try {
    tracker.setPhase('connecting');
    // Both sides at once: a login is several round trips, the same on each side.
    [control.src, control.tgt] = await connect('control');
    tracker.setPhase('discovering');
    const [srcLayout, tgtLayout] = await Promise.all([control.src.listFolders(), discoverLayout(control.tgt)]);
    const mappings = planMappings(srcLayout, tgtLayout, job);
    result.mappings = mappings;
    result.warnings.push(...unmatchedIncludeWarnings(srcLayout, job));
    const recordMap = () => {
      for (const m of mappings) store.recordFolderMap(account, m.source, m.target, m.sanitized.length ? JSON.stringify(m.sanitized) : null);
    };
    recordMap();
    if (mappings.length) await control.src.survey?.(mappings);
    // Each folder's STATUS when the listing carried it (LIST-STATUS): no STATUS, no EXAMINE per folder.
    const listed = new Map(srcLayout.folders.flatMap((f) => (f.status ? [[f.path, f.status] as const] : [])));
    const countOf = (src: SourceSession<M>, folder: string): Promise<number> => {
      const st = listed.get(folder);
      return st ? Promise.resolve(st.messages) : src.countMessages(folder);
    };
    if (opts.dryRun) {
      // With --since, what the copy would take, not the folder's whole count.
      const count = (folder: string): Promise<number> => (opts.since ? control.src!.countMessages(folder, opts.since) : countOf(control.src!, folder));
      for (const m of mappings) result.dryRun.set(m.source, m.selectable ? await count(m.source) : 0);
      return;
    }
    // How many workers the pass wants follows from the listing (or one STATUS per folder):
    // the extra workers log in now, while this connection creates the target folders.
    const selectable = mappings.filter((m) => m.selectable);
    const counts = new Map<string, number>();
    for (const m of selectable) {
      // A date filter copies only part of each folder: its plan tells how much, STATUS cannot.
      if (opts.since && !listed.has(m.source)) continue;
      try {
        counts.set(m.source, await countOf(control.src, m.source));
      } catch {
        // Planning reports the folder's problem; its count arrives with its plan.
      }
    }
    const pending = selectable.length === 0 ? 0 : pendingEstimate(store, account, selectable, counts, listed, opts);
    const workers = selectable.length === 0 ? 0 : singleSession ? 1 : opts.fixedConcurrency ? opts.concurrency : workersFor(pending, opts.concurrency);
    // How far away the servers are decides how many bytes the copy keeps in flight
    // (link-window.ts): from the control connections' logins, before the extra workers log in
    // (their handshakes, and the server processes a new connection starts, would delay a
    // NOOP's answer on a busy machine where the logins gave no figure).
    // Where the listing shows nothing new (LIST-STATUS and a resumable checkpoint), not at all.
    const roundTrip = pending > 0 ? await measureRoundTrip(control.src, control.tgt) : undefined;
    const controlTarget = control.tgt;
    logins = new WorkerLogins<M>(workers - 1, (i) => connect(String(i + 1), controlTarget));

    tracker.setPhase('creating-folders');
    keepRecordedTargets(store, account, mappings, tgtLayout);
    result.warnings.push(...((await control.src.adoptRenames?.(control.tgt, store, account, mappings, srcLayout, tgtLayout)) ?? []));
    const created = await createTargetFolders(control.tgt, tgtLayout, mappings, { lastChance });
    for (const [path, e] of created.failed) result.folderErrors.set(path, e);
    result.warnings.push(...created.renamed);
    recordMap();
    // Queued now, ahead of every APPEND of the pass on this connection; each plan takes its
    // folder's. Not when the listing shows nothing new (a re-run): no plan would read it.
    const listedTargets = pending > 0 ? targetStatuses(control.tgt, mappings) : Promise.resolve(new Map<string, ListedStatus>());
    // The first worker goes on with both control connections instead of logging in again.
    const firstTarget: ImapFlow = control.tgt;
    control.tgt = undefined;
    // Queued ahead of the first worker's commands on its target connection; awaited below.
    const subscribing = subscribeFolders(firstTarget, created.toSubscribe);

    // A folder found unreadable by an earlier attempt is not narrowed again (the run ends with its error below).
    const toPlan = selectable.filter((m) => !result.folderErrors.has(m.target) && !result.unreadableFolders.has(m.source));
    // The account's total before any folder is planned, so the first figures are of the whole mailbox.
    if (!opts.since) {
      // A folder that could not be counted gets its total with its plan.
      const counted = toPlan.map((m) => m.source).filter((folder) => counts.has(folder));
      await tracker.expectFolders(counted, async (folder) => {
        const n = counts.get(folder)!;
        result.listed.set(folder, n);
        return n;
      });
    }
    tracker.setPhase('planning');
    // Folders that failed an earlier attempt go last, one at a time, once the others are done (PassTasks).
    const tasks = new PassTasks<Task<M>>(
      toPlan.map((mapping) => ({ kind: 'plan', mapping })),
      (t) => t.kind === 'plan' && result.failedFolders.has(t.mapping.source),
    );
    const queue = tasks.queue;
    // Room for two chunks per worker: the one being APPENDed and the next one being fetched.
    const roomForAll = opts.chunkBytes * Math.max(workers, 1) * 4;
    const budget = hooks.budget ?? new ByteBudget(Math.min(opts.budgetBytes, roomForAll), Math.min(2 * opts.budgetBytes, roomForAll));
    // Never beyond what this pass's workers can hold: a batch's accounts share the budget.
    if (roundTrip !== undefined) narrowWindow = budget.widen(Math.min(extraWindowBytes(budget.base, roundTrip), Math.max(0, roomForAll - budget.base)));
    let failure: unknown;
    let throttledWorkers = 0;
    // Every worker stays while folders are being planned: a single big folder's chunks
    // appear only after its planning task ends, and should be spread over all of them.
    const nextTask = (): Promise<Task<M> | undefined> => tasks.take(() => Boolean(failure));
    const firstSource = control.src;
    control.src = undefined;

    const maybeFinish = async (s: SourceSession<M>, t: ImapFlow, run: FolderRun): Promise<void> => {
      if (run.remaining > 0 || run.done || run.moreToPlan) return;
      run.done = true;
      // Done after all: no longer a folder that failed this run (PassResult.unreadableWorthRetry).
      result.failedFolders.delete(run.source);
      result.warnings.push(...(s.folderDone?.(run) ?? []));
      const cp = run.checkpoint;
      if (run.counts.copied === 0 && cp.targetUidValidity !== null && cp.targetUidNext !== null) {
        // Nothing of ours went into the target folder in this pass: the target state of the
        // last complete pass still says where the next run's scan starts.
        run.finish(cp.targetUidValidity, cp.targetUidNext);
        return;
      }
      const status = await t.status(run.target, { uidNext: true, uidValidity: true });
      run.finish(status && status.uidValidity !== undefined ? Number(status.uidValidity) : null, status ? (status.uidNext ?? null) : null);
    };

    /** What ends a folder's pass once its chunks are answered: the held messages (late-appends.ts), then maybeFinish. */
    const settleRest = async (s: SourceSession<M>, t: ImapFlow, run: FolderRun): Promise<void> => {
      if (run.recheckDue) {
        await recheckHeld(t, store, account, run, { passStart, lateAppendMs: opts.lateAppendMs, fromUid: result.targetUidNextAtStart.get(run.source), signal: hooks.signal, lastChance, sendAlone: result.sendAlone, batchBytes: opts.chunkBytes, budget });
      }
      await maybeFinish(s, t, run);
    };

    /**
     * Plans a folder on the worker's connections. `targetFree`: see TargetFree. `behind`
     * takes a target command the worker must see answered before its next APPEND and before
     * it ends, without waiting for it now.
     */
    const planTask = async (
      s: SourceSession<M>,
      t: ImapFlow,
      mapping: FolderMapping,
      cursor: PlanCursor | undefined,
      targetFree: TargetFree,
      /** `mayRecheck`: the command looks for held messages (late-appends.ts), under the byte budget. */
      behind: (command: Promise<void>, mayRecheck?: boolean) => void,
    ): Promise<void> => {
      // An error of the worker's earlier task (its chunk's APPEND or read-back) that reaches
      // this plan through targetFree is that task's, never this folder's.
      let earlierTaskFailed = false;
      const free: TargetFree = () =>
        targetFree().catch((err: unknown) => {
          earlierTaskFailed = true;
          throw err;
        });
      try {
        const plan = cursor
          ? await s.planMore!(t, cursor, free)
          : await s.planFolder(t, { store, account, mapping, opts, copiedFromTargetUid: result.targetUidNextAtStart.get(mapping.source), listed: listed.get(mapping.source), targetListed: listedTargets.then((m) => m.get(mapping.target)), window: hooks.planWindow, targetFree: free, budget, moves });
        if (plan.targetUidNext !== undefined && !result.targetUidNextAtStart.has(mapping.source)) {
          result.targetUidNextAtStart.set(mapping.source, plan.targetUidNext);
        }
        result.warnings.push(...plan.warnings);
        if (!cursor) {
          result.adopt(plan.run);
          const marks = store.unansweredAppends(account, plan.run.source, plan.run.uidValidity);
          plan.run.uncertain = new Set(marks.keys());
          plan.run.uncertainSentBy = Math.max(0, ...[...marks.values()].map((m) => drainedBy(m, opts.lateAppendUplinkBytesPerS)));
        }
        tracker.track(plan.run);
        const chunks = makeChunks(plan.run, plan.toCopy, opts);
        const copies = chunks.map((chunk): Task<M> => ({ kind: 'copy', chunk }));
        // The next window is planned once half of this one's chunks are taken: the workers
        // copy the other half meanwhile, and at most two windows are held at once.
        if (plan.more) copies.splice(Math.floor(copies.length / 2), 0, { kind: 'plan', mapping, cursor: plan.more });
        // Chunks go to the front so memory is freed before more folders are planned; a next
        // window's go behind the folder's chunks still queued, so each window is copied in
        // order and no window's tail waits behind later windows.
        let at = 0;
        if (cursor) {
          queue.forEach((q, i) => {
            if (q.kind === 'copy' && q.chunk.run === plan.run) at = i + 1;
          });
        }
        queue.splice(at, 0, ...copies);
        // A folder with nothing to copy records the target folder's state (a STATUS), queued
        // behind the worker's last APPEND: the worker goes on to its next folder meanwhile.
        // Not the look for its held messages (a last window with nothing to copy): that opens
        // the target folder, and the worker's last chunk, still running on this connection,
        // opens its own folder to read copies back (stored-changes.ts). Interleaved, the look's
        // FETCH ran in the other folder and a copy there was taken for a held message, which
        // was then recorded as copied and never was. It starts once that chunk is done.
        if (chunks.length === 0) {
          const recheck = plan.run.recheckDue;
          behind(recheck ? free().then(() => settleRest(s, t, plan.run)) : settleRest(s, t, plan.run), recheck);
        }
      } catch (err) {
        const e = err as { responseStatus?: string; responseText?: string };
        // A folder that vanished on the source between LIST and EXAMINE: report it, go on.
        if (!earlierTaskFailed && e.responseStatus === 'NO' && /exist|not found|unknown/i.test(e.responseText ?? '')) {
          result.folderErrors.set(mapping.target, { code: 'FOLDER_NOT_FOUND', message: `Source folder "${mapping.source}" could not be opened: ${e.responseText}` });
          return;
        }
        throw err;
      }
    };

    /** `keep`: the worker's connections stay open for the flag pass (control) instead of closing when it ends well. */
    const worker = async (login: Promise<Login<M>>, keep = false): Promise<void> => {
      let s: SourceSession<M> | undefined;
      let t: ImapFlow | undefined;
      // The APPEND of the previous chunk, running while this worker fetches the next one.
      let appending: Promise<void> | undefined;
      // Whether what `appending` runs may look for held messages (late-appends.ts), which reads
      // target bodies under the byte budget. The next chunk's share is then taken only once that
      // is done: taken before, the worker would hold it while waiting for `appending`, and the
      // look would wait for budget behind it (a chunk of one big message takes the whole budget;
      // so may a small one), each waiting for the other.
      let appendingMayRecheck = false;
      const appended = async (): Promise<void> => {
        const a = appending;
        appending = undefined;
        appendingMayRecheck = false;
        if (a) await a;
      };
      const behind = (command: Promise<void>, mayRecheck = false): void => {
        const queued = Promise.allSettled([appending, command]).then((settled) => {
          for (const r of settled) if (r.status === 'rejected') throw r.reason;
        });
        queued.catch(() => undefined); // awaited, and its error thrown, by appended()
        appending = queued;
        appendingMayRecheck ||= mayRecheck;
      };
      try {
        const got = await login;
        if (!got.ok) {
          // A server that allows fewer connections than asked for: the pass carries on with
          // the workers that got in (the first one always has) instead of failing.
          if (got.error instanceof MigrationError && got.error.code === 'THROTTLED') {
            throttledWorkers++;
            return;
          }
          throw got.error;
        }
        [s, t] = got.sessions;
        while (!failure) {
          if (hooks.signal?.aborted) throw stoppedError();
          const task = await nextTask();
          if (!task) break;
          try {
            if (task.kind === 'plan') {
              // The plan reads the source (EXAMINE, the metadata FETCH) while the target still
              // takes the last chunk, and waits for that APPEND only before it reads a target
              // folder (TargetFree): a folder change costs no round trip of its own.
              try {
                await planTask(s, t, task.mapping, task.cursor, appended, behind);
              } catch (err) {
                // An APPEND that failed too (a closed connection fails both) is the cause to report.
                await appended();
                throw err;
              }
            } else {
              if (appendingMayRecheck) await appended();
              // Twice the chunk: the fetched bodies, plus the socket reads they were
              // assembled from (garbage until the next GC) or, on a target without
              // non-synchronizing literals, imapflow's copy of them in the APPEND command.
              const release = await budget.acquire(task.chunk.bytes * 2);
              const target = t;
              const session = s;
              const { run } = task.chunk;
              let append: Promise<void>;
              try {
                const fetched = await session.fetchChunk(target, task.chunk, appended);
                result.warnings.push(...fetched.warnings);
                // APPENDs go in order, one chunk at a time on this connection.
                await appended();
                // Stopped while the last chunk went in (pause, close, shutdown): this one, fetched
                // meanwhile, is left for the next run rather than sent too. Over a slow link a
                // chunk takes tens of seconds, and a closed account's passwords are gone.
                if (hooks.signal?.aborted) throw stoppedError();
                // The chunk's bytes go back once its APPENDs are answered, before the look for
                // the folder's held messages: that look reads target bodies under the same budget
                // (late-appends.ts), and holding this share while it waits for more could wait
                // for ever on a small budget.
                append = appendFetched(target, run, fetched, { lastChance, sendAlone: result.sendAlone })
                  .finally(release)
                  .then(async () => {
                    tracker.setPhase('copying');
                    await settleRest(session, target, run);
                  });
              } catch (err) {
                release();
                throw err;
              }
              // The source session fetches the next chunk meanwhile: one round trip of the
              // source and its transfer time hidden behind the target's, per chunk.
              appending = append;
              // Its end looks for the folder's held messages when an earlier attempt left some.
              appendingMayRecheck = run.uncertain.size > 0;
              append.catch(() => undefined); // awaited, and its error thrown, by appended()
            }
          } catch (err) {
            // Not the folder's fault when the target failed (an APPEND of this or an earlier task).
            if (!failsOnTarget(err)) result.failedFolders.add(task.kind === 'plan' ? task.mapping.source : task.chunk.run.source);
            throw err;
          } finally {
            tasks.done(task);
          }
          tracker.tick();
        }
        await appended();
      } catch (err) {
        failure ??= err;
        tasks.notify();
      } finally {
        // An APPEND still running must end before the connections close and before a retry
        // plans again (it would not see the message its row is about to claim).
        if (appending) await appending.catch(() => undefined);
        if (keep && !failure && s?.readFlags && t) {
          // Closed when the pass ends (its finally), after the flag pass used them.
          control.src = s;
          control.tgt = t;
        } else {
          await s?.close();
          await closeQuietly(t);
        }
      }
    };

    const firstLogin: Login<M> = { ok: true, sessions: [firstSource, firstTarget] };
    await Promise.all(Array.from({ length: workers }, (_, i) => (i === 0 ? worker(Promise.resolve(firstLogin), true) : worker(logins!.take(i - 1)))));
    await subscribing;
    if (workers === 0) {
      await firstSource.close();
      await closeQuietly(firstTarget);
    }
    if (throttledWorkers > 0) {
      result.warnings.push({
        code: 'THROTTLED',
        message: `The server refused ${throttledWorkers} of ${workers} parallel connections (connection limit); the migration went on with fewer. Lower --concurrency for this provider.`,
      });
    }
    if (failure) throw failure;
    // Every folder settled: flag changes made on the source since its messages were copied go
    // to the copies, on the first worker's connections (no login of its own).
    if (control.src && control.tgt) {
      const flags = await syncFlags(control.src, control.tgt, store, account, result.runs.values(), { signal: hooks.signal, job, listedModseq: (folder) => listed.get(folder)?.highestModseq });
      for (const [folder, n] of flags.updated) result.flagsUpdated.set(folder, (result.flagsUpdated.get(folder) ?? 0) + n);
      result.warnings.push(...flags.warnings);
    }
    result.warnings.push(
      ...(await readBackDates(job, result.takeDateSuspects(), driver.label, hooks.signal, (c) => {
        targets.add(c);
        if (hooks.halt?.aborted) c.close();
      })),
    );
    // Everything else copied: the account still ends with the folder the source cannot read.
    const [unreadable] = result.unreadableFolders.values();
    if (unreadable) throw unreadable;
  } finally {
    await moves.close();
    for (const [folder, n] of moves.movedInto) result.movedInto.set(folder, (result.movedInto.get(folder) ?? 0) + n);
    hooks.halt?.removeEventListener('abort', halt);
    narrowWindow();
    await logins?.closeUntaken();
    await control.src?.close();
    await closeQuietly(control.tgt);
  }
}

/** Whether an error came from the target side (its connection, or a MigrationError that says so). */
function failsOnTarget(err: unknown): boolean {
  if (err instanceof MigrationError) return err.options.side === 'target';
  return originOf(err)?.context.side === 'target';
}

/**
 * Logs in on the source and the target at once (a login is several round trips, the same
 * on each side). When either side fails, the other one's connection is closed and the
 * source's error wins, as if the source were first. A worker's target connection takes
 * `targetSibling`'s NAMESPACE answer instead of asking.
 */
async function connectBoth<M extends PlannedMessage>(driver: SourceDriver<M>, job: AccountJob, id: string, signal: AbortSignal | undefined, targetSibling?: ImapFlow): Promise<[SourceSession<M>, ImapFlow]> {
  return bothOrNeither(
    driver.connect(`src-${id}`),
    connectImap(job.target, { side: 'target', id: `tgt-${id}`, stallTimeoutMs: job.options.stallTimeoutMs, compress: job.options.compress, sibling: targetSibling, signal }),
    (s) => s.close(),
    closeQuietly,
  );
}
