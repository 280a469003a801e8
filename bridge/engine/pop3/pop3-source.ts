import type { ImapFlow } from 'imapflow';
import { mapFolders, type FolderMapping } from '../../../shared/folders/map-folders';
import { folderNameForbidden } from '../../../shared/folders/target-rules';
import { isSpecialUse, type SpecialUse } from '../../../shared/folders/special-use';
import type { AccountJob, MigrateHooks } from '../account-job';
import { skipIsFinal } from '../append-refusal';
import { resumeCheckpoint } from '../checkpoint';
import { appendLimitOf } from '../copy-chunk';
import { bodyHash, hasMessageId } from '../body-hash';
import type { MailboxLayout } from '../discover';
import { MigrationError, stoppedError, type ErrorContext } from '../errors';
import type { ErrorInfo } from '../../../shared/errors';
import { FolderRun } from '../folder-run';
import { timeRoundTrip } from '../link-window';
import type { Chunk, FetchedChunk, FolderPlan, PlanContext, PlannedMessage, SourceDriver, SourceSession, TargetFree } from '../source-driver';
import type { StateStore } from '../state-store';
import { TargetIndex, surveyTarget } from '../target-scan';
import { Pop3Client, type Pop3ClientOptions, type UidlEntry } from './client';
import { Pop3ServerError, classifyPop3Error } from './errors';
import { headerBlock, internalDateOf, messageExactFingerprint, messageFingerprint } from './headers';
import { adoptHandedMessages, type HandedMessages } from './handed-messages';
import { DroppedDownloads, sessionDropped } from './dropped-downloads';
import { EMPTY_MESSAGE_WORDS, UNREADABLE_PREFIX, serverWords, unreadableReason } from '../imap/unreadable-messages';
import { UidlIds } from './uidl-ids';
import { uidlKeys } from './uidl-keys';

/**
 * A POP3 maildrop as a source: the server's INBOX (POP3 sees nothing else), migrated into
 * the target's INBOX (mapped mode) or `<source address>/INBOX` (unified mode, the name IMAP
 * unified mode gives a source INBOX).
 *
 * One session per pass: many servers lock the maildrop for a session (RFC 1939
 * "-ERR maildrop already locked"), so --concurrency does not apply to a POP3 source; the
 * pass loop fetches the next chunk while the previous one is APPENDed.
 *
 * Identity: a message is its UIDL (for a UIDL a broken server repeats: UIDL and header,
 * uidl-keys.ts). UidlIds gives each such key a stable integer, and that
 * integer is the `uid` of the message's row in the engine's own table (source folder
 * 'INBOX', uid_validity POP3_UID_VALIDITY). A row is written after the target confirmed
 * the APPEND; a message with a row is never downloaded again. The folder checkpoint keeps
 * the target's UIDVALIDITY/UIDNEXT of the last complete pass (and the filter key), so a
 * run after a crash looks for our unrecorded APPENDs on the target exactly as the IMAP
 * path does; `lastUid` is not used (POP3 has no UID order) and stays 0.
 *
 * Dedup against the target: messages on the target that no row accounts for are indexed
 * by fingerprint (Message-ID, Date, From, Subject, size). A message whose LIST size equals
 * the size of such a target message has its header read with TOP n 0 first, so a run with
 * lost state downloads no bodies when the server's LIST sizes are exact (Dovecot's are);
 * every downloaded message is matched again with its real size before it is APPENDed.
 *
 * A message whose download drops the session (a server that cannot read it, such as
 * Courier's pop3d on a read error) is sent again alone on a fresh session, and skipped as
 * unreadable when it drops that one too while others came through (dropped-downloads.ts).
 *
 * Read-only: the session sends only the allowlisted commands (read-only-guard.ts) and
 * downloads with TOP, which does not mark a message read; RETR only with --pop3-retr.
 *
 * Internal date: the topmost Received field's date, else Date:, else now (headers.ts).
 * Flags: POP3 has none; messages are APPENDed without flags (unread on the target).
 */

/** POP3 has no UIDVALIDITY; the engine's rows for a POP3 source all carry this one. */
export const POP3_UID_VALIDITY = 0;
/** The engine's rows for a POP3 source all carry this source folder. */
export const POP3_SOURCE_FOLDER = 'INBOX';
const SOURCE_FOLDER = POP3_SOURCE_FOLDER;

