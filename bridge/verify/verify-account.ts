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
import { matchMessages, type FolderMatch, type MatchOptions } from './match-messages';
import { readRecordedState, recordedFingerprints, skipKey } from './recorded-state';
import { FilteredOutSources, filteredOutMappings, notCopiesOf } from './filtered-out';
import { UnmappedTargets } from './unmapped-targets';
import { bothOrNeither } from '../engine/both-or-neither';
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

/** The target folders no checked folder maps to, read on a target connection apart from the verify's own `tgt` where the target allows one (unmapped-targets.ts). */
function unmappedTargets(job: AccountJob, tgt: ImapFlow): UnmappedTargets {
  return new UnmappedTargets(
    () => connectImap(job.target, { side: 'target', id: 'verify-elsewhere', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
    tgt,
    { side: 'target', account: job.target.user, host: job.target.host, port: job.target.port },
  );
}

/** The report's note of the target folders the search elsewhere left out, when there are any. */
function unsearchedOf(unmapped: UnmappedTargets | undefined, filteredOut?: FilteredOutSources): Pick<VerifyAccount, 'unsearched'> {
  const unsearched = [...(unmapped?.unsearched ?? []), ...(filteredOut?.unsearched ?? [])];
  return unsearched.length > 0 ? { unsearched } : {};
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
  let filteredOut: FilteredOutSources | undefined;
  let unmapped: UnmappedTargets | undefined;
  try {
    // Both or neither: a login left open after the other failed kept the process from exiting.
    const [openedSrc, openedTgt] = await bothOrNeither(
      connectImap(job.source, { side: 'source', id: 'verify-src', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
      // The target is only read as well: verify proves a migration, it never repairs one behind the admin's back.
      connectImap(job.target, { side: 'target', id: 'verify-tgt', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
      closeQuietly,
      closeQuietly,
    );
    src = openedSrc;
    tgt = openedTgt;
    const [srcLayout, tgtLayout] = await Promise.all([discoverLayout(src), discoverLayout(tgt)]);
    unmapped = unmappedTargets(job, tgt);
    const recorded = readRecordedState(opts.stateDir, account);
    const targetPaths = new Set(tgtLayout.folders.filter((f) => !f.flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x))).map((f) => f.path));
    const budget = hooks.budget ?? new ByteBudget(job.options.budgetBytes);
    const mappings = planMappings(srcLayout, tgtLayout, job);
    const excluded = new Map<string, string[]>();
    for (const m of filteredOutMappings(srcLayout, tgtLayout, job, mappings)) {
      const target = recorded.folderMap.get(m.source) ?? m.target;
      excluded.set(target, [...(excluded.get(target) ?? []), m.source]);
    }
    filteredOut = new FilteredOutSources(
      excluded,
      () => connectImap(job.source, { side: 'source', id: 'verify-excluded', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
      { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port },
    );
    for (const mapping of mappings) {
      if (!mapping.selectable) continue;
      const target = recorded.folderMap.get(mapping.source) ?? mapping.target;
      const imapSource = src;
      const reader: SourceReader = {
        read: () => readFolderMeta(imapSource, mapping.source, { listed: { recorded: (uidValidity, uids) => recordedFingerprints(opts.stateDir, account, mapping.source, uidValidity, uids) } }),
        hashes: (msgs) => bodyHashes(imapSource, msgs, budget, job.options.chunkBytes),
      };
      const c = await verifyFolder(reader, tgt, mapping.source, target, targetPaths.has(target), job, opts, budget, recorded.skips);
      // Later, for the bodies that decide where a message without a Message-ID went: the folder opened again.
      c.sourceBodies = async (msgs) => {
        await imapSource.mailboxOpen(mapping.source, { readOnly: true });
        return bodyHashes(imapSource, msgs, budget, job.options.chunkBytes);
      };
      checked.push(c);
    }
    folders.push(...(await settleElsewhere(tgt, [...targetPaths], checked, budget, job.options.chunkBytes, unmapped, filteredOut)));
    for (const folder of folders) hooks.onFolder?.(account, folder);
  } catch (err) {
    const e = classifyError(err, { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port });
    return failed(e.toInfo(), [...folders, ...checked.map((c) => c.folder)]);
  } finally {
    await Promise.all([closeQuietly(src), closeQuietly(tgt), filteredOut?.close(), unmapped?.close()]);
  }
  return { ...base, status: verifyStatus(folders), folders, totals: verifyTotals(folders), ...unsearchedOf(unmapped, filteredOut) };
}

/** One folder's result, with the unpaired messages still as read, for matching across folders. */
export interface CheckedFolder {
  folder: VerifyFolder;
  missing: MessageMeta[];
  extra: MessageMeta[];
  /** the target folder does not exist (its messages may all be in another one, e.g. after a rename on the new system) */
  targetAbsent?: boolean;
  /** digests of some of the source folder's messages (read-only), for a message without a Message-ID found elsewhere */
  sourceBodies?: (messages: MessageMeta[]) => Promise<Map<number, BodyDigest>>;
}

/** A target folder no checked folder maps to (created on the new system, or renamed there): its messages as read. */
export interface OtherFolder {
  target: string;
  messages: MessageMeta[];
}

/** Body digests (`normalised`) that decide, for a missing message without a Message-ID, which copy elsewhere is its own. */
export interface ElsewhereBodies {
  source: Map<MessageMeta, string>;
  /** by `${target folder}\u0000${uid}` */
  target: Map<string, string>;
}

interface Candidate {
  folder: string;
  meta: MessageMeta;
}

const candidateKey = (folder: string, uid: number): string => `${folder}\u0000${uid}`;

/**
 * Per checked target folder, the copies no check of it paired. A target folder several source
 * folders map to is read once per source folder: a message is unaccounted for there only when
 * no check of that folder paired it, and it is one copy.
 */
function unpairedByTarget(checked: CheckedFolder[]): Map<string, MessageMeta[]> {
  const byTarget = new Map<string, number[]>();
  checked.forEach((c, at) => byTarget.set(c.folder.target, [...(byTarget.get(c.folder.target) ?? []), at]));
  const out = new Map<string, MessageMeta[]>();
  for (const [target, ats] of byTarget) {
    const [first, ...rest] = ats;
    const extraIn = rest.map((at) => new Set(checked[at]!.extra.map((e) => e.uid)));
    out.set(target, checked[first!]!.extra.filter((meta) => extraIn.every((uids) => uids.has(meta.uid))));
  }
  return out;
}

/**
 * The target messages a missing message may be found as, by fingerprint: the copies no check of
 * their (checked) target folder paired (`unpaired`: unpairedByTarget, or what settleElsewhere
 * left of it), then every message of the target folders no source folder maps to.
 */
function elsewherePool(checked: CheckedFolder[], others: OtherFolder[], unpaired: ReadonlyMap<string, readonly MessageMeta[]> = unpairedByTarget(checked)): Map<string, Candidate[]> {
  const pool = new Map<string, Candidate[]>();
  const add = (folder: string, meta: MessageMeta) => {
    const list = pool.get(meta.fingerprint);
    if (list) list.push({ folder, meta });
    else pool.set(meta.fingerprint, [{ folder, meta }]);
  };
  const checkedTargets = new Set(checked.map((c) => c.folder.target));
  for (const [target, metas] of unpaired) for (const meta of metas) add(target, meta);
  for (const o of others) if (!checkedTargets.has(o.target)) for (const meta of o.messages) add(o.target, meta);
  return pool;
}

/**
 * Users keep working in the new mailbox while the old one is still synced: a copy filed into
 * another folder there is missing from its own target folder and extra in the other one (or in
 * a folder only the new system has: `others`). It is on the target, so it is neither missing
 * (复制缺失邮件 would put a second copy back into the first folder) nor extra: paired here by
 * fingerprint (the exact header bytes first), as within a folder, and listed as `elsewhere`.
 * A message without a Message-ID may share its fingerprint with other messages (a robot's
 * reports of one hour): when its body was read (`bodies`), only a copy with the same body is
 * its own, each copy taken once.
 */
export function findElsewhere(
  checked: CheckedFolder[],
  others: OtherFolder[] = [],
  bodies?: ElsewhereBodies,
  /** the candidates in checked target folders, when settleElsewhere narrowed them (elsewherePool) */
  unpaired?: ReadonlyMap<string, readonly MessageMeta[]>,
): VerifyFolder[] {
  const pool = elsewherePool(checked, others, unpaired);
  const taken = new Set<string>();
  const elsewhere = checked.map(() => [] as VerifyFolder['elsewhere']);
  const stillMissing = checked.map(() => new Set<MessageMeta>());
  checked.forEach((c, at) => {
    for (const m of c.missing) {
      const body = m.messageId === null ? bodies?.source.get(m) : undefined;
      const candidates = (pool.get(m.fingerprint) ?? []).filter(
        (x) => x.folder !== c.folder.target && !taken.has(candidateKey(x.folder, x.meta.uid)) && (body === undefined || bodies!.target.get(candidateKey(x.folder, x.meta.uid)) === body),
      );
      const hit = candidates.find((x) => (x.meta.exact ?? x.meta.fingerprint) === (m.exact ?? m.fingerprint)) ?? candidates[0];
      if (!hit) {
        stillMissing[at]!.add(m);
        continue;
      }
      taken.add(candidateKey(hit.folder, hit.meta.uid));
      elsewhere[at]!.push({ ...asVerifyMessage(m), targetFolder: hit.folder, targetUid: hit.meta.uid });
    }
  });
  return checked.map((c, at) => {
    if (elsewhere[at]!.length === 0 && !c.extra.some((e) => taken.has(candidateKey(c.folder.target, e.uid)))) return c.folder;
    const missing = c.missing.filter((m) => stillMissing[at]!.has(m)).map(asVerifyMessage);
    const folder: VerifyFolder = {
      ...c.folder,
      missing,
      extra: c.extra.filter((e) => !taken.has(candidateKey(c.folder.target, e.uid))).map(asVerifyMessage),
      elsewhere: elsewhere[at]!,
    };
    if (c.targetAbsent && elsewhere[at]!.length > 0) {
      // Renamed or moved away on the new system: the mail is there, under another name.
      const where = [...new Set(elsewhere[at]!.map((e) => e.targetFolder))].map((f) => `"${f}"`).join(', ');
      if (missing.length === 0) delete folder.error;
      else folder.error = { code: 'FOLDER_NOT_FOUND', message: `Target folder "${c.folder.target}" does not exist: ${elsewhere[at]!.length} of the messages of "${c.folder.source}" are in ${where}, ${missing.length} missing.` };
    }
    return folder;
  });
}

/**
 * findElsewhere, with what it needs read first, only when something is missing: once per verify,
 * the metadata of every target folder no checked folder maps to; and the bodies of the missing
 * messages without a Message-ID that have a candidate copy, and of those candidates.
 * `filteredOut`: the source folders the filters left out, per target folder they map to
 * (filtered-out.ts). Their copies there are not another folder's lost mail: where such a target
 * folder holds a candidate for a missing message, whether it is checked too (its unpaired
 * copies) or not (all its messages), only what none of their messages accounts for stays a
 * candidate. They are read only then: most verifies never open them. One that cannot be read
 * leaves that target folder out of the search: its messages are reported missing, never found
 * on a guess. So does a target folder no checked folder maps to that cannot be read
 * (`unmapped`, which notes it for the report).
 */
async function settleElsewhere(
  tgt: ImapFlow,
  targetPaths: string[],
  checked: CheckedFolder[],
  budget: ByteBudget,
  chunkBytes: number,
  unmapped: UnmappedTargets,
  filteredOut?: FilteredOutSources,
): Promise<VerifyFolder[]> {
  if (!checked.some((c) => c.missing.length > 0)) return checked.map((c) => c.folder);
  // The checked target folders a message of each fingerprint is missing from: a copy in any
  // other target folder is a candidate for it (findElsewhere).
  const missingFrom = new Map<string, Set<string>>();
  for (const c of checked) for (const m of c.missing) missingFrom.set(m.fingerprint, (missingFrom.get(m.fingerprint) ?? new Set()).add(c.folder.target));
  const holdsCandidate = (target: string, messages: readonly MessageMeta[]) =>
    messages.some((m) => {
      const from = missingFrom.get(m.fingerprint);
      return from !== undefined && (from.size > 1 || !from.has(target));
    });
  /** `messages` of `target` less the copies of its filtered-out source folders; undefined: those could not be read. */
  const notFilteredCopies = async (target: string, messages: MessageMeta[]): Promise<MessageMeta[] | undefined> => {
    if (!filteredOut?.byTarget.has(target) || !holdsCandidate(target, messages)) return messages;
    const own = await filteredOut.messagesFor(target);
    return own && notCopiesOf(own, messages);
  };
  const unpaired = unpairedByTarget(checked);
  for (const [target, metas] of unpaired) {
    const left = await notFilteredCopies(target, metas);
    if (left) unpaired.set(target, left);
    else unpaired.delete(target);
  }
  const read = new Set(checked.map((c) => c.folder.target));
  const others: OtherFolder[] = [];
  for (const path of targetPaths) {
    if (read.has(path)) continue;
    const messages = await unmapped.messages(path);
    if (!messages) continue;
    const left = await notFilteredCopies(path, messages);
    if (left) others.push({ target: path, messages: left });
  }
  const pool = elsewherePool(checked, others, unpaired);
  const bodies: ElsewhereBodies = { source: new Map(), target: new Map() };
  const wanted = new Map<string, Map<number, MessageMeta>>();
  for (const c of checked) {
    const ask = c.missing.filter((m) => pool.get(m.fingerprint)?.some((x) => x.folder !== c.folder.target) && m.messageId === null);
    if (ask.length === 0 || !c.sourceBodies) continue;
    const digests = await c.sourceBodies(ask);
    for (const m of ask) {
      const d = digests.get(m.uid);
      // Unreadable on the source: the fingerprint alone, as before.
      if (!d) continue;
      bodies.source.set(m, d.normalised);
      for (const x of pool.get(m.fingerprint)!) {
        if (x.folder === c.folder.target) continue;
        let uids = wanted.get(x.folder);
        if (!uids) wanted.set(x.folder, (uids = new Map()));
        uids.set(x.meta.uid, x.meta);
      }
    }
  }
  for (const [folder, uids] of wanted) {
    let digests: Map<number, BodyDigest> | undefined;
    if (read.has(folder)) {
      await tgt.mailboxOpen(folder, { readOnly: true });
      digests = await bodyHashes(tgt, [...uids.values()], budget, chunkBytes);
    } else digests = await unmapped.bodies(folder, [...uids.values()], budget, chunkBytes);
    for (const [uid, d] of digests ?? []) bodies.target.set(candidateKey(folder, uid), d.normalised);
  }
  // A folder whose candidates' bodies could not be read is left out whole, like one whose
  // messages could not: its copies with a Message-ID are not found on half a search either.
  const unsearched = new Set(unmapped.unsearched.map((u) => u.folder));
  return findElsewhere(checked, others.filter((o) => !unsearched.has(o.target)), bodies, unpaired);
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
  let unmapped: UnmappedTargets | undefined;
  try {
    const [openedPop, openedTgt] = await bothOrNeither(
      Pop3Client.connect(job.source),
      connectImap(job.target, { side: 'target', id: 'verify-tgt', stallTimeoutMs: job.options.stallTimeoutMs }).then(guardReadOnly),
      (p) => p.quit().catch(() => p.close()),
      closeQuietly,
    );
    pop = openedPop;
    tgt = openedTgt;
    const tgtLayout = await discoverLayout(tgt);
    unmapped = unmappedTargets(job, tgt);
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
    const selectable = tgtLayout.folders.filter((f) => !f.flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x))).map((f) => f.path);
    const exists = tgtLayout.folders.some((f) => f.path === target);
    const checked = await verifyFolder(reader, tgt, mapping.source, target, exists, job, opts, budget, recorded.skips);
    checked.sourceBodies = (msgs) => pop3BodyHashes(popSession, meta!, msgs.map((m) => m.uid), budget);
    // Mail filed away from the maildrop's folder on the new system is there, not missing.
    const [folder] = await settleElsewhere(tgt, selectable, [checked], budget, job.options.chunkBytes, unmapped);
    folders.push(folder!);
    hooks.onFolder?.(account, folder!);
  } catch (err) {
    const e = classifyError(err, { side: 'source', account: job.source.user, host: job.source.host, port: job.source.port });
    return failed(e.toInfo(), folders);
  } finally {
    await pop?.quit().catch(() => pop?.close());
    await Promise.all([closeQuietly(tgt), unmapped?.close()]);
  }
  return { ...base, status: verifyStatus(folders), folders, totals: verifyTotals(folders), ...unsearchedOf(unmapped) };
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
  if (!targetExists) {
    // A folder made on the source since the last run: one with no message lacks nothing but itself.
    const why = srcMeta.messages.length === 0 ? `"${source}" is empty: no message is missing; the next migration run creates the folder.` : `every message of "${source}" is missing.`;
    error = { code: 'FOLDER_NOT_FOUND', message: `Target folder "${target}" does not exist: ${why}` };
  }
  const matchOpts: MatchOptions = {
    since: job.options.since,
    deleted: job.options.deleted,
    keywordOk: keywordFilter(tgtMeta.permanentFlags),
    recordedSkips: finalSkips(skips.get(skipKey(source, srcMeta.uidValidity)), job, srcMeta.messages),
  };
  let match = matchMessages(srcMeta.messages, tgtMeta.messages, matchOpts);
  let deepRewritten: VerifyFolder['rewritten'] = [];
  if (opts.deep && !error) ({ match, rewritten: deepRewritten } = await compareBodies(src, tgt, srcMeta.messages, tgtMeta.messages, match, matchOpts, job, budget));
  const rewritten = [
    ...deepRewritten,
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
      ...(p.ambiguous ? { ambiguous: true } : {}),
    })),
    skipped: match.skipped.map((s) => ({ ...asVerifyMessage(s.meta), reason: s.reason })),
    rewritten,
    elsewhere: [],
    outOfScope: match.outOfScope,
    ...(error ? { error } : {}),
  };
  // A target folder that could not be read says nothing of where its copies went; one that does
  // not exist holds none of them, so they may be in another one (renamed on the new system).
  return { folder, missing: error && targetExists ? [] : match.missing, extra: match.extra, ...(targetExists ? {} : { targetAbsent: true }) };
}

/**
 * --deep: the bodies of every fingerprint pair, both sides read at once; a difference adds 'body'.
 * Where several messages share a fingerprint (no Message-ID, same Date/From/Subject/size: a
 * robot's reports of one hour), the pairing by metadata is a guess: the bodies of that
 * fingerprint's messages on both sides are read and the folder matched again by fingerprint and
 * body, as multisets, so a changed body is reported only for a copy that matches no source
 * message's body (a byte-identical copy is never "changed"), and a surplus copy of one message is
 * not taken for another one's altered copy: that one is missing.
 */
async function compareBodies(
  src: SourceReader,
  tgt: ImapFlow,
  source: MessageMeta[],
  target: MessageMeta[],
  first: FolderMatch,
  matchOpts: MatchOptions,
  job: AccountJob,
  budget: ByteBudget,
): Promise<{ match: FolderMatch; rewritten: VerifyFolder['rewritten'] }> {
  const count = (list: MessageMeta[]) => {
    const n = new Map<string, number>();
    for (const m of list) n.set(m.fingerprint, (n.get(m.fingerprint) ?? 0) + 1);
    return n;
  };
  const srcSide = [...first.pairs.map((p) => p.source), ...first.missing];
  const tgtSide = [...first.pairs.map((p) => p.target), ...first.extra];
  const ns = count(srcSide);
  const nt = count(tgtSide);
  const shared = (fp: string) => (ns.get(fp) ?? 0) > 0 && (nt.get(fp) ?? 0) > 0 && ((ns.get(fp) ?? 0) > 1 || (nt.get(fp) ?? 0) > 1);
  const srcRead = [...first.pairs.map((p) => p.source), ...first.missing.filter((m) => shared(m.fingerprint))];
  const tgtRead = [...first.pairs.map((p) => p.target), ...first.extra.filter((m) => shared(m.fingerprint))];
  if (srcRead.length === 0) return { match: first, rewritten: [] };
  const [srcDigests, tgtDigests] = await Promise.all([src.hashes(srcRead), bodyHashes(tgt, tgtRead, budget, job.options.chunkBytes)]);
  let match = first;
  if (srcRead.some((m) => shared(m.fingerprint))) {
    const keys = new Map<MessageMeta, string>();
    for (const m of srcRead) if (shared(m.fingerprint)) {
      const d = srcDigests.get(m.uid);
      if (d) keys.set(m, d.normalised);
    }
    for (const m of tgtRead) if (shared(m.fingerprint)) {
      const d = tgtDigests.get(m.uid);
      if (d) keys.set(m, d.normalised);
    }
    match = matchMessages(source, target, { ...matchOpts, bodyKey: (m) => keys.get(m) });
  }
  const rewritten: VerifyFolder['rewritten'] = [];
  for (const p of match.pairs) {
    const a = srcDigests.get(p.source.uid);
    const b = tgtDigests.get(p.target.uid);
    if (!a || !b) throw new MigrationError('PROTOCOL_ERROR', `A message vanished while its body was read (source UID ${p.source.uid}, target UID ${p.target.uid}); run verify again.`);
    const c = compareDigests(a, b);
    if (c.kind === 'different') p.what.unshift('body');
    else if (c.kind === 'rewritten') rewritten.push({ uid: p.source.uid, targetUid: p.target.uid, what: c.what, kinds: c.kinds });
  }
  return { match, rewritten };
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
