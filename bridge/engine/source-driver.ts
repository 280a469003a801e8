import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import type { ByteBudget } from './byte-budget';
import type { FolderMapping } from '../../shared/folders/map-folders';
import type { MigrationOptions } from '../../shared/migration';
import type { ListedStatus, MailboxLayout } from './discover';
import type { FetchedMessage } from './fetched-message';
import type { FolderRun } from './folder-run';
import type { MovedCopies } from './imap/moved-copies';
import type { MessageRecord, StateStore } from './state-store';

/**
 * The contract between the pass loop (pass-loop.ts) and one kind of source (IMAP,
 * POP3, ...). The loop owns everything on the target side (folders, APPEND, rows,
 * checkpoints, retries, progress); a driver only reads the source. A new kind of
 * source is one driver file plus its tests.
 *
 * Read-only guarantee: a session must never change the source. The IMAP driver opens
 * folders with EXAMINE, fetches with BODY.PEEK[] and refuses every mailbox-changing
 * command before it reaches the wire (read-only-guard.ts); the POP3 driver sends only
 * an allowlist of commands (pop3/read-only-guard.ts) and never RETR unless asked.
 */
export interface SourceDriver<M extends PlannedMessage = PlannedMessage> {
  /** Sessions the source allows at once (a POP3 maildrop is locked per session); undefined: --concurrency. */
  readonly maxSessions?: number;
  /** How the report names one source message of a folder ("UID 7", "POP3 message #3"). */
  readonly label?: (uid: number) => string;
  /** Logs in; `id` names the connection in logs and errors. */
  connect(id: string): Promise<SourceSession<M>>;
  /** Releases what the driver holds across sessions (the POP3 UIDL table). */
  dispose?(): void;
}

/** A message the pass means to copy: its number in the engine's rows and its size as the source gives it. */
export interface PlannedMessage {
  uid: number;
  size: number;
}

/** What the loop hands a driver to plan one folder. */
export interface PlanContext {
  store: StateStore;
  account: string;
  mapping: FolderMapping;
  opts: MigrationOptions;
  /**
   * Target UIDNEXT when an earlier attempt of this run planned the folder: a match at or
   * above it is a copy of that attempt whose APPEND answer was lost with its connection,
   * so it counts as copied, not as "already there".
   */
  copiedFromTargetUid: number | undefined;
  /** The folder's STATUS from the pass's listing (LIST-STATUS), when the source gave one. */
  listed?: ListedStatus;
  /** The target folder's STATUS from the target's listing after the pass created its folders (target-statuses.ts), when it gave one. */
  targetListed?: Promise<ListedStatus | undefined>;
  /** Messages a planning window holds at most (a big folder is planned in windows); undefined: the driver's default. */
  window?: number;
  /** See TargetFree. */
  targetFree?: TargetFree;
  /** The pass's byte budget: bodies a plan reads to confirm a match (content-match.ts) are held under it. */
  budget?: ByteBudget;
  /** Carries moves made on the source to the copies already on the target (imap/moved-copies.ts); IMAP sources only. */
  moves?: MovedCopies;
}

/**
 * Resolves once the target connection has run the commands of the worker's earlier task
 * (the APPEND of its last chunk), and rejects with that task's error. A plan may read its
 * source meanwhile, and may queue a STATUS on the target, but awaits this before it opens
 * or reads a target folder: imapflow runs a connection's commands in order, yet an EXAMINE
 * of the earlier task's between two of the plan's would change the folder its FETCH reads.
 */
export type TargetFree = () => Promise<void>;

/**
 * Where a folder planned in windows goes on: opaque to the loop, which hands it to
 * `SourceSession.planMore` of any session once the window before has been queued.
 */
export interface PlanCursor {
  readonly run: FolderRun;
}

export interface FolderPlan<M extends PlannedMessage = PlannedMessage> {
  /** The folder's pass: counters, rows, checkpoint. */
  run: FolderRun;
  /** Still to fetch and APPEND, in the order to copy them. */
  toCopy: M[];
  warnings: ErrorInfo[];
  /** The target folder's UIDNEXT when it was planned (undefined when STATUS was not needed). */
  targetUidNext: number | undefined;
  /** The folder's next window, when this plan covers only part of it (`run.moreToPlan` is set meanwhile). */
  more?: PlanCursor;
}

