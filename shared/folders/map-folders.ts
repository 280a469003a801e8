/**
 * Source → target folder mapping for one mailbox (文件夹映射模式: each folder to its counterpart; 统一存储模式: all into one folder).
 *
 * Pure TypeScript: no Node APIs. Deterministic: the same folders in any order give the same
 * mappings, sorted parents-first (see compareTargetPaths) so folders can be created in order.
 */
import { detectRoleByNameDetailed, relativeSegments } from './localized-names';
import { sanitizeSegment } from './sanitize';
import {
  SPECIAL_USES,
  STANDARD_ROLE_NAMES,
  foldAscii,
  hasFlag,
  isInboxName,
  specialUseFromFlags,
  type SpecialUse,
} from './special-use';

export interface SourceFolder {
  path: string;
  delimiter: string | null;
  /** Role ADVERTISED by the server (RFC 6154 / XLIST). Do not pass a name-based guess here
   *  (e.g. imapflow's specialUse with specialUseSource 'name'): name detection is done here,
   *  restricted to top-level folders and ranked below real flags. */
  specialUse?: SpecialUse;
  /** LIST attributes as returned, e.g. '\\Noselect', '\\HasChildren', '\\Sent'. */
  flags: string[];
}

export interface TargetLayout {
  delimiter: string;
  /** Personal namespace prefix: '' or 'INBOX.' (Courier/Cyrus style). */
  prefix: string;
  /** Existing target folders by role (from the target's SPECIAL-USE flags). */
  specialUse: Partial<Record<SpecialUse, string>>;
  /** Existing target paths. */
  existing: string[];
}

export interface MapOptions {
  mode: 'mapped' | 'unified';
  /** Names the unified-mode root folder. */
  sourceAddress: string;
  /** Source personal namespace prefix: '' or 'INBOX.'. */
  sourcePrefix: string;
  /** Source provider id/alias for detectRoleByName (e.g. 'netease', 'outlook'). */
  providerHint?: string;
  /** Provider of the TARGET, used to recognise its unflagged role folders in `existing`. */
  targetProviderHint?: string;
  /** Characters the target also rejects (beyond + * \ / % and its delimiter). */
  extraForbidden?: string[];
}

export type MappingReason = 'inbox' | 'special-use' | 'localized-name' | 'custom' | 'unified';

export interface FolderMapping {
  source: string;
  target: string;
  /** Set when the folder is mapped ONTO the target folder of this role. */
  role?: SpecialUse;
  /** false for \Noselect sources: create the folder (so the tree exists) but copy nothing. */
  selectable: boolean;
  /** Segments whose name changed on the way (sanitising and/or a collision suffix), original →
   *  final, for every segment of the source path carried into the target (ancestors included;
   *  in unified mode the address segment too). */
  sanitized: { segment: string; value: string }[];
  reason: MappingReason;
}

interface Node {
  src: SourceFolder;
  isInbox: boolean;
  /** Segments relative to the source personal namespace. */
  segs: string[];
  /** Source path of the parent folder (null for a top-level folder of the namespace). */
  parentPath: string | null;
  selectable: boolean;
  role?: SpecialUse;
  roleByFlag: boolean;
  roleViaHint: boolean;
}

interface Placed {
  target: string;
  sanitized: { segment: string; value: string }[];
}

function normalizePrefix(prefix: string, delimiter: string | null): string {
  if (prefix && delimiter && !prefix.endsWith(delimiter)) return prefix + delimiter;
  return prefix;
}

function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parents-first order of target paths: compared segment by segment (a parent's segments are a
 * prefix of its children's, so it sorts first); INBOX first at the top level; otherwise plain
 * code-unit order (locale-independent, hence deterministic everywhere).
 */
export function compareTargetPaths(a: string, b: string, delimiter: string): number {
  const as = a.split(delimiter);
  const bs = b.split(delimiter);
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i] ?? '';
    const y = bs[i] ?? '';
    if (x === y) continue;
    if (i === 0) {
      const xi = isInboxName(x);
      const yi = isInboxName(y);
      if (xi !== yi) return xi ? -1 : 1;
    }
    return codeUnitCompare(x, y);
  }
  return as.length - bs.length;
}

