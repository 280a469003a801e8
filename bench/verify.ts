/**
 * Correctness after each run: per folder, the multiset of (sha256 of BODY[], flags,
 * INTERNALDATE) on the target must equal the source's, through the folder mapping the tool
 * used. Differences are not hidden: each differing message is matched to its source
 * message by Message-ID and the reason is named (a header the tool added, keywords it
 * dropped, a changed internal date, a missing message), with counts and samples.
 */
import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { DovecotServer, DovecotUser } from '../test/harness/dovecot';
import { connectImap } from '../test/harness/mailbox';

export interface MessageIdentity {
  uid: number;
  /** sha256 of the exact BODY[] bytes */
  sha256: string;
  /** sha256 of the bytes after the header block (body only) */
  bodySha256: string;
  /** header field lines (unfolded), to name what changed when only headers differ */
  headerLines: string[];
  messageId: string;
  flags: string[];
  /** ms since epoch */
  internalDate: number;
  size: number;
}

/** folder path -> messages (UID order) */
export type Snapshot = Map<string, MessageIdentity[]>;

const HEADER_END = Buffer.from('\r\n\r\n');

function identify(uid: number, raw: Buffer, flags: Iterable<string>, internalDate: Date | string | undefined): MessageIdentity {
  let end = raw.indexOf(HEADER_END);
  end = end < 0 ? raw.length : end + 4;
  const headerText = raw.subarray(0, end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const headerLines = headerText.split('\r\n').filter((l) => l.length > 0);
  const mid = /^message-id:\s*(.*)$/im.exec(headerText)?.[1]?.trim();
  const date = internalDate instanceof Date ? internalDate : new Date(internalDate ?? NaN);
  return {
    uid,
    sha256: createHash('sha256').update(raw).digest('hex'),
    bodySha256: createHash('sha256').update(raw.subarray(end)).digest('hex'),
    headerLines,
    messageId: mid ?? '',
    flags: [...flags].filter((f) => f !== '\\Recent').sort(),
    internalDate: date.getTime(),
    size: raw.length,
  };
}

async function readFolder(client: ImapFlow, path: string): Promise<MessageIdentity[]> {
  const box = await client.mailboxOpen(path, { readOnly: true });
  if (!box.exists) return [];
  const out: MessageIdentity[] = [];
  for await (const msg of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
    out.push(identify(msg.uid, msg.source ?? Buffer.alloc(0), msg.flags ?? [], msg.internalDate));
  }
  return out.sort((a, b) => a.uid - b.uid);
}

/**
 * Reads every selectable folder of a mailbox (EXAMINE + BODY.PEEK[], never changes the
 * mailbox) over `connections` parallel connections, or only `only` folders.
 *
 * Every folder gets a STATUS on one connection first: Dovecot 2.3 updates its mailbox list
 * index the first time a folder is opened, and two processes doing that at once for a fresh
 * account can deadlock on dovecot.list.index.log and panic (fcntl EDEADLK, seen here).
 * A folder whose connection fails anyway is read again once on a new connection.
 */
export async function snapshot(server: DovecotServer, user: DovecotUser, opts: { connections?: number; only?: string[] } = {}): Promise<Snapshot> {
  const lister = await connectImap(server, user);
  let paths: string[];
  try {
    const list = await lister.list();
    paths = list.filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent')).map((f) => f.path);
    if (opts.only) paths = paths.filter((p) => opts.only!.includes(p));
    for (const p of paths) await lister.status(p, { messages: true });
  } finally {
    await lister.logout().catch(() => lister.close());
  }
  const result: Snapshot = new Map();
  const queue = [...paths];
  const attempts = new Map<string, number>();
  const worker = async () => {
    let client: ImapFlow | undefined;
    try {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        try {
          client ??= await connectImap(server, user);
          result.set(p, await readFolder(client, p));
        } catch (err) {
          const n = (attempts.get(p) ?? 0) + 1;
          attempts.set(p, n);
          if (n >= 2 || (client?.usable ?? false)) throw err;
          // the connection broke (an imap process died): read the folder again on a new one
          client?.close();
          client = undefined;
          queue.push(p);
        }
      }
    } finally {
      if (client?.usable) await client.logout().catch(() => client?.close());
      else client?.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.connections ?? 3, Math.max(1, paths.length)) }, worker));
  return new Map([...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface CheckResult {
  /** every mapped folder holds exactly the source's (sha256, flags, internal date) multiset and nothing is elsewhere */
  exact: boolean;
  sourceMessages: number;
  targetMessages: number;
  /** messages equal in bytes, flags and internal date */
  identical: number;
  /** source messages whose copy differs (matched by Message-ID) */
  differing: number;
  /** source messages with no copy on the target */
  missing: number;
  /** target messages that match no source message */
  extra: number;
  foldersChecked: number;
  /** source folders whose target folder does not exist */
  foldersMissing: string[];
  /** reason -> number of messages */
  reasons: Record<string, number>;
  /** a few concrete examples */
  samples: string[];
}

function multiset(msgs: MessageIdentity[]): string[] {
  return msgs.map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate}`).sort();
}

function headerDiff(src: MessageIdentity, tgt: MessageIdentity): string[] {
  const name = (l: string) => l.slice(0, Math.max(0, l.indexOf(':'))).trim();
  const srcSet = new Set(src.headerLines);
  const tgtSet = new Set(tgt.headerLines);
  const added = new Set(tgt.headerLines.filter((l) => !srcSet.has(l)).map(name));
  const removed = new Set(src.headerLines.filter((l) => !tgtSet.has(l)).map(name));
  const out: string[] = [];
  for (const h of added) out.push(removed.has(h) ? `header ${h} changed` : `header ${h} added`);
  for (const h of removed) if (!added.has(h)) out.push(`header ${h} removed`);
  if (out.length === 0) out.push('header block differs (order or whitespace)');
  return out;
}

/** Why a copy differs from its source message; empty when it is identical. */
export function differences(src: MessageIdentity, tgt: MessageIdentity): string[] {
  const out: string[] = [];
  if (src.sha256 !== tgt.sha256) {
    if (src.bodySha256 !== tgt.bodySha256) out.push('body bytes differ');
    else out.push(...headerDiff(src, tgt));
  }
  const tf = new Set(tgt.flags);
  const sf = new Set(src.flags);
  for (const f of src.flags) if (!tf.has(f)) out.push(`${f.startsWith('\\') ? 'flag' : 'keyword'} ${f} not copied`);
  for (const f of tgt.flags) if (!sf.has(f)) out.push(`${f.startsWith('\\') ? 'flag' : 'keyword'} ${f} added`);
  if (src.internalDate !== tgt.internalDate) out.push('internal date differs');
  return out;
}

/** A result with nothing counted yet. */
function emptyCheck(): CheckResult {
  return {
    exact: true,
    sourceMessages: 0,
    targetMessages: 0,
    identical: 0,
    differing: 0,
    missing: 0,
    extra: 0,
    foldersChecked: 0,
    foldersMissing: [],
    reasons: {},
    samples: [],
  };
}

/**
 * Compares a target mailbox with the source through `mapping` (source path -> target path;
 * folders not in it are compared under the same name). Target folders that are not the
 * image of a source folder must be empty.
 */
export function compareSnapshots(source: Snapshot, target: Snapshot, mapping: Map<string, string> = new Map()): CheckResult {
  const r = emptyCheck();
  const note = (reason: string, sample: string) => {
    r.reasons[reason] = (r.reasons[reason] ?? 0) + 1;
    if (r.samples.length < 8 && !r.samples.some((s) => s.startsWith(`${reason}:`))) r.samples.push(`${reason}: ${sample}`);
  };
  const used = new Set<string>();
  for (const [srcPath, srcMsgs] of source) {
    const tgtPath = mapping.get(srcPath) ?? srcPath;
    used.add(tgtPath);
    r.foldersChecked++;
    r.sourceMessages += srcMsgs.length;
    const tgtMsgs = target.get(tgtPath);
    if (!tgtMsgs) {
      r.foldersMissing.push(srcPath);
      r.exact = false;
      r.missing += srcMsgs.length;
      if (srcMsgs.length === 0) note('folder not created', `"${srcPath}" (empty on the source)`);
      for (const m of srcMsgs) note('message missing', `${srcPath}: ${m.messageId}`);
      continue;
    }
    r.targetMessages += tgtMsgs.length;
    const a = multiset(srcMsgs);
    const b = multiset(tgtMsgs);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) r.exact = false;
    // Pair by Message-ID (one occurrence each), exact matches first.
    const pending = new Map<string, MessageIdentity[]>();
    for (const t of tgtMsgs) {
      const list = pending.get(t.messageId);
      if (list) list.push(t);
      else pending.set(t.messageId, [t]);
    }
    const unmatched: MessageIdentity[] = [];
    for (const s of srcMsgs) {
      const list = pending.get(s.messageId);
      const i = list ? list.findIndex((t) => differences(s, t).length === 0) : -1;
      if (list && i >= 0) {
        list.splice(i, 1);
        r.identical++;
      } else unmatched.push(s);
    }
    for (const s of unmatched) {
      const list = pending.get(s.messageId);
      const t = list?.shift();
      if (!t) {
        r.missing++;
        note('message missing', `${srcPath}: ${s.messageId}`);
        continue;
      }
      r.differing++;
      for (const d of differences(s, t)) note(d, `${srcPath}: ${s.messageId}`);
    }
    for (const list of pending.values()) {
      for (const t of list) {
        r.extra++;
        note('extra message on the target', `${tgtPath}: ${t.messageId || t.sha256.slice(0, 12)}`);
      }
    }
  }
  for (const [tgtPath, msgs] of target) {
    if (used.has(tgtPath) || msgs.length === 0) continue;
    r.exact = false;
    r.targetMessages += msgs.length;
    r.extra += msgs.length;
    for (const t of msgs) note('message in a folder the source does not have', `${tgtPath}: ${t.messageId}`);
  }
  if (r.missing || r.extra || r.differing) r.exact = false;
  return r;
}

/** Merges several accounts' results (the batch scenario). */
export function mergeChecks(checks: CheckResult[]): CheckResult {
  const out = { ...emptyCheck(), exact: checks.every((c) => c.exact) };
  for (const c of checks) {
    out.sourceMessages += c.sourceMessages;
    out.targetMessages += c.targetMessages;
    out.identical += c.identical;
    out.differing += c.differing;
    out.missing += c.missing;
    out.extra += c.extra;
    out.foldersChecked += c.foldersChecked;
    out.foldersMissing.push(...c.foldersMissing);
    for (const [k, v] of Object.entries(c.reasons)) out.reasons[k] = (out.reasons[k] ?? 0) + v;
    for (const s of c.samples) if (out.samples.length < 8) out.samples.push(s);
  }
  return out;
}

/** One line for the table: "exact" or "4,900 of 5,000 differ: header X-TUID added (4,900), …". */
export function summarizeCheck(c: CheckResult): string {
  if (c.exact) return `exact (${c.identical} messages, ${c.foldersChecked} folders)`;
  const parts: string[] = [];
  if (c.differing) parts.push(`${c.differing} differ`);
  if (c.missing) parts.push(`${c.missing} missing`);
  if (c.extra) parts.push(`${c.extra} extra`);
  const reasons = Object.entries(c.reasons)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} (${v})`)
    .join('; ');
  return `NOT exact: ${parts.join(', ')} of ${c.sourceMessages}: ${reasons}`;
}
