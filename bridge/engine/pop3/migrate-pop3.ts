import { accountResult, storedChangeWarnings } from '../account-result';
import { appendMessages, type AppendOutcome } from '../append-messages';
import { skipIsFinal } from '../append-refusal';
import { findStoredChanges } from '../stored-changes';
import { retryPasses } from '../retry-passes';
import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../../shared/errors';
import { mapFolders, type FolderMapping } from '../../../shared/folders/map-folders';
import { createTargetFolders } from '../target-folders';
import { keepRecordedTargets } from '../recorded-targets';
import { folderNameForbidden } from '../../../shared/folders/target-rules';
import { isSpecialUse, type SpecialUse } from '../../../shared/folders/special-use';
import { folderMatcher } from '../../../shared/glob';
import type { AccountResult, FolderResult } from '../../../shared/migration';
import type { AppendItem } from '../append-batch';
import { closeQuietly, connectImap } from '../connect';
import { appendLimitOf } from '../copy-chunk';
import { discoverLayout, type MailboxLayout } from '../discover';
import { MigrationError, classifyError, type ErrorContext } from '../errors';
import { FingerprintIndex } from '../fingerprint';
import { scanTarget } from '../target-scan';
import { FolderRun } from '../folder-run';
import { accountKey, type AccountJob, type MigrateHooks } from '../account-job';
import { resumeCheckpoint } from '../checkpoint';
import { ProgressTracker } from '../progress';
import type { MessageRecord, StateStore } from '../state-store';
import { Pop3Client, type Pop3ClientOptions } from './client';
import { Pop3ServerError, classifyPop3Error } from './errors';
import { headerBlock, internalDateOf, messageExactFingerprint, messageFingerprint } from './headers';
import { UidlIds } from './uidl-ids';

/**
 * The message as the server holds it. A message that does not end in CRLF gets one
 * added before the terminating "." (RFC 1939 section 3), so its download is LIST + 2
 * bytes ending in CRLF: those two bytes are the server's, not the message's.
 */
export function fitToListSize(body: Buffer, listSize: number): Buffer {
  if (body.length === listSize + 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a) return body.subarray(0, listSize);
  return body;
}

function countCrlf(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf('\r\n'); i >= 0; i = b.indexOf('\r\n', i + 2)) n++;
  return n;
}

/** A TOP line count no message reaches, so that TOP returns the whole message. */
const TOP_WHOLE_MESSAGE = 999_999_999;

/**
 * Migrates a POP3 maildrop (the server's INBOX; POP3 sees nothing else) into the target's
 * INBOX (mapped mode) or `<source address>/INBOX` (unified mode, the name IMAP unified mode
 * gives a source INBOX).
 *
 * One POP3 session per pass: many servers lock the maildrop for a session (RFC 1939
 * "-ERR maildrop already locked"), so --concurrency does not apply to a POP3 source. The
 * next chunk is downloaded while the previous one is APPENDed.
 *
 * State: a message is its UIDL. UidlIds gives each UIDL a stable integer, and that integer
 * is the `uid` of the message's row in the engine's own table (source folder 'INBOX',
 * uid_validity POP3_UID_VALIDITY). A row is written after the target confirmed the APPEND;
 * a message with a row is never downloaded again. The folder checkpoint keeps the target's
 * UIDVALIDITY/UIDNEXT of the last complete pass (and the filter key), so a run after a
 * crash looks for our unrecorded APPENDs on the target exactly as the IMAP path does;
 * `lastUid` is not used (POP3 has no UID order) and stays 0.
 *
 * Dedup against the target: messages on the target that no row accounts for are indexed
 * by fingerprint (Message-ID, Date, From, Subject, size). A message whose LIST size equals
 * the size of such a target message has its header read with TOP n 0 first, so a run with
 * lost state downloads no bodies when the server's LIST sizes are exact (Dovecot's are);
 * every downloaded message is matched again with its real size before it is APPENDed.
 *
 * Internal date: the topmost Received field's date, else Date:, else now (headers.ts).
 * Flags: POP3 has none; messages are APPENDed without flags (unread on the target).
 */

/** POP3 has no UIDVALIDITY; the engine's rows for a POP3 source all carry this one. */
export const POP3_UID_VALIDITY = 0;
const SOURCE_FOLDER = 'INBOX';