/**
 * Ancestors of the mapped target paths that are not themselves mapping targets (nor INBOX, nor
 * in `existing`), parents-first: e.g. the unified-mode root '<address>', or the parent of a
 * folder whose source parent was not listed / was \NonExistent. Create these before the
 * mappings' own targets. (RFC 3501 CREATE usually creates missing parents, not all servers do.)
 */
export function targetParents(
  mappings: readonly FolderMapping[],
  delimiter: string,
  existing: readonly string[] = [],
): string[] {
  const have = new Set<string>([...mappings.map((m) => m.target), ...existing].map(foldAscii));
  const out = new Map<string, string>();
  for (const m of mappings) {
    const segs = m.target.split(delimiter);
    for (let i = 1; i < segs.length; i++) {
      const anc = segs.slice(0, i).join(delimiter);
      const key = foldAscii(anc);
      if (isInboxName(anc) || have.has(key) || out.has(key)) continue;
      out.set(key, anc);
    }
  }
  return [...out.values()].sort((a, b) => compareTargetPaths(a, b, delimiter));
}

function buildNodes(sources: readonly SourceFolder[], opts: MapOptions): {
  nodes: Node[];
  dropped: Set<string>;
} {
  const nodes: Node[] = [];
  const dropped = new Set<string>();
  const seen = new Set<string>();
  for (const src of sources) {
    if (seen.has(src.path)) continue;
    seen.add(src.path);
    if (hasFlag(src.flags, '\\NonExistent')) {
      dropped.add(src.path);
      continue;
    }
    const isInbox = isInboxName(src.path);
    const segs = isInbox ? ['INBOX'] : relativeSegments(src.path, src.delimiter, opts.sourcePrefix);
    const parentPath =
      !isInbox && src.delimiter && segs.length > 1
        ? src.path.slice(0, src.path.length - (segs[segs.length - 1] ?? '').length - src.delimiter.length)
        : null;
    const selectable = !hasFlag(src.flags, '\\Noselect');
    const node: Node = { src, isInbox, segs, parentPath, selectable, roleByFlag: false, roleViaHint: false };
    if (!isInbox && selectable && opts.mode === 'mapped') {
      const flagged = src.specialUse ?? specialUseFromFlags(src.flags);
      if (flagged) {
        node.role = flagged;
        node.roleByFlag = true;
      } else {
        const byName = detectRoleByNameDetailed(src.path, src.delimiter, opts.sourcePrefix, opts.providerHint);
        if (byName.role) {
          node.role = byName.role;
          node.roleViaHint = byName.viaHint;
        }
      }
    }
    nodes.push(node);
  }
  return { nodes, dropped };
}

/** Target folder for a role when the target has no folder flagged with it. */
function resolveRoleTarget(role: SpecialUse, target: TargetLayout, tPrefix: string, opts: MapOptions): string | undefined {
  const flagged = target.specialUse[role];
  if (flagged) return flagged;
  // An unflagged folder that is recognisably the role (e.g. Alibaba's 已发送 on a target that
  // does not announce SPECIAL-USE): merge into it rather than create an English twin.
  const flaggedElsewhere = new Set(Object.values(target.specialUse).filter((p): p is string => !!p));
  const byName = [...target.existing]
    .filter((p) => !isInboxName(p) && !flaggedElsewhere.has(p))
    .sort(codeUnitCompare)
    .find((p) => detectRoleByNameDetailed(p, target.delimiter, target.prefix, opts.targetProviderHint).role === role);
  if (byName) return byName;
  const standard = STANDARD_ROLE_NAMES[role];
  return standard ? tPrefix + standard : undefined;
}