export interface Pop3MigrateHooks extends MigrateHooks {
  /** Timeouts and limits of the POP3 session (tests shorten them). */
  pop3?: Pop3ClientOptions;
  /** The account's rows as the worker of its last pass had them (queue mode): adopted where this store knows less. */
  handed?: HandedMessages;
}

interface Pop3Message extends PlannedMessage {
  /** The message number in this session. */
  msg: number;
  uidl: string;
  /** `uid` is the engine's number for the UIDL; `size` is the LIST size. */
}

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

/** What the pass loop sees of a maildrop: one folder, INBOX. */
const MAILDROP_LAYOUT: MailboxLayout = { delimiter: '/', prefix: '', folders: [{ path: SOURCE_FOLDER, delimiter: '/', flags: [] }], capabilities: [] };

/**
 * Why a message the server refused to send (-ERR to TOP or RETR once TOP worked) is skipped:
 * "[SYS/PERM]" (RFC 3206: a lasting system failure; Cyrus: "Could not read message file") is a
 * message the server cannot read; any other answer means it went away since UIDL was listed
 * (Dovecot says "expunged", Courier "it's gone!"). Neither is final: the next run tries again.
 */
function refusedMessageReason(verb: 'TOP' | 'RETR', err: Pop3ServerError, uidl: string): string {
  const said = `${verb} said "-ERR ${err.responseText}" (POP3 UIDL ${uidl})`;
  return err.responseCode === 'SYS/PERM' ? unreadableReason(said) : `deleted on the source while the migration ran: ${said}`;
}

/** POP3 messages have no UID of their own: the report names them by their place in the engine's table. */
const popLabel = (id: number): string => `POP3 message #${id}`;

export function pop3Source(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks): SourceDriver<Pop3Message> {
  const ids = UidlIds.forStore(store);
  const dropped = new DroppedDownloads();
  // A halt (queue mode: the account may be running elsewhere already) stops the session too, and no fresh one is opened.
  const signal = hooks.halt ? (hooks.signal ? AbortSignal.any([hooks.signal, hooks.halt]) : hooks.halt) : hooks.signal;
  const login = (): Promise<Pop3Client> => Pop3Client.connect(job.source, hooks.pop3, signal);
  return {
    maxSessions: 1,
    label: popLabel,
    connect: async () => pop3Session(await login(), login, dropped, job, ids, signal, hooks.handed),
    dispose: () => ids.close(),
  };
}