export interface Pop3MigrateHooks extends MigrateHooks {
  /** Timeouts and limits of the POP3 session (tests shorten them). */
  pop3?: Pop3ClientOptions;
}

interface Pop3Message {
  msg: number;
  uidl: string;
  id: number;
  /** Size as LIST reports it. */
  size: number;
}

/** Target messages no row accounts for, by fingerprint, and which sizes they have. */
class TargetIndex {
  private readonly fps = new FingerprintIndex();
  private readonly sizes = new Map<number, number>();
  private readonly sizeOf = new Map<number, number>();

  add(fp: string, uid: number, size: number, exact: string): void {
    this.fps.add(fp, uid, exact);
    this.sizes.set(size, (this.sizes.get(size) ?? 0) + 1);
    this.sizeOf.set(uid, size);
  }

  hasSize(size: number): boolean {
    return (this.sizes.get(size) ?? 0) > 0;
  }

  take(fp: string, exact: string): number | undefined {
    const uid = this.fps.take(fp, exact);
    if (uid !== undefined) {
      const size = this.sizeOf.get(uid)!;
      this.sizes.set(size, this.sizes.get(size)! - 1);
    }
    return uid;
  }
}

/** The target folder for the maildrop, named as IMAP would name a source INBOX. */
export function pop3Mapping(target: MailboxLayout, job: AccountJob): FolderMapping {
  const specialUse: Partial<Record<SpecialUse, string>> = {};
  for (const f of target.folders) {
    if (f.specialUse && isSpecialUse(f.specialUse) && !specialUse[f.specialUse]) specialUse[f.specialUse] = f.path;
  }
  const [mapping] = mapFolders(
    [{ path: SOURCE_FOLDER, delimiter: '/', flags: [] }],
    { delimiter: target.delimiter, prefix: target.prefix, specialUse, existing: target.folders.map((f) => f.path) },
    {
      mode: job.options.mode,
      sourceAddress: job.source.user,
      sourcePrefix: '',
      providerHint: job.options.providerHint,
      extraForbidden: folderNameForbidden(job.options.targetProviderHint),
    },
  );
  if (!mapping) throw new MigrationError('INTERNAL', 'No target folder for the POP3 INBOX.');
  return mapping;
}

/** POP3 messages have no UID of their own: the report names them by their place in the engine's table. */
const popLabel = (id: number): string => `POP3 message #${id}`;

class Pop3Pass {
  mapping: FolderMapping | undefined;
  run: FolderRun | undefined;
  folderError: ErrorInfo | undefined;
  dryRunTotal: number | undefined;
  readonly warnings: ErrorInfo[] = [];
  /** The target folder's UIDNEXT when this run first planned it: what arrives above it, this run put there. */
  targetUidNextAtStart: number | undefined;
  /** Copies made by earlier attempts of this run: they are this run's copies, not "already there". */
  private earlier = { copied: 0, bytes: 0 };

  adopt(run: FolderRun): void {
    run.counts.alreadyPresent -= this.earlier.copied;
    run.counts.copied += this.earlier.copied;
    run.counts.bytesCopied += this.earlier.bytes;
    this.run = run;
  }

  carryOver(): void {
    if (this.run) this.warnings.push(...storedChangeWarnings([this.run], popLabel));
    if (this.run) this.earlier = { copied: this.run.counts.copied, bytes: this.run.counts.bytesCopied };
    this.run = undefined;
  }
}

interface Chunk {
  items: Array<{ message: Pop3Message; fp: string; item: AppendItem }>;
  /** Outcomes decided without an APPEND (found on the target, refused before download). */
  settled: MessageRecord[];
  bytes: number;
}

const newChunk = (): Chunk => ({ items: [], settled: [], bytes: 0 });