/**
 * Maps source folders to target folders.
 *
 * mapped mode:
 * - INBOX → INBOX.
 * - A folder with a special-use flag, else a name recognised by detectRoleByName, → the target's
 *   folder of that role; without one, an unflagged existing target folder recognised by name,
 *   else the standard English name (Sent, Drafts, Trash, Junk, Archive) under the target prefix.
 *   \All and \Flagged have no standard name: without a target folder of that role they are
 *   copied as custom folders. Sub-folders follow their parent ('Sent Items/2019' → 'Sent/2019').
 * - Several folders with one role: flagged beats name-detected, then a name from the hinted
 *   provider, then the shallower path, then code-unit order; the others stay custom folders.
 * - Other folders: source prefix stripped (Courier 'INBOX.a' → 'a'; but on a prefix-less source
 *   'INBOX/a' stays a child of INBOX), each segment sanitised, joined with the target delimiter,
 *   target prefix prepended.
 * - \Noselect → selectable=false (emitted so the tree exists, unless all its listed descendants
 *   were redirected elsewhere, e.g. Gmail's '[Gmail]'); \NonExistent → dropped (see targetParents).
 *
 * unified mode (统一存储模式): everything, INBOX included, under ONE top-level folder named after
 * the (sanitised) source address: 'INBOX' → '<addr>/INBOX', 'a/b' → '<addr>/a/b'.
 *
 * Two source folders never share a target: target paths are compared ASCII-case-insensitively
 * (many targets are case-insensitive) and later folders get ' (2)', ' (3)' … on their last
 * segment. Collision priority: INBOX, role folders, then the rest by depth and path.
 */
