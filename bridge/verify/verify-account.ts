import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import type { VerifyAccount, VerifyFolder, VerifyMessage } from '../../shared/verify';
import { verifyStatus, verifyTotals } from '../../shared/verify';
import { ByteBudget } from '../engine/byte-budget';
import { closeQuietly, connectImap } from '../engine/connect';
import { discoverLayout } from '../engine/discover';
import { endpointProtocol } from '../engine/endpoint';
import { MigrationError, classifyError } from '../engine/errors';
import { accountKey, type AccountJob } from '../engine/account-job';
import { planMappings } from '../engine/plan-mappings';
import { guardReadOnly } from '../engine/read-only-guard';
import { skipIsFinal } from '../engine/append-refusal';
import { isDeleted } from '../engine/flags';
import { compareDigests } from './body-digest';
import { bodyHashes } from './body-hashes';
import { keywordFilter } from './flag-compare';
import { readFolderMeta, type FolderMeta, type MessageMeta } from './folder-meta';
import { matchMessages, type FolderMatch } from './match-messages';
import { readRecordedState, recordedFingerprints, skipKey } from './recorded-state';
import { Pop3Client } from '../engine/pop3/client';
import { pop3Mapping } from '../engine/pop3/migrate-pop3';
import { pop3BodyHashes, readPop3Meta } from './pop3-meta';
import type { BodyDigest } from './body-digest';

export interface VerifyOptions {
  /** also compare the bodies by SHA-256 */
  deep: boolean;
  /** the migration's state dir: its folder map and skipped messages are used when present */
  stateDir?: string;
}

export interface VerifyHooks {
  /** shared by the accounts verified at once (deep only) */
  budget?: ByteBudget;
  /** called after each folder */
  onFolder?: (account: string, folder: VerifyFolder) => void;
}

export function asVerifyMessage(m: MessageMeta): VerifyMessage {
  const t = m.internalDate.getTime();
  return { uid: m.uid, messageId: m.messageId, subject: m.subject, date: Number.isNaN(t) ? null : m.internalDate.toISOString(), size: m.size };
}

function isNo(err: unknown): err is { responseText?: string } {
  return (err as { responseStatus?: string } | null)?.responseStatus === 'NO';
}

/**
 * Reads both mailboxes of one account again and matches them folder by folder through
 * the migration's folder mapping (the one the engine recorded, else the one it would
 * compute now). Both connections are read-only (guardReadOnly: EXAMINE, FETCH with
 * BODY.PEEK), so a verify can run any time, also while the old system is still in use.
 */