/** APPENDs a chunk (MULTIAPPEND; one by one after a refusal so only the bad message is skipped) and records it. */
async function appendChunk(target: ImapFlow, folder: string, chunk: Chunk, run: FolderRun): Promise<void> {
  const records = [...chunk.settled];
  const storedSoFar: MessageRecord[] = [];
  let outcomes: AppendOutcome[] = [];
  try {
    if (chunk.items.length) {
      outcomes = await appendMessages(target, folder, chunk.items.map((i) => i.item), (i, targetUid) => {
        const { message, fp, item } = chunk.items[i]!;
        storedSoFar.push({ uid: message.id, fingerprint: fp, outcome: 'copied', targetUid, size: item.raw.length });
      });
    }
  } catch (err) {
    // A full mailbox or a lost connection in the middle: what the target did accept is ours.
    run.settle([...chunk.settled, ...storedSoFar]);
    throw err;
  }
  chunk.items.forEach(({ message, fp, item }, i) => {
    const r = outcomes[i]!;
    records.push(
      'reason' in r
        ? { uid: message.id, fingerprint: fp, outcome: 'skipped', targetUid: null, size: item.raw.length, reason: `${r.reason} (POP3 UIDL ${message.uidl})` }
        : { uid: message.id, fingerprint: fp, outcome: 'copied', targetUid: r.targetUid, size: item.raw.length },
    );
  });
  run.settle(records);
  // After settling: what the target stored is ours whatever this read-back meets.
  const copies = chunk.items.map(({ message, item }, i) => {
    const r = outcomes[i]!;
    return { uid: message.id, targetUid: 'reason' in r ? null : r.targetUid, raw: item.raw };
  });
  run.storedChanges.push(...(await findStoredChanges(target, folder, copies)));
}

async function indexTarget(target: ImapFlow, folder: string, fromUid: number, ours: Set<number>): Promise<TargetIndex> {
  const index = new TargetIndex();
  for (const m of await scanTarget(target, folder, fromUid, ours)) index.add(m.fingerprint, m.uid, m.size, m.exactFingerprint);
  return index;
}

function cancelled(): MigrationError {
  return new MigrationError('CANCELLED', 'The migration was stopped.');
}