/**
 * Which flags SourceSession.readFlags is asked for: those of the given messages, or (with a
 * HIGHESTMODSEQ the source gave at an earlier read) those of the messages between `first` and
 * `last` changed since, whichever messages they are.
 */
export type FlagRequest = { uids: readonly number[] } | { changedSince: bigint; first: number; last: number };

/** What SourceSession.readFlags read of a folder. */
export interface SourceFlags {
  /** By source UID; a message missing is expunged or, with `changedOnly`, unchanged. */
  flags: Map<number, string[]>;
  /**
   * Only the messages changed since the `changedSince` asked for are in `flags`. False for a
   * `changedSince` request the source could not answer (no CONDSTORE now, or a HIGHESTMODSEQ it
   * no longer reaches): then nothing was read, and the caller asks with UIDs.
   */
  changedOnly: boolean;
  /** The folder's HIGHESTMODSEQ before the flags were read (CONDSTORE); a later read may ask for changes since. */
  highestModseq?: bigint;
}

/** A slice of one folder's messages, bounded by bytes and count (makeChunks). */
export interface Chunk<M extends PlannedMessage = PlannedMessage> {
  run: FolderRun;
  messages: M[];
  bytes: number;
}

/** What fetching a chunk gave: bodies to APPEND, and outcomes decided without an APPEND. */
export interface FetchedChunk {
  items: FetchedMessage[];
  /** Skipped (too large, gone from the source, not downloadable) or found on the target. */
  settled: MessageRecord[];
  warnings: ErrorInfo[];
}

export interface SourceSession<M extends PlannedMessage = PlannedMessage> {
  /** The source's folders, delimiter and namespace prefix (POP3: its one INBOX). */
  listFolders(): Promise<MailboxLayout>;
  /**
   * How many messages a folder holds (--dry-run); with `since`, how many of them a --since
   * copy takes, where the source can tell without reading messages (IMAP; not POP3).
   */
  countMessages(folder: string, since?: Date): Promise<number>;
  /** Checks, before the target is touched, that the mapped folders can be read safely (POP3: UIDL). */
  survey?(mappings: FolderMapping[]): Promise<void>;
  /** Recognises source folders renamed since an earlier run, updating mappings and state (IMAP). */
  adoptRenames?(target: ImapFlow, store: StateStore, account: string, mappings: FolderMapping[], source: MailboxLayout, targetLayout: MailboxLayout): Promise<ErrorInfo[]>;
  /**
   * Plans one folder: checks its identity (UIDVALIDITY) against the checkpoint, lists its
   * messages above it with their metadata, leaves out what rows already settle, and
   * matches the rest by fingerprint against the target's unaccounted messages.
   */
  planFolder(target: ImapFlow, ctx: PlanContext): Promise<FolderPlan<M>>;
  /** Plans the next window of a folder whose plan returned `more`; its `run` is the folder's same run. */
  planMore?(target: ImapFlow, cursor: PlanCursor, targetFree?: TargetFree): Promise<FolderPlan<M>>;
  /**
   * Fetches a chunk's bodies (the loop holds the chunk's share of the byte budget meanwhile).
   * `targetFree` is awaited before a target folder is opened or read (POP3 reads target bodies
   * when RETR sent another size than LIST said).
   */
  fetchChunk(target: ImapFlow, chunk: Chunk<M>, targetFree?: TargetFree): Promise<FetchedChunk>;
  /**
   * The current flags of some messages of a folder (FlagRequest), read without changing
   * anything (IMAP: EXAMINE, UID FETCH (FLAGS)), so a pass can carry flag changes to their
   * copies (flag-sync.ts); undefined when the folder's identity is no longer `uidValidity`. A
   * source without flags (POP3) has no such method, and nothing is carried from it.
   */
  readFlags?(folder: string, uidValidity: number, request: FlagRequest): Promise<SourceFlags | undefined>;
  /** Warnings about a folder once all its messages are settled. */
  folderDone?(run: FolderRun): ErrorInfo[];
  /** Milliseconds of one command round trip that the server does nothing for (NOOP). */
  roundTrip?(): Promise<number>;
  /** The round trip the session's login already measured (its quickest no-work command), ms. */
  knownRoundTrip?(): number | undefined;
  close(): Promise<void>;
}