function pop3Session(
  first: Pop3Client,
  login: () => Promise<Pop3Client>,
  dropped: DroppedDownloads,
  job: AccountJob,
  ids: UidlIds,
  signal: AbortSignal | undefined,
  handed: HandedMessages | undefined,
): SourceSession<Pop3Message> {
  // Replaced by a fresh session when one drops while a message is sent (dropped-downloads.ts).
  let pop = first;
  const opts = job.options;
  const srcCtx: ErrorContext = { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port };
  const onSource = <T>(p: Promise<T>): Promise<T> => p.catch((err) => Promise.reject(classifyPop3Error(err, srcCtx, 'session')));
  let listing: UidlEntry[] | undefined;
  let canTop = pop.capabilities === null || pop.capabilities.has('TOP');
  // Once TOP has answered in this session, a refusal is about that message (another client
  // deleted it), not about TOP: turning TOP off for the rest of the session would leave RETR,
  // which marks every later message read. Before that (some servers list TOP in CAPA and
  // refuse it), TOP goes off at its second refusal; the first message then goes without it.
  let topWorked = false;
  let topRefusals = 0;
  const top = async (m: Pop3Message, lines: number): Promise<Buffer> => {
    const got = await pop.top(m.msg, lines);
    topWorked = true;
    return got;
  };
  /** A TOP refused: the message's skip reason when TOP works here; undefined when the message goes on without TOP. */
  const topRefused = (err: unknown, uidl: string): string | undefined => {
    if (!(err instanceof Pop3ServerError) || err.responseCode === 'SYS/TEMP' || err.responseCode === 'IN-USE') throw classifyPop3Error(err, srcCtx, 'session');
    if (topWorked) return refusedMessageReason('TOP', err, uidl);
    if (++topRefusals >= 2) canTop = false;
    return undefined;
  };
  /** A message's header (TOP n 0), for telling apart messages a broken server lists under one UIDL. */
  const headerOf = async (msg: number, uidl: string): Promise<Buffer | undefined> => {
    if (!canTop) return undefined;
    try {
      const got = await pop.top(msg, 0);
      topWorked = true;
      return headerBlock(got);
    } catch (err) {
      // Deleted meanwhile, or TOP refused: keyed by size, and the download says which.
      topRefused(err, uidl);
      return undefined;
    }
  };
  // The folder being copied: target messages no row accounts for, where this run's copies start, RETRs used.
  let index = new TargetIndex();
  let startUid: number | undefined;
  let retrUsed = 0;

  const uidl = async (): Promise<UidlEntry[]> => {
    listing ??= await pop.uidl().catch((err: unknown) => {
      if (!(err instanceof Pop3ServerError)) throw classifyPop3Error(err, srcCtx, 'session');
      // UIDL is optional in RFC 1939; without it a message cannot be recognised across
      // sessions, so neither resume nor dedup would be safe.
      throw new MigrationError(
        'UNSUPPORTED',
        `The source ${job.source.user} at ${job.source.host}:${job.source.port} (POP3) does not support UIDL (it said "-ERR ${err.responseText}"); mailmover needs UIDL to resume and to avoid copying a message twice. Use the server's IMAP access instead.`,
        { side: 'source', cause: err },
      );
    });
    return listing;
  };

  const planFolder = async (target: ImapFlow, { store, account, mapping, opts, copiedFromTargetUid, targetFree, budget }: PlanContext): Promise<FolderPlan<Pop3Message>> => {
    // The maildrop's one folder is planned first, so nothing of this worker's is on the target yet; the contract still holds.
    await targetFree?.();
    const entries = await uidl();
    const sizes = await onSource(pop.list());
    const { keys, repeated } = await uidlKeys(entries, sizes, headerOf);
    const warnings: ErrorInfo[] = [];
    if (repeated > 0) {
      warnings.push({
        code: 'PROTOCOL_ERROR',
        side: 'source',
        message: `The POP3 server of ${job.source.user} gives ${repeated} messages a UIDL another message also has (RFC 1939 asks for a unique one); those messages are told apart by their headers, read with TOP.`,
      });
    }
    const idList = ids.idsFor(account, keys);
    const messages: Pop3Message[] = entries.map((e, i) => ({ msg: e.msg, uidl: keys[i]!, uid: idList[i]!, size: sizes.get(e.msg) ?? 0 }));

    // A checkpoint of another UIDVALIDITY was written by an IMAP pass under the same state
    // key (the bridge service keeps its key when a job's server changes): start over with
    // a whole-target fingerprint scan, as after a UIDVALIDITY change.
    const resumed = resumeCheckpoint(store, account, { source: SOURCE_FOLDER, target: mapping.target }, POP3_UID_VALIDITY, opts);
    const { scanWholeTarget: identityChanged, changedFrom } = resumed;
    let cp = resumed.cp;
    // The IMAP pass's rows name its copies on the target: they must be in the survey, to be found by fingerprint.
    if (changedFrom !== undefined) store.dropMessagesOfOtherValidity(account, SOURCE_FOLDER, POP3_UID_VALIDITY);

    // Rows of UIDLs the maildrop no longer lists: the message was deleted, or the server gave
    // it another UIDL (Dovecot's default UIDL holds the INBOX's UIDVALIDITY, which an index
    // rebuild or a restore changes). Their copies on the target are then candidates for the
    // messages listed now, found by fingerprint in the whole target folder.
    const listed = new Set(messages.map((m) => m.uid));
    const vanished = [...store.settledAbove(account, SOURCE_FOLDER, POP3_UID_VALIDITY, 0).keys()].filter((uid) => !listed.has(uid));
    if (vanished.length > 0) {
      // Their copies lie before the target UIDNEXT of the last complete pass. Once the rows are
      // gone, only a checkpoint without it makes a pass cut before it wrote new ones (a crash
      // during the survey) leave the next pass a whole-target survey too: stored first.
      cp = { ...cp, targetUidValidity: null, targetUidNext: null };
      store.putCheckpoint(cp);
    }
    store.forgetMessages(account, SOURCE_FOLDER, POP3_UID_VALIDITY, vanished);
    // Queue mode: the last pass may have run on another worker, whose rows say what it copied
    // (or found, or left out for good) since this store's. Without them, a copy the employee
    // deleted or filed elsewhere in the new mailbox meanwhile is not found and is copied again.
    const adoption = handed
      ? adoptHandedMessages(store, account, SOURCE_FOLDER, POP3_UID_VALIDITY, messages.map((m) => ({ uid: m.uid, key: m.uidl, size: m.size })), handed, opts.deleted)
      : undefined;
    const scanWholeTarget = identityChanged || vanished.length > 0 || (adoption?.unmatched ?? 0) > 0;

    const settled = store.settledAbove(account, SOURCE_FOLDER, POP3_UID_VALIDITY, 0);
    const pending: Pop3Message[] = [];
    let priorPresent = 0;
    let priorSkipped = 0;
    for (const m of messages) {
      const row = settled.get(m.uid);
      // A skip whose reason was not the message itself is tried again.
      if (!row || (row.outcome === 'skipped' && !skipIsFinal(row.reason, opts.deleted))) {
        pending.push(m);
        if (row?.reason?.startsWith(UNREADABLE_PREFIX)) dropped.skippedBefore(m.uidl);
      } else if (row.outcome === 'skipped') priorSkipped++;
      else priorPresent++;
    }

    // Messages that dropped a session earlier in this run go last: the rest of the maildrop first.
    const toCopy = dropped.lastIfDropped(pending, (m) => m.uidl);
    index = new TargetIndex();
    retrUsed = 0;
    let targetUidNext: number | undefined;
    if (pending.length) {
      const survey = await surveyTarget(target, store, account, { source: SOURCE_FOLDER, target: mapping.target }, cp, scanWholeTarget, { batchBytes: opts.chunkBytes, budget });
      index = survey.index;
      targetUidNext = survey.uidNext;
      // Target messages without a Message-ID that a pending message may be: their bodies, to
      // confirm such a match by content (content-match.ts); only those of a pending message's size.
      await index.readBodyHashes(target, mapping.target, new Set(pending.map((m) => m.size)), opts.chunkBytes, budget);
    }
    // A match above the UIDNEXT this run first saw is an earlier attempt's copy whose APPEND answer was lost.
    startUid = copiedFromTargetUid ?? targetUidNext;

    // The rows per UIDL are the state: the run keeps the counters and writes rows and checkpoint, never moving lastUid.
    const run = new FolderRun(store, account, SOURCE_FOLDER, mapping.target, POP3_UID_VALIDITY, cp, pending, 0, false);
    run.counts.alreadyPresent = priorPresent;
    run.counts.skipped = priorSkipped;
    run.counts.total = priorPresent + priorSkipped + pending.length;
    run.counts.bytesTotal = pending.reduce((s, m) => s + m.size, 0);
    return { run, toCopy, warnings, targetUidNext };
  };

  /**
   * The whole message, by TOP with more lines than any message has: servers such as
   * Dovecot mark every RETRieved message \\Seen on the old system (pop3_no_flag_updates =
   * no is their default), and TOP does not. Accepted only when it is exactly the LIST
   * size (RFC 1939: LIST gives the exact size). RETR only when the user chose it
   * (--pop3-retr); otherwise the message is skipped, saying why, and tried again by the
   * next run. A refusal here is a string (the skip reason), a body is a Buffer.
   */
  const download = async (m: Pop3Message, fetched: FetchedChunk): Promise<Buffer | string> => {
    let topGot: number | undefined;
    if (canTop) {
      try {
        const whole = fitToListSize(await top(m, TOP_WHOLE_MESSAGE), m.size);
        if (whole.length === m.size) return whole;
        topGot = whole.length;
      } catch (err) {
        const gone = topRefused(err, m.uidl);
        if (gone) return gone;
      }
    }
    const why = topGot === undefined ? 'the server has no working TOP' : `TOP returned ${topGot} bytes where LIST says ${m.size}`;
    if (!opts.pop3Retr) {
      return `NOT_DOWNLOADED: ${why}; RETR would mark the message as read on the old server, so it was not used. Run again with --pop3-retr to download it with RETR (POP3 UIDL ${m.uidl})`;
    }
    const raw = fitToListSize(await pop.retr(m.msg), m.size);
    retrUsed++;
    if (raw.length === m.size) return raw;
    // A server that stores LF line ends may count them as one byte in LIST: that
    // difference is explained, the body is the message, and the report says so.
    if (raw.length - countCrlf(raw) === m.size) {
      fetched.warnings.push({
        code: 'MESSAGE_CHANGED',
        message: `POP3 message UIDL ${m.uidl}: LIST counts ${m.size} bytes, RETR sent ${raw.length}: the server counts line ends as one byte; copied as sent.`,
      });
      return raw;
    }
    // Anything else may be a stand-in the server generated (Courier's "Cannot display
    // Unicode content" without UTF8): never stored as the message; tried again next run.
    return `NOT_DOWNLOADED: the source sent ${raw.length} bytes by RETR where its LIST says ${m.size} (${why}); a body that contradicts the server's own listing is not stored as the message (POP3 UIDL ${m.uidl})`;
  };

  const foundOutcome = (targetUid: number): 'copied' | 'present' => (startUid !== undefined && targetUid >= startUid ? 'copied' : 'present');

  /** Decides one message: out of scope, skipped, already on the target, or a body to APPEND. */
  const handle = async (m: Pop3Message, run: FolderRun, limit: number | undefined, fetched: FetchedChunk): Promise<void> => {
    const skip = (reason: string): void => void fetched.settled.push({ uid: m.uid, fingerprint: '', outcome: 'skipped', targetUid: null, size: m.size, reason });
    if (limit !== undefined && m.size > limit) return skip(`MESSAGE_TOO_LARGE: ${m.size} bytes, over the target's APPENDLIMIT of ${limit} bytes (POP3 UIDL ${m.uidl})`);
    // The header alone when it can save a download: to apply --since, or to recognise a
    // message already on the target (a candidate only when a target message has its size).
    if (canTop && (opts.since || index.hasSize(m.size))) {
      let header: Buffer | undefined;
      try {
        header = headerBlock(await top(m, 0));
      } catch (err) {
        // Without TOP after all: download and decide then.
        const gone = topRefused(err, m.uidl);
        if (gone) return skip(gone);
      }
      if (header) {
        if (opts.since && internalDateOf(header).date < opts.since) return run.drop(m);
        const fp = messageFingerprint(header, m.size);
        // Without a Message-ID the header may be another message's: decided below, with the body.
        const targetUid = hasMessageId(header) ? index.take(fp, messageExactFingerprint(header, m.size)) : undefined;
        if (targetUid !== undefined) {
          fetched.settled.push({ uid: m.uid, fingerprint: fp, outcome: foundOutcome(targetUid), targetUid, size: m.size });
          return;
        }
      }
    }
    let raw: Buffer;
    try {
      const got = await download(m, fetched);
      if (typeof got === 'string') return skip(got);
      if (got.length === 0) return skip(`${unreadableReason(EMPTY_MESSAGE_WORDS)} (POP3 UIDL ${m.uidl})`);
      raw = got;
    } catch (err) {
      // A temporary failure is retried with the session; any other -ERR means the message
      // went away (another client deleted it) since UIDL was listed.
      if (!(err instanceof Pop3ServerError) || err.responseCode === 'SYS/TEMP' || err.responseCode === 'IN-USE') throw classifyPop3Error(err, srcCtx, 'session');
      return skip(refusedMessageReason('RETR', err, m.uidl));
    }
    const header = headerBlock(raw);
    const { date } = internalDateOf(header);
    if (opts.since && date < opts.since) return run.drop(m);
    const fp = messageFingerprint(header, raw.length);
    const exact = messageExactFingerprint(header, raw.length);
    const targetUid = hasMessageId(header) ? index.take(fp, exact) : index.takeByBody(fp, exact, bodyHash(raw));
    if (targetUid !== undefined) {
      fetched.settled.push({ uid: m.uid, fingerprint: fp, outcome: foundOutcome(targetUid), targetUid, size: raw.length });
      return;
    }
    fetched.items.push({ uid: m.uid, fingerprint: fp, size: raw.length, item: { raw, flags: [], internalDate: date }, note: `POP3 UIDL ${m.uidl}` });
  };

  /**
   * Bodies RETR sent at another size than LIST said (a server counting line ends as one byte,
   * see download) that have no Message-ID: the plan read the target bodies of the LIST sizes
   * only (readBodyHashes), so a copy already on the target, of the RETR size, had no body hash
   * to be matched by, and the message was copied again. The target bodies of those sizes are
   * read now, once the worker's earlier APPEND is answered (TargetFree), and a message whose
   * body is among them is settled as found instead of appended.
   *
   * Outside the byte budget: the loop holds this chunk's share while it is fetched, and waiting
   * for more while holding it could wait for ever; what is read here is one FETCH of at most a
   * chunk's bytes at a time, each body dropped once hashed.
   */
  const recogniseResized = async (target: ImapFlow, chunk: Chunk<Pop3Message>, fetched: FetchedChunk, targetFree: TargetFree | undefined): Promise<void> => {
    const listSize = new Map(chunk.messages.map((m) => [m.uid, m.size]));
    const resized = fetched.items.filter((i) => i.size !== listSize.get(i.uid) && !hasMessageId(headerBlock(i.item.raw)));
    if (resized.length === 0) return;
    await index.readBodyHashes(target, chunk.run.target, new Set(resized.map((i) => i.size)), opts.chunkBytes, undefined, targetFree);
    for (const i of resized) {
      const targetUid = index.takeByBody(i.fingerprint, messageExactFingerprint(headerBlock(i.item.raw), i.size), bodyHash(i.item.raw));
      if (targetUid === undefined) continue;
      fetched.items.splice(fetched.items.indexOf(i), 1);
      fetched.settled.push({ uid: i.uid, fingerprint: i.fingerprint, outcome: foundOutcome(targetUid), targetUid, size: i.size });
    }
  };

  /**
   * A fresh session in place of one that dropped, for the messages after the one being sent.
   * Message numbers are per session: the new one must list the maildrop as the old one did
   * (same message numbers, same UIDLs), else the pass fails with `cause` and the next one plans
   * again.
   */
  const freshSession = async (cause: unknown): Promise<void> => {
    pop.close();
    if (signal?.aborted) throw stoppedError();
    const next = await login();
    const before = listing ?? [];
    const now = await next.uidl().catch(() => undefined);
    if (signal?.aborted) {
      next.close();
      throw stoppedError();
    }
    if (!now || now.length !== before.length || now.some((e, i) => e.msg !== before[i]!.msg || e.uidl !== before[i]!.uidl)) {
      next.close();
      throw cause;
    }
    pop = next;
  };

  /**
   * handle(), and when the session drops while the message is sent: the message alone again on
   * a fresh session; dropped there too, and blamed (dropped-downloads.ts), it is skipped as
   * unreadable (not for good: the next run tries it again) and the chunk goes on on another
   * fresh session.
   */
  const handleOrNarrow = async (m: Pop3Message, run: FolderRun, limit: number | undefined, fetched: FetchedChunk): Promise<void> => {
    // Sent alone on a fresh session: only a drop there may blame the message.
    let alone = false;
    for (;;) {
      const itemsBefore = fetched.items.length;
      try {
        await handle(m, run, limit, fetched);
        if (fetched.items.length > itemsBefore) dropped.deliveredOne();
        return;
      } catch (err) {
        if (signal?.aborted || !sessionDropped(err)) throw err;
        dropped.droppedDuring(m.uidl);
        if (alone && dropped.blame(m.uidl)) {
          const words = serverWords((err as Error).cause ?? err);
          fetched.settled.push({ uid: m.uid, fingerprint: '', outcome: 'skipped', targetUid: null, size: m.size, reason: unreadableReason(`${words} (POP3 UIDL ${m.uidl})`) });
          await freshSession(err);
          return;
        }
        // Nothing came through yet to tell a bad message from a bad link: the pass fails, and the next one sends this message last.
        if (alone) throw err;
        await freshSession(err);
        alone = true;
      }
    }
  };

  return {
    listFolders: async () => MAILDROP_LAYOUT,
    countMessages: async () => (await uidl()).length,
    survey: async () => {
      await uidl();
    },
    planFolder,
    fetchChunk: async (target: ImapFlow, chunk: Chunk<Pop3Message>, targetFree?: TargetFree): Promise<FetchedChunk> => {
      const limit = appendLimitOf(target);
      const fetched: FetchedChunk = { items: [], settled: [], warnings: [] };
      for (const m of chunk.messages) {
        if (signal?.aborted) throw stoppedError();
        await handleOrNarrow(m, chunk.run, limit, fetched);
      }
      await recogniseResized(target, chunk, fetched, targetFree);
      return fetched;
    },
    folderDone: () =>
      retrUsed > 0
        ? [
            {
              code: 'MESSAGE_CHANGED',
              message: `${retrUsed} message(s) were downloaded with RETR (--pop3-retr) because TOP could not return them whole; the old server may now show them as read.`,
            },
          ]
        : [],
    roundTrip: () => timeRoundTrip(() => pop.noop()),
    knownRoundTrip: () => pop.fastestAnswerMs,
    close: () => pop.quit(),
  };
}