export function mapFolders(sources: SourceFolder[], target: TargetLayout, opts: MapOptions): FolderMapping[] {
  const tDelim = target.delimiter;
  const tPrefix = normalizePrefix(target.prefix, tDelim);
  const extra = opts.extraForbidden ?? [];
  const { nodes, dropped } = buildNodes(sources, opts);
  const byPath = new Map(nodes.map((n) => [n.src.path, n]));

  const used = new Set<string>();
  const placed = new Map<string, Placed>();
  const results = new Map<string, FolderMapping>();

  let unifiedRoot: Placed | undefined;
  if (opts.mode === 'unified') {
    const addr = opts.sourceAddress.trim();
    const s = sanitizeSegment(addr, tDelim, extra);
    unifiedRoot = {
      target: tPrefix + s.value,
      sanitized: s.changes.length ? [{ segment: addr, value: s.value }] : [],
    };
  }

  /** Final target of a placed folder, or the would-be target of an unlisted/dropped ancestor. */
  const targetOf = (path: string, delimiter: string | null): Placed => {
    const p = placed.get(path);
    if (p) return p;
    if (isInboxName(path)) {
      return unifiedRoot
        ? { target: unifiedRoot.target + tDelim + 'INBOX', sanitized: unifiedRoot.sanitized }
        : { target: 'INBOX', sanitized: [] };
    }
    const segs = relativeSegments(path, delimiter, opts.sourcePrefix);
    const last = segs[segs.length - 1] ?? '';
    const parent =
      delimiter && segs.length > 1 ? targetOf(path.slice(0, path.length - last.length - delimiter.length), delimiter) : undefined;
    const s = sanitizeSegment(last, tDelim, extra);
    const base = parent ?? unifiedRoot;
    const sanitized = [...(base?.sanitized ?? [])];
    if (s.changes.length) sanitized.push({ segment: last, value: s.value });
    return { target: base ? base.target + tDelim + s.value : tPrefix + s.value, sanitized };
  };

  const claim = (path: string): boolean => {
    const key = foldAscii(path);
    if (used.has(key)) return false;
    used.add(key);
    return true;
  };

  /** Places a folder under its parent (or the namespace / unified root), resolving collisions. */
  const placeUnderParent = (n: Node, reason: MappingReason): void => {
    const last = n.segs[n.segs.length - 1] ?? '';
    const parent = n.parentPath !== null ? targetOf(n.parentPath, n.src.delimiter) : undefined;
    const base = parent ?? unifiedRoot;
    const s = sanitizeSegment(last, tDelim, extra);
    const head = base ? base.target + tDelim : tPrefix;
    let value = s.value;
    for (let i = 2; !claim(head + value); i++) value = `${s.value} (${i})`;
    const sanitized = [...(base?.sanitized ?? [])];
    if (value !== last) sanitized.push({ segment: last, value });
    const p: Placed = { target: head + value, sanitized };
    placed.set(n.src.path, p);
    results.set(n.src.path, { source: n.src.path, target: p.target, selectable: n.selectable, sanitized, reason });
  };

  const rest: Node[] = [];
  if (opts.mode === 'unified') {
    rest.push(...nodes);
  } else {
    // 1. INBOX
    claim('INBOX');
    // Exactly one source folder is INBOX (a server listing both 'INBOX' and 'Inbox' would get
    // the second one as a custom folder, suffixed).
    const inbox = nodes.filter((n) => n.isInbox).sort((a, b) => codeUnitCompare(a.src.path, b.src.path))[0];
    if (inbox) {
      placed.set(inbox.src.path, { target: 'INBOX', sanitized: [] });
      results.set(inbox.src.path, { source: inbox.src.path, target: 'INBOX', selectable: true, sanitized: [], reason: 'inbox' });
    }
    // 2. One winner per role.
    for (const role of SPECIAL_USES) {
      const candidates = nodes
        .filter((n) => n.role === role)
        .sort(
          (a, b) =>
            Number(b.roleByFlag) - Number(a.roleByFlag) ||
            Number(b.roleViaHint) - Number(a.roleViaHint) ||
            a.segs.length - b.segs.length ||
            codeUnitCompare(a.src.path, b.src.path),
        );
      const winner = candidates[0];
      if (!winner) continue;
      const roleTarget = resolveRoleTarget(role, target, tPrefix, opts);
      if (roleTarget === undefined || !claim(roleTarget)) continue;
      placed.set(winner.src.path, { target: roleTarget, sanitized: [] });
      results.set(winner.src.path, {
        source: winner.src.path,
        target: roleTarget,
        role,
        selectable: true,
        sanitized: [],
        reason: winner.roleByFlag ? 'special-use' : 'localized-name',
      });
    }
    for (const n of nodes) if (!results.has(n.src.path)) rest.push(n);
  }

  // 3. Everything else, parents before children.
  rest.sort(
    (a, b) =>
      Number(b.isInbox) - Number(a.isInbox) ||
      a.segs.length - b.segs.length ||
      codeUnitCompare(a.src.path, b.src.path),
  );
  for (const n of rest) {
    if (unifiedRoot && n.isInbox) {
      let value = 'INBOX';
      for (let i = 2; !claim(unifiedRoot.target + tDelim + value); i++) value = `INBOX (${i})`;
      const p: Placed = { target: unifiedRoot.target + tDelim + value, sanitized: [...unifiedRoot.sanitized] };
      placed.set(n.src.path, p);
      results.set(n.src.path, { source: n.src.path, target: p.target, selectable: n.selectable, sanitized: p.sanitized, reason: 'unified' });
      continue;
    }
    placeUnderParent(n, unifiedRoot ? 'unified' : 'custom');
  }

  // \Noselect folders whose listed descendants all went elsewhere (e.g. '[Gmail]' when every
  // child is a role folder) would only leave an empty shell on the target: skip them.
  const out: FolderMapping[] = [];
  const all = [...results.values()];
  for (const m of all) {
    const n = byPath.get(m.source);
    if (n && !n.selectable && n.src.delimiter) {
      const d = n.src.delimiter;
      const hasDescendants = nodes.some((o) => o !== n && o.src.path.startsWith(n.src.path + d));
      const hasDroppedDescendants = [...dropped].some((p) => p.startsWith(n.src.path + d));
      const childUnder = all.some((o) => o !== m && o.target.startsWith(m.target + tDelim));
      if ((hasDescendants || hasDroppedDescendants) && !childUnder) continue;
    }
    out.push(m);
  }
  return out.sort((a, b) => compareTargetPaths(a.target, b.target, tDelim) || codeUnitCompare(a.source, b.source));
}