async function runPass(job: AccountJob, store: StateStore, ids: UidlIds, account: string, tracker: ProgressTracker, hooks: Pop3MigrateHooks, pass: Pop3Pass): Promise<void> {
  const opts = job.options;
  const srcCtx: ErrorContext = { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port };
  const tgtCtx: ErrorContext = { side: 'target', account: job.target.user, host: job.target.host, port: job.target.port };
  const onSource = <T>(p: Promise<T>): Promise<T> => p.catch((err) => Promise.reject(classifyPop3Error(err, srcCtx, 'session')));
  const onTarget = <T>(p: Promise<T>): Promise<T> => p.catch((err) => Promise.reject(classifyError(err, tgtCtx)));
  let pop: Pop3Client | undefined;
  let tgt: ImapFlow | undefined;
  let inflight: Promise<void> | undefined;
  try {
    tracker.setPhase('connecting');
    pop = await Pop3Client.connect(job.source, hooks.pop3);
    tgt = await connectImap(job.target, { side: 'target', id: 'tgt-pop3', stallTimeoutMs: opts.stallTimeoutMs });
    tracker.setPhase('discovering');
    const layout = await onTarget(discoverLayout(tgt));
    if (!folderMatcher(opts.includeFolders, opts.excludeFolders)(SOURCE_FOLDER, '/', '')) {
      pass.mapping = undefined;
      return;
    }
    const mapping = pop3Mapping(layout, job);
    pass.mapping = mapping;
    store.recordFolderMap(account, SOURCE_FOLDER, mapping.target, mapping.sanitized.length ? JSON.stringify(mapping.sanitized) : null);
    const listing = await pop.uidl().catch((err: unknown) => {
      if (!(err instanceof Pop3ServerError)) throw classifyPop3Error(err, srcCtx, 'session');
      // UIDL is optional in RFC 1939; without it a message cannot be recognised across
      // sessions, so neither resume nor dedup would be safe.
      throw new MigrationError(
        'UNSUPPORTED',
        `The source ${job.source.user} at ${job.source.host}:${job.source.port} (POP3) does not support UIDL (it said "-ERR ${err.responseText}"); mailmover needs UIDL to resume and to avoid copying a message twice. Use the server's IMAP access instead.`,
        { side: 'source', cause: err },
      );
    });
    if (opts.dryRun) {
      pass.dryRunTotal = listing.length;
      return;
    }
    const sizes = await onSource(pop.list());

    tracker.setPhase('creating-folders');
    keepRecordedTargets(store, account, [mapping], layout);
    const created = await onTarget(createTargetFolders(tgt, layout, [mapping]));
    pass.warnings.push(...created.renamed);
    pass.folderError = created.failed.get(mapping.target) ?? [...created.failed.values()][0];
    if (pass.folderError) return;
    store.recordFolderMap(account, SOURCE_FOLDER, mapping.target, mapping.sanitized.length ? JSON.stringify(mapping.sanitized) : null);

    tracker.setPhase('planning');
    // A UIDL should be unique in a maildrop; a broken server repeating one still gets one row per message.
    const occurrences = new Map<string, number>();
    const keys = listing.map(({ uidl }) => {
      const n = (occurrences.get(uidl) ?? 0) + 1;
      occurrences.set(uidl, n);
      return n === 1 ? uidl : `${uidl}#${n}`;
    });
    const idList = ids.idsFor(account, keys);
    const messages: Pop3Message[] = listing.map((e, i) => ({ msg: e.msg, uidl: keys[i]!, id: idList[i]!, size: sizes.get(e.msg) ?? 0 }));

    // A checkpoint of another UIDVALIDITY was written by an IMAP pass under the same state
    // key (the bridge service keeps its key when a job's server changes): start over with
    // a whole-target fingerprint scan, as after a UIDVALIDITY change.
    const { cp, scanWholeTarget } = resumeCheckpoint(store, account, { source: SOURCE_FOLDER, target: mapping.target }, POP3_UID_VALIDITY, opts);

    const settled = store.settledAbove(account, SOURCE_FOLDER, POP3_UID_VALIDITY, 0);
    const pending: Pop3Message[] = [];
    let priorPresent = 0;
    let priorSkipped = 0;
    for (const m of messages) {
      const row = settled.get(m.id);
      // A skip whose reason was not the message itself is tried again.
      if (!row || (row.outcome === 'skipped' && !skipIsFinal(row.reason, opts.deleted))) pending.push(m);
      else if (row.outcome === 'skipped') priorSkipped++;
      else priorPresent++;
    }

    let index = new TargetIndex();
    if (pending.length) {
      const status = await onTarget(tgt.status(mapping.target, { uidNext: true, uidValidity: true, messages: true }));
      if (!status) throw new MigrationError('TARGET_REFUSED', `The target refused STATUS for folder "${mapping.target}"; the account is retried.`, { side: 'target' });
      const targetValidity = status.uidValidity !== undefined ? Number(status.uidValidity) : null;
      pass.targetUidNextAtStart ??= status.uidNext;
      const from = scanWholeTarget || targetValidity !== cp.targetUidValidity ? 1 : (cp.targetUidNext ?? 1);
      if ((status.messages ?? 0) > 0 && (status.uidNext ?? Infinity) > from) {
        index = await onTarget(indexTarget(tgt, mapping.target, from, store.targetUidsRecorded(account, SOURCE_FOLDER, from)));
      }
    }

    // No message goes through FolderRun's UID-order bookkeeping (toCopy is empty): it keeps
    // the counters, writes the rows and the checkpoint; the rows per UIDL are the state.
    const run = new FolderRun(store, account, SOURCE_FOLDER, mapping.target, POP3_UID_VALIDITY, cp, [], 0);
    run.counts.alreadyPresent = priorPresent;
    run.counts.skipped = priorSkipped;
    run.counts.total = priorPresent + priorSkipped + pending.length;
    run.counts.bytesTotal = pending.reduce((s, m) => s + m.size, 0);
    pass.adopt(run);
    tracker.track(run);

    tracker.setPhase('copying');
    const limit = appendLimitOf(tgt);
    let canTop = pop.capabilities === null || pop.capabilities.has('TOP');
    const outOfScope = (m: Pop3Message) => {
      run.counts.total--;
      run.counts.bytesTotal -= m.size;
    };
    let chunk = newChunk();
    const dispatch = async () => {
      const c = chunk;
      chunk = newChunk();
      if (inflight) await inflight;
      if (c.items.length === 0 && c.settled.length === 0) return;
      inflight = onTarget(appendChunk(tgt!, mapping.target, c, run)).then(() => tracker.tick());
      inflight.catch(() => undefined); // awaited (and its error thrown) by the next dispatch or below
    };

    /**
     * The whole message, by TOP with more lines than any message has: servers such as
     * Dovecot mark every RETRieved message \\Seen on the old system (pop3_no_flag_updates =
     * no is their default), and TOP does not. Accepted only when it is exactly the LIST
     * size (RFC 1939: LIST gives the exact size). RETR only when the user chose it
     * (--pop3-retr); otherwise the message is skipped, saying why, and tried again by the
     * next run. A refusal here is a string (the skip reason), a body is a Buffer.
     */
    let retrUsed = 0;
    const download = async (m: Pop3Message): Promise<Buffer | string> => {
      let topGot: number | undefined;
      if (canTop) {
        try {
          const whole = fitToListSize(await pop!.top(m.msg, TOP_WHOLE_MESSAGE), m.size);
          if (whole.length === m.size) return whole;
          topGot = whole.length;
        } catch (err) {
          if (!(err instanceof Pop3ServerError)) throw classifyPop3Error(err, srcCtx, 'session');
          canTop = false;
        }
      }
      const why = topGot === undefined ? 'the server has no working TOP' : `TOP returned ${topGot} bytes where LIST says ${m.size}`;
      if (!opts.pop3Retr) {
        return `NOT_DOWNLOADED: ${why}; RETR would mark the message as read on the old server, so it was not used. Run again with --pop3-retr to download it with RETR (POP3 UIDL ${m.uidl})`;
      }
      const raw = fitToListSize(await pop!.retr(m.msg), m.size);
      retrUsed++;
      if (raw.length === m.size) return raw;
      // A server that stores LF line ends may count them as one byte in LIST: that
      // difference is explained, the body is the message, and the report says so.
      if (raw.length - countCrlf(raw) === m.size) {
        pass.warnings.push({
          code: 'MESSAGE_CHANGED',
          message: `POP3 message UIDL ${m.uidl}: LIST counts ${m.size} bytes, RETR sent ${raw.length}: the server counts line ends as one byte; copied as sent.`,
        });
        return raw;
      }
      // Anything else may be a stand-in the server generated (Courier's "Cannot display
      // Unicode content" without UTF8): never stored as the message; tried again next run.
      return `NOT_DOWNLOADED: the source sent ${raw.length} bytes by RETR where its LIST says ${m.size} (${why}); a body that contradicts the server's own listing is not stored as the message (POP3 UIDL ${m.uidl})`;
    };

    // A match above the UIDNEXT this run first saw is an earlier attempt's copy whose APPEND answer was lost.
    const startUid = pass.targetUidNextAtStart;
    const foundOutcome = (targetUid: number): 'copied' | 'present' => (startUid !== undefined && targetUid >= startUid ? 'copied' : 'present');

    /** Decides one message: out of scope, skipped, already on the target, or into the chunk. */
    const handle = async (m: Pop3Message): Promise<void> => {
      if (limit !== undefined && m.size > limit) {
        chunk.settled.push({ uid: m.id, fingerprint: '', outcome: 'skipped', targetUid: null, size: m.size, reason: `MESSAGE_TOO_LARGE: ${m.size} bytes, over the target's APPENDLIMIT of ${limit} bytes (POP3 UIDL ${m.uidl})` });
        return;
      }
      // The header alone when it can save a download: to apply --since, or to recognise a
      // message already on the target (a candidate only when a target message has its size).
      if (canTop && (opts.since || index.hasSize(m.size))) {
        let header: Buffer | undefined;
        try {
          header = headerBlock(await pop!.top(m.msg, 0));
        } catch (err) {
          if (!(err instanceof Pop3ServerError)) throw classifyPop3Error(err, srcCtx, 'session');
          canTop = false; // no TOP after all: download and decide then
        }
        if (header) {
          if (opts.since && internalDateOf(header).date < opts.since) return outOfScope(m);
          const fp = messageFingerprint(header, m.size);
          const targetUid = index.take(fp, messageExactFingerprint(header, m.size));
          if (targetUid !== undefined) {
            chunk.settled.push({ uid: m.id, fingerprint: fp, outcome: foundOutcome(targetUid), targetUid, size: m.size });
            return;
          }
        }
      }
      let raw: Buffer;
      try {
        const got = await download(m);
        if (typeof got === 'string') {
          chunk.settled.push({ uid: m.id, fingerprint: '', outcome: 'skipped', targetUid: null, size: m.size, reason: got });
          return;
        }
        raw = got;
      } catch (err) {
        // A temporary failure is retried with the session; any other -ERR means the message
        // went away (another client deleted it) since UIDL was listed.
        if (!(err instanceof Pop3ServerError) || err.responseCode === 'SYS/TEMP' || err.responseCode === 'IN-USE') throw classifyPop3Error(err, srcCtx, 'session');
        chunk.settled.push({ uid: m.id, fingerprint: '', outcome: 'skipped', targetUid: null, size: m.size, reason: `deleted on the source while the migration ran: RETR said "-ERR ${err.responseText}" (POP3 UIDL ${m.uidl})` });
        return;
      }
      const header = headerBlock(raw);
      const { date } = internalDateOf(header);
      if (opts.since && date < opts.since) return outOfScope(m);
      const fp = messageFingerprint(header, raw.length);
      const targetUid = index.take(fp, messageExactFingerprint(header, raw.length));
      if (targetUid !== undefined) {
        chunk.settled.push({ uid: m.id, fingerprint: fp, outcome: foundOutcome(targetUid), targetUid, size: raw.length });
        return;
      }
      chunk.items.push({ message: m, fp, item: { raw, flags: [], internalDate: date } });
      chunk.bytes += raw.length;
    };

    for (const m of pending) {
      if (hooks.signal?.aborted) throw cancelled();
      await handle(m);
      if (chunk.bytes >= opts.chunkBytes || chunk.items.length + chunk.settled.length >= opts.chunkMessages) await dispatch();
    }
    await dispatch();
    if (inflight) await inflight;
    inflight = undefined;
    if (retrUsed > 0) {
      pass.warnings.push({
        code: 'MESSAGE_CHANGED',
        message: `${retrUsed} message(s) were downloaded with RETR (--pop3-retr) because TOP could not return them whole; the old server may now show them as read.`,
      });
    }

    const status = await onTarget(tgt.status(mapping.target, { uidNext: true, uidValidity: true }));
    run.finish(status && status.uidValidity !== undefined ? Number(status.uidValidity) : null, status ? (status.uidNext ?? null) : null);
    tracker.tick();
  } finally {
    // An APPEND still running must end before the connections close and before a retry
    // plans again (it would not see the message its row is about to claim).
    if (inflight) await inflight.catch(() => undefined);
    await pop?.quit();
    await closeQuietly(tgt);
  }
}

