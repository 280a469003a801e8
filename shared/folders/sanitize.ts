/**
 * Deterministic, reversible sanitising of ONE folder-name segment for the target server.
 *
 * The target's hierarchy delimiter inside a segment would silently create a sub-folder
 * ('v1.2' on a '.'-separated target becomes 'v1' › '2'), so it is always replaced. Other
 * characters are replaced only for a target known to refuse them (extraForbidden): Alibaba
 * Mail's migration guide asks for + * \ / to be removed from folder names, and the engine
 * learns the rest from a refused CREATE (STRICT_FORBIDDEN and a few more). Names a target
 * accepts are kept exactly. Instead of dropping characters we substitute look-alikes, so the
 * user still recognises the folder and the original can be recovered:
 *
 *   the target delimiter, extraForbidden              → fullwidth form (＋ ＊ ＼ ／ ％ ． …)
 *   control characters U+0000–U+001F, U+007F          → Control Pictures (␀ … ␟, ␡)
 *   leading / trailing spaces (U+0020)                  → ␠ (each)
 *   empty segment ('a//b', trailing delimiter)          → ∅
 *
 * Non-ASCII extraForbidden characters (no fullwidth form) become U+FFFD, C1 control characters
 * U+0080–U+009F become U+FFFD too; those two cases are not reversible.
 *
 * unsanitizeSegment is the exact inverse unless the ORIGINAL segment already contained one of the
 * replacement characters (e.g. a real '＋'); FolderMapping.sanitized keeps the original segment,
 * so callers that need certainty should use that record.
 *
 * Pure TypeScript: no Node APIs.
 */

/**
 * Characters some targets refuse in names: the ones Alibaba Mail's guide lists, and the
 * IMAP LIST wildcard '%'. Replaced for targets known to need it, and after a refused CREATE.
 */
export const STRICT_FORBIDDEN = ['+', '*', '\\', '/', '%'] as const;

export const EMPTY_SEGMENT_MARK = '\u2205'; // ∅
export const EDGE_SPACE_MARK = '\u2420'; // ␠

export interface SanitizeChange {
  from: string;
  to: string;
}

export interface SanitizeResult {
  value: string;
  /** One entry per distinct substitution, in order of first occurrence. Empty = unchanged. */
  changes: SanitizeChange[];
}

function forbiddenSet(targetDelimiter: string, extraForbidden: readonly string[] = []): Set<string> {
  const set = new Set<string>();
  for (const s of [targetDelimiter, ...extraForbidden]) {
    for (const ch of s) set.add(ch);
  }
  return set;
}

/** Visible stand-in for one forbidden or control character. */
function replacementFor(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0x1f) return String.fromCodePoint(0x2400 + cp);
  if (cp === 0x7f) return '\u2421';
  if (cp === 0x20) return '\u3000';
  if (cp > 0x20 && cp < 0x7f) return String.fromCodePoint(cp + 0xfee0);
  return '\ufffd';
}

function isControl(cp: number): boolean {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

/**
 * Sanitises one segment (never a whole path) for a target whose hierarchy delimiter is
 * `targetDelimiter`. Deterministic: same input → same output.
 */
export function sanitizeSegment(
  seg: string,
  targetDelimiter: string,
  extraForbidden: readonly string[] = [],
): SanitizeResult {
  const changes: SanitizeChange[] = [];
  const seen = new Set<string>();
  const note = (from: string, to: string): void => {
    const key = `${from}\u0000${to}`;
    if (!seen.has(key)) {
      seen.add(key);
      changes.push({ from, to });
    }
  };

  if (seg === '') {
    note('', EMPTY_SEGMENT_MARK);
    return { value: EMPTY_SEGMENT_MARK, changes };
  }

  const forbidden = forbiddenSet(targetDelimiter, extraForbidden);
  const chars = Array.from(seg);
  // Leading/trailing space runs (spaces only; a segment of only spaces is all "edge").
  let lead = 0;
  while (lead < chars.length && chars[lead] === ' ') lead++;
  let trail = 0;
  while (trail < chars.length - lead && chars[chars.length - 1 - trail] === ' ') trail++;

  const out: string[] = [];
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0) ?? 0;
    let rep: string | undefined;
    if (ch === ' ' && (i < lead || i >= chars.length - trail)) rep = EDGE_SPACE_MARK;
    else if (cp >= 0x80 && cp <= 0x9f) rep = '\ufffd';
    else if (isControl(cp) || forbidden.has(ch)) rep = replacementFor(ch);
    if (rep === undefined) {
      out.push(ch);
    } else {
      note(ch, rep);
      out.push(rep);
    }
  });
  return { value: out.join(''), changes };
}

/**
 * Inverse of sanitizeSegment for the same `targetDelimiter` / `extraForbidden`. See the module
 * comment for the (rare) ambiguous cases.
 */
export function unsanitizeSegment(
  value: string,
  targetDelimiter: string,
  extraForbidden: readonly string[] = [],
): string {
  if (value === EMPTY_SEGMENT_MARK) return '';
  const reverse = new Map<string, string>();
  for (const ch of forbiddenSet(targetDelimiter, extraForbidden)) {
    const rep = replacementFor(ch);
    if (rep !== '\ufffd') reverse.set(rep, ch);
  }
  for (let cp = 0; cp <= 0x1f; cp++) reverse.set(String.fromCodePoint(0x2400 + cp), String.fromCodePoint(cp));
  reverse.set('\u2421', '\u007f');

  const chars = Array.from(value);
  let lead = 0;
  while (lead < chars.length && chars[lead] === EDGE_SPACE_MARK) lead++;
  let trail = 0;
  while (trail < chars.length - lead && chars[chars.length - 1 - trail] === EDGE_SPACE_MARK) trail++;
  return chars
    .map((ch, i) => {
      if (ch === EDGE_SPACE_MARK) return i < lead || i >= chars.length - trail ? ' ' : ch;
      return reverse.get(ch) ?? ch;
    })
    .join('');
}