export async function verifyAccount(job: AccountJob, opts: VerifyOptions, hooks: VerifyHooks = {}): Promise<VerifyAccount> {
  const checkedAt = new Date().toISOString();
  const depth = opts.deep ? 'deep' : 'metadata';
  const base = { source: job.source.user, target: job.target.user, depth, checkedAt } as const;
  const failed = (error: ErrorInfo, folders: VerifyFolder[] = []): VerifyAccount => ({ ...base, status: 'failed', error, folders, totals: verifyTotals(folders) });
  if (endpointProtocol(job.target) !== 'imap') {
    return failed({ code: 'CONFIG_INVALID', message: `The target ${job.target.user} must be an IMAP server: POP3 can only be read from.` });
  }
  const account = accountKey(job);
  if (endpointProtocol(job.source) === 'pop3') return verifyPop3(job, opts, hooks, base, failed, account);
  const folders: VerifyFolder[] = [];
  const checked: CheckedFolder[] = [];
  let src: ImapFlow | undefined;
  let tgt: ImapFlow | undefined;
  try {
    [src, tgt] = await Promise.all([
      connectImap(job.source, { side: 'source', id: 'verify-src', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
      // The target is only read as well: verify proves a migration, it never repairs one behind the admin's back.
      connectImap(job.target, { side: 'target', id: 'verify-tgt', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
    ]);
    const [srcLayout, tgtLayout] = await Promise.all([discoverLayout(src), discoverLayout(tgt)]);
    const recorded = readRecordedState(opts.stateDir, account);
    const targetPaths = new Set(tgtLayout.folders.filter((f) => !f.flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x))).map((f) => f.path));
    const budget = hooks.budget ?? new ByteBudget(job.options.budgetBytes);
    for (const mapping of planMappings(srcLayout, tgtLayout, job)) {
      if (!mapping.selectable) continue;
      const target = recorded.folderMap.get(mapping.source) ?? mapping.target;
      const imapSource = src;
      const reader: SourceReader = {
        read: () => readFolderMeta(imapSource, mapping.source, { listed: { recorded: (uidValidity, uids) => recordedFingerprints(opts.stateDir, account, mapping.source, uidValidity, uids) } }),
        hashes: (msgs) => bodyHashes(imapSource, msgs, budget, job.options.chunkBytes),
      };
      checked.push(await verifyFolder(reader, tgt, mapping.source, target, targetPaths.has(target), job, opts, budget, recorded.skips));
    }
    folders.push(...findElsewhere(checked));
    for (const folder of folders) hooks.onFolder?.(account, folder);
  } catch (err) {
    const e = classifyError(err, { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port });
    return failed(e.toInfo(), [...folders, ...checked.map((c) => c.folder)]);
  } finally {
    await Promise.all([closeQuietly(src), closeQuietly(tgt)]);
  }
  return { ...base, status: verifyStatus(folders), folders, totals: verifyTotals(folders) };
}

/** One folder's result, with the unpaired messages still as read, for matching across folders. */
interface CheckedFolder {
  folder: VerifyFolder;
  missing: MessageMeta[];
  extra: MessageMeta[];
}

/**
 * Users keep working in the new mailbox while the old one is still synced: a copy filed into
 * another folder there is missing from its own target folder and extra in the other one. It
 * is on the target, so it is neither missing (复制缺失邮件 would put a second copy back into
 * the first folder) nor extra: paired here by fingerprint (the exact header bytes first), as
 * within a folder, and listed as `elsewhere`. Only folders verify reads take part.
 */
export function findElsewhere(checked: CheckedFolder[]): VerifyFolder[] {
  // A target folder several source folders map to is read once per source folder: a message is
  // unaccounted for there only when no check of that folder paired it, and it is one copy.
  const byTarget = new Map<string, number[]>();
  checked.forEach((c, at) => byTarget.set(c.folder.target, [...(byTarget.get(c.folder.target) ?? []), at]));
  const extras = new Map<string, Array<{ at: number; meta: MessageMeta }>>();
  for (const ats of byTarget.values()) {
    const [first, ...others] = ats;
    const extraIn = others.map((at) => new Set(checked[at]!.extra.map((e) => e.uid)));
    for (const meta of checked[first!]!.extra) {
      if (!extraIn.every((uids) => uids.has(meta.uid))) continue;
      const list = extras.get(meta.fingerprint);
      if (list) list.push({ at: first!, meta });
      else extras.set(meta.fingerprint, [{ at: first!, meta }]);
    }
  }
  const taken = new Set<string>();
  const key = (at: number, meta: MessageMeta): string => `${checked[at]!.folder.target}\u0000${meta.uid}`;
  const elsewhere = checked.map(() => [] as VerifyFolder['elsewhere']);
  const stillMissing = checked.map(() => new Set<MessageMeta>());
  checked.forEach((c, at) => {
    // A folder whose target could not be read has no copies to find elsewhere by elimination.
    for (const m of c.missing) {
      const candidates = (extras.get(m.fingerprint) ?? []).filter((x) => checked[x.at]!.folder.target !== c.folder.target && !taken.has(key(x.at, x.meta)));
      const hit = candidates.find((x) => (x.meta.exact ?? x.meta.fingerprint) === (m.exact ?? m.fingerprint)) ?? candidates[0];
      if (!hit) {
        stillMissing[at]!.add(m);
        continue;
      }
      taken.add(key(hit.at, hit.meta));
      elsewhere[at]!.push({ ...asVerifyMessage(m), targetFolder: checked[hit.at]!.folder.target, targetUid: hit.meta.uid });
    }
  });
  return checked.map((c, at) => {
    if (elsewhere[at]!.length === 0 && !c.extra.some((e) => taken.has(key(at, e)))) return c.folder;
    return {
      ...c.folder,
      missing: c.missing.filter((m) => stillMissing[at]!.has(m)).map(asVerifyMessage),
      extra: c.extra.filter((e) => !taken.has(key(at, e))).map(asVerifyMessage),
      elsewhere: elsewhere[at]!,
    };
  });
}

/** How verifyFolder reads the source side: an IMAP folder or a POP3 maildrop. */
interface SourceReader {
  read(): Promise<FolderMeta>;
  hashes(messages: Array<{ uid: number; size: number }>): Promise<Map<number, BodyDigest>>;
}

/** A POP3 source: its maildrop against the target folder the migration put it in. */
async function verifyPop3(
  job: AccountJob,
  opts: VerifyOptions,
  hooks: VerifyHooks,
  base: Pick<VerifyAccount, 'source' | 'target' | 'depth' | 'checkedAt'>,
  failed: (error: ErrorInfo, folders?: VerifyFolder[]) => VerifyAccount,
  account: string,
): Promise<VerifyAccount> {
  let pop: Pop3Client | undefined;
  let tgt: ImapFlow | undefined;
  const folders: VerifyFolder[] = [];
  try {
    [pop, tgt] = await Promise.all([
      Pop3Client.connect(job.source),
      connectImap(job.target, { side: 'target', id: 'verify-tgt', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
    ]);
    const tgtLayout = await discoverLayout(tgt);
    const recorded = readRecordedState(opts.stateDir, account);
    const mapping = pop3Mapping(tgtLayout, job);
    const target = recorded.folderMap.get(mapping.source) ?? mapping.target;
    const budget = hooks.budget ?? new ByteBudget(job.options.budgetBytes);
    const popSession = pop;
    let meta: Awaited<ReturnType<typeof readPop3Meta>> | undefined;
    const reader: SourceReader = {
      read: async () => (meta = await readPop3Meta(popSession, opts.stateDir, account)),
      hashes: (msgs) => pop3BodyHashes(popSession, meta!, msgs.map((m) => m.uid), budget),
    };
    const exists = tgtLayout.folders.some((f) => f.path === target);
    const { folder } = await verifyFolder(reader, tgt, mapping.source, target, exists, job, opts, budget, recorded.skips);
    folders.push(folder);
    hooks.onFolder?.(account, folder);
  } catch (err) {
    const e = classifyError(err, { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port });
    return failed(e.toInfo(), folders);
  } finally {
    await pop?.quit().catch(() => pop?.close());
    await closeQuietly(tgt);
  }
  return { ...base, status: verifyStatus(folders), folders, totals: verifyTotals(folders) };
}

async function verifyFolder(
  src: SourceReader,
  tgt: ImapFlow,
  source: string,
  target: string,
  targetExists: boolean,
  job: AccountJob,
  opts: VerifyOptions,
  budget: ByteBudget,
  skips: Map<string, Map<number, string>>,
): Promise<CheckedFolder> {
  let error: ErrorInfo | undefined;
  // Both sides at once: each server works while the other side's answer is parsed here.
  const [srcRead, tgtRead] = await Promise.allSettled([
    src.read(),
    targetExists ? readFolderMeta(tgt, target) : Promise.resolve<FolderMeta>({ uidValidity: 0, permanentFlags: undefined, messages: [] }),
  ]);
  if (srcRead.status === 'rejected') {
    const err: unknown = srcRead.reason;
    // A folder deleted on the source since LIST: nothing to compare, and nothing the migration could copy.
    if (!isNo(err)) throw err;
    return { folder: empty(source, target, { code: 'FOLDER_NOT_FOUND', message: `Source folder "${source}" could not be opened: ${err.responseText ?? ''}` }), missing: [], extra: [] };
  }
  const srcMeta = srcRead.value;
  let tgtMeta: FolderMeta = { uidValidity: 0, permanentFlags: undefined, messages: [] };
  if (tgtRead.status === 'fulfilled') tgtMeta = tgtRead.value;
  else if (isNo(tgtRead.reason)) error = { code: 'FOLDER_NOT_FOUND', message: `Target folder "${target}" could not be opened: ${tgtRead.reason.responseText ?? ''}` };
  else throw tgtRead.reason;
  if (!targetExists) error = { code: 'FOLDER_NOT_FOUND', message: `Target folder "${target}" does not exist: every message of "${source}" is missing.` };
  const match = matchMessages(srcMeta.messages, tgtMeta.messages, {
    since: job.options.since,
    deleted: job.options.deleted,
    keywordOk: keywordFilter(tgtMeta.permanentFlags),
    recordedSkips: finalSkips(skips.get(skipKey(source, srcMeta.uidValidity)), job, srcMeta.messages),
  });
  const rewritten = [
    ...(opts.deep && !error ? await compareBodies(src, tgt, match, job, budget) : []),
    ...[...match.pairs, ...match.bodyChanged]
      .filter((p) => p.dateImposed)
      .map((p) => ({
        uid: p.source.uid,
        targetUid: p.target.uid,
        what: `date ${p.source.internalDate.toISOString()} kept by the target as ${p.target.internalDate.toISOString()}: it cannot store that date (the pass reported it, DATE_CHANGED)`,
        kinds: ['date' as const],
        sourceDate: p.source.internalDate.toISOString(),
        targetDate: p.target.internalDate.toISOString(),
      })),
  ].sort((a, b) => a.uid - b.uid);
  const changed = [...match.pairs, ...match.bodyChanged].filter((p) => p.what.length > 0).sort((a, b) => a.source.uid - b.source.uid);
  const folder: VerifyFolder = {
    source,
    target,
    sourceCount: srcMeta.messages.length,
    targetCount: tgtMeta.messages.length,
    matched: match.pairs.filter((p) => p.what.length === 0).length,
    missing: match.missing.map(asVerifyMessage),
    extra: match.extra.map(asVerifyMessage),
    changed: changed.map((p) => ({
      uid: p.source.uid,
      targetUid: p.target.uid,
      what: p.what,
      ...(p.what.includes('flags') ? { sourceFlags: p.sourceFlags, targetFlags: p.targetFlags } : {}),
    })),
    skipped: match.skipped.map((s) => ({ ...asVerifyMessage(s.meta), reason: s.reason })),
    rewritten,
    elsewhere: [],
    outOfScope: match.outOfScope,
    ...(error ? { error } : {}),
  };
  // A target folder that could not be read says nothing of where its copies went.
  return { folder, missing: error ? [] : match.missing, extra: match.extra };
}

/** --deep: the bodies of every fingerprint pair, both sides read at once; a difference adds 'body'. */
async function compareBodies(src: SourceReader, tgt: ImapFlow, match: FolderMatch, job: AccountJob, budget: ByteBudget): Promise<VerifyFolder['rewritten']> {
  if (match.pairs.length === 0) return [];
  const [srcDigests, tgtDigests] = await Promise.all([
    src.hashes(match.pairs.map((p) => p.source)),
    bodyHashes(tgt, match.pairs.map((p) => p.target), budget, job.options.chunkBytes),
  ]);
  const rewritten: VerifyFolder['rewritten'] = [];
  for (const p of match.pairs) {
    const a = srcDigests.get(p.source.uid);
    const b = tgtDigests.get(p.target.uid);
    if (!a || !b) throw new MigrationError('PROTOCOL_ERROR', `A message vanished while its body was read (source UID ${p.source.uid}, target UID ${p.target.uid}); run verify again.`);
    const c = compareDigests(a, b);
    if (c.kind === 'different') p.what.unshift('body');
    else if (c.kind === 'rewritten') rewritten.push({ uid: p.source.uid, targetUid: p.target.uid, what: c.what, kinds: c.kinds });
  }
  return rewritten;
}

/**
 * The recorded skips that excuse a message's absence: only those the migration itself holds
 * final (skipIsFinal, the rule by which its next run plans the others again: a refusal about
 * the mailbox rather than the message, a body the source did not send, --deleted skip under
 * another policy now). A message the migration still owes is missing, whatever its row says.
 */
function finalSkips(recorded: ReadonlyMap<number, string> | undefined, job: AccountJob, source: readonly MessageMeta[]): Map<number, string> {
  const out = new Map<number, string>();
  if (!recorded || recorded.size === 0) return out;
  // A --deleted skip of a message the user has un-deleted since is over: the next pass copies it
  // (plan-folder.ts asks the flags of such skips), so until then it is missing.
  const undeleted = new Set(source.filter((m) => !isDeleted(m.flags)).map((m) => m.uid));
  for (const [uid, reason] of recorded) {
    if (!skipIsFinal(reason, job.options.deleted)) continue;
    if (reason.startsWith('flagged \\Deleted') && undeleted.has(uid)) continue;
    out.set(uid, reason);
  }
  return out;
}

function empty(source: string, target: string, error: ErrorInfo): VerifyFolder {
  return { source, target, sourceCount: 0, targetCount: 0, matched: 0, missing: [], extra: [], changed: [], skipped: [], rewritten: [], elsewhere: [], outOfScope: 0, error };
}