/**
 * One POP3 account, with the retries and the report of migrateAccount: transient failures
 * (connection lost, timeout, maildrop in use) are retried with exponential back-off, each
 * retry resuming from the rows already written.
 */
export async function migratePop3Account(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks = {}): Promise<AccountResult> {
  const account = accountKey(job);
  const tracker = new ProgressTracker(account, hooks.onProgress);
  const pass = new Pop3Pass();
  const ids = UidlIds.forStore(store);
  let error: MigrationError | null;
  try {
    error = await retryPasses(job, tracker, hooks, () => runPass(job, store, ids, account, tracker, hooks, pass), () => pass.carryOver(), {
      settled: () => store.settledCount(account),
    });
  } finally {
    ids.close();
  }
  const result = buildResult(job, store, account, pass, error);
  tracker.setPhase(result.status === 'done' ? 'done' : 'failed');
  return result;
}

function buildResult(job: AccountJob, store: StateStore, account: string, pass: Pop3Pass, error: MigrationError | null): AccountResult {
  const run = pass.run;
  const folders: FolderResult[] = pass.mapping
    ? [
        {
          source: SOURCE_FOLDER,
          target: pass.mapping.target,
          total: run?.counts.total ?? pass.dryRunTotal ?? 0,
          copied: run?.counts.copied ?? 0,
          skipped: run?.counts.skipped ?? 0,
          alreadyPresent: run?.counts.alreadyPresent ?? 0,
          bytesCopied: run?.counts.bytesCopied ?? 0,
          error: pass.folderError ?? null,
        },
      ]
    : [];
  return accountResult(job, store, account, folders, error, [...pass.warnings, ...(run ? storedChangeWarnings([run], popLabel) : [])]);
}
