/**
 * Folder include/exclude globs (like imapsync's --include/--exclude, but globs, not regexes).
 *
 * Semantics:
 * - Globs always use '/' as the hierarchy separator whatever the server's delimiter: the folder
 *   path is split on its own delimiter and re-joined with '/' before matching ('INBOX.Projects.A'
 *   on a '.' server is matched as 'INBOX/Projects/A').
 * - '*' matches within one level, '**' any number of levels, '?' one character, {a,b} either
 *   alternative (picomatch). Square brackets and parentheses are LITERAL, because folder names
 *   use them ('[Gmail]/All Mail', 'Sent (old)'): no [abc] classes and no extglobs. A leading
 *   '!' is literal too (no negation: that is what `exclude` is for). Escape a literal * ? { }
 *   with a backslash: 'Report \*final\*'.
 * - Case-sensitive, except INBOX (RFC 3501): 'inbox/**' matches 'INBOX/x'.
 * - A glob names exactly the folders it matches: 'Archive' matches that folder only, NOT its
 *   children; write 'Archive/**' for the folder and everything below it ('Archive/**' matches
 *   'Archive' itself as well).
 * - include empty = every folder; exclude wins over include.
 * - Names starting with '.' are matched by '*' like any other.
 * - With the optional `prefix` (personal namespace, e.g. 'INBOX.') a folder under it is ALSO
 *   tested without it, so 'Archive/**' works on Courier-style servers whose path is
 *   'INBOX.Archive'. A match of either form counts (for include and for exclude).
 *
 * Pure JS matcher (picomatch's POSIX build: no path module, no platform check; a '\' in a folder
 * name is never treated as a Windows separator), usable in the browser extension and the bridge.
 */
import picomatch from 'picomatch/posix.js';
import { foldAscii } from './folders/special-use';

type Matcher = (s: string) => boolean;

// nobracket / noextglob: '[Gmail]/All Mail' must match Gmail's folder literally (not the
// character class [Gmail]), and 'a+(b)' is a name, not an extglob.
const GLOB_OPTIONS = { dot: true, nonegate: true, nobracket: true, noextglob: true } as const;

function foldInboxHead(segments: string[]): string[] {
  if (/^inbox$/i.test(segments[0] ?? '')) {
    return ['INBOX', ...segments.slice(1)];
  }
  return segments;
}

function normalizeGlob(glob: string): string {
  const trimmed = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  return foldInboxHead(trimmed.split('/')).join('/');
}

function compile(globs: readonly string[]): Matcher[] {
  return globs
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => picomatch(normalizeGlob(g), GLOB_OPTIONS));
}

/** The '/'-separated form of a folder path that globs are matched against. */
export function toGlobPath(path: string, delimiter: string | null): string {
  const segments = delimiter ? path.split(delimiter) : [path];
  return foldInboxHead(segments).join('/');
}

function forms(path: string, delimiter: string | null, prefix?: string): string[] {
  const out = [toGlobPath(path, delimiter)];
  if (prefix) {
    const p = delimiter && !prefix.endsWith(delimiter) ? prefix + delimiter : prefix;
    if (path.length > p.length && foldAscii(path.slice(0, p.length)) === foldAscii(p)) {
      out.push(toGlobPath(path.slice(p.length), delimiter));
    }
  }
  return out;
}

/** A folder as a glob names it: '/' between levels, without the personal namespace's prefix ('INBOX.Sent' on Courier → 'Sent'). */
export function globName(path: string, delimiter: string | null, prefix?: string): string {
  const all = forms(path, delimiter, prefix);
  return all[all.length - 1]!;
}

export function folderMatcher(
  include: string[],
  exclude: string[],
): (path: string, delimiter: string | null, prefix?: string) => boolean {
  const inc = compile(include);
  const exc = compile(exclude);
  return (path, delimiter, prefix) => {
    const candidates = forms(path, delimiter, prefix);
    if (exc.some((m) => candidates.some((c) => m(c)))) return false;
    if (inc.length === 0) return true;
    return inc.some((m) => candidates.some((c) => m(c)));
  };
}

/**
 * The globs of `globs` that match none of `folders` (same forms as folderMatcher): an
 * include glob that matches nothing copies nothing of what its user meant.
 */
export function unmatchedGlobs(globs: readonly string[], folders: ReadonlyArray<{ path: string; delimiter: string | null }>, delimiter: string | null, prefix?: string): string[] {
  return globs.filter((glob) => {
    const [m] = compile([glob]);
    if (!m) return false;
    return !folders.some((f) => forms(f.path, f.delimiter ?? delimiter, prefix).some((c) => m(c)));
  });
}
