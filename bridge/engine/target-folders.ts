import type { ImapFlow } from 'imapflow';
import { encodePath, enhanceCommandError, normalizePath } from 'imapflow/lib/tools.js';
import type { ErrorInfo } from '../../shared/errors';
import { compareTargetPaths, targetParents, type FolderMapping } from '../../shared/folders/map-folders';
import { STRICT_FORBIDDEN, sanitizeSegment } from '../../shared/folders/sanitize';
import type { MailboxLayout } from './discover';
import { MigrationError } from './errors';
import type { ExecResponse } from './imap-client';
import { isTemporaryRefusal } from './temporary-refusal';

export interface TargetFolderResult {
  /** Target paths that could not be created, with why. */
  failed: Map<string, ErrorInfo>;
  /** One per folder the target made us rename. */
  renamed: ErrorInfo[];
  /** Folders created by this run, to subscribe (subscribeFolders) once copying is under way. */
  toSubscribe: string[];
}

interface ServerError {
  responseStatus?: string;
  serverResponseCode?: string;
  responseText?: string;
  message?: string;
}

type Exec = (command: string, attributes: unknown[]) => Promise<ExecResponse>;

/**
 * Whether a refused CREATE may be about the name. Missing rights, a full mailbox, a
 * folder limit or a passing server fault are not: renaming would leave a look-alike
 * folder behind for a reason that goes away.
 */
function aboutTheName(err: ServerError): boolean {
  if (isTemporaryRefusal(err)) return false;
  const code = (err.serverResponseCode ?? '').toUpperCase();
  if (['NOPERM', 'OVERQUOTA', 'LIMIT', 'UNAVAILABLE', 'INUSE', 'SERVERBUG', 'CONTACTADMIN'].includes(code)) return false;
  return !/permission|denied|quota|limit|too many|unavailable|try again|temporar/i.test(err.responseText ?? '');
}

/** A CREATE refused for now fails the pass (transient): the folder is made on the retry, under its own name. */
function throttledCreate(path: string, err: ServerError): MigrationError {
  const text = (err.responseText || err.message || 'refused').trim();
  return new MigrationError('THROTTLED', `The target refused to create folder "${path}" for now: "${text}". The account is retried after a pause.`, { side: 'target', cause: err });
}

function alreadyExists(err: ServerError): boolean {
  return err.serverResponseCode === 'ALREADYEXISTS' || /exists/i.test(err.responseText ?? '');
}

/**
 * CREATE, with the folder's special use (RFC 6154 CREATE-SPECIAL-USE) when the target
 * supports it, so mail clients recognise a new Sent or Trash as such. A target that
 * refuses the USE list gets a plain CREATE. No SUBSCRIBE here (imapflow's mailboxCreate
 * sends one after every CREATE): each is a round trip, about 40 ms over the internet, and
 * the workers wait for the folders before they copy; subscribeFolders() sends them later.
 */
async function create(target: ImapFlow, path: string, use: string | undefined): Promise<void> {
  const run = (target as unknown as { exec: Exec }).exec.bind(target);
  // A refusal carries its response code (ALREADYEXISTS, NOPERM, LIMIT…) as serverResponseCode,
  // as imapflow's own commands report it: alreadyExists() and aboutTheName() read it.
  const exec: Exec = (command, attributes) =>
    run(command, attributes).catch(async (err: unknown) => {
      throw err instanceof Error && 'response' in err ? await enhanceCommandError(err as Parameters<typeof enhanceCommandError>[0]) : err;
    });
  const name = encodePath(target, normalizePath(target, path));
  if (use && target.capabilities.has('CREATE-SPECIAL-USE')) {
    try {
      const res = await exec('CREATE', [{ type: 'ATOM', value: name }, [{ type: 'ATOM', value: 'USE' }, [{ type: 'ATOM', value: use }]]]);
      res.next();
      return;
    } catch (err) {
      const e = err as ServerError;
      if (!('responseStatus' in (err as object)) || alreadyExists(e)) throw err;
      // USEATTR, or a server that parses USE but will not set it: the folder matters more than its flag.
    }
  }
  const res = await exec('CREATE', [{ type: 'ATOM', value: name }]);
  res.next();
}

/** Renames a mapping's target and every mapping below it. */
function retarget(mappings: FolderMapping[], from: string, to: string, delimiter: string, segment: string): void {
  for (const m of mappings) {
    if (m.target === from) {
      m.target = to;
      m.sanitized = [...m.sanitized, { segment, value: to.slice(to.lastIndexOf(delimiter) + 1) }];
    } else if (m.target.startsWith(from + delimiter)) {
      m.target = to + m.target.slice(from.length);
    }
  }
}

/**
 * Creates the target tree, parents first, on ONE connection (parallel CREATEs have
 * crashed Dovecot's list index). A name the target refuses is not the end: the refused
 * segment is tried again with the characters targets are known to refuse (+ * \ / %, '.',
 * '"', '&', '~') replaced by look-alikes, and when that works the mapping (and the folders
 * below it) take the new name, reported as a rename. Names a target accepts are kept
 * exactly. Mappings are updated in place. A CREATE refused for now (isTemporaryRefusal)
 * throws THROTTLED instead: the pass is retried, no folder is given up or renamed for it
 * (on the run's last chance only that folder waits for the retry, see `opts`).
 */
export async function createTargetFolders(
  target: ImapFlow,
  layout: MailboxLayout,
  mappings: FolderMapping[],
  /**
   * The run's last chance (one more failure without progress ends it): a CREATE refused for now
   * leaves its folder for the account's retry (THROTTLED, transient) and the other folders are
   * copied. A target refusing one folder so every time (words of throttling for a lasting
   * cause) would otherwise stop every pass here, before any folder is copied.
   */
  opts: { lastChance?: boolean } = {},
): Promise<TargetFolderResult> {
  const result: TargetFolderResult = { failed: new Map(), renamed: [], toSubscribe: [] };
  /** `path` is the folder left for the retry, `refused` the name the target refused for now (it or its look-alike). */
  const forNow = (path: string, refused: string, e: ServerError): void => {
    if (!opts.lastChance) throw throttledCreate(refused, e);
    const text = (e.responseText || e.message || 'refused').trim();
    result.failed.set(path, { code: 'THROTTLED', side: 'target', message: `The target refused to create folder "${refused}" for now: "${text}". Its mail is copied when the account is retried.` });
  };
  const existing = new Set(layout.folders.map((f) => f.path));
  const roleTaken = new Set(layout.folders.map((f) => f.specialUse).filter((u): u is string => !!u));
  const { delimiter } = layout;
  // Parents no mapping names (the unified root, a filtered-out parent) are created too, first.
  const wanted = () =>
    [...new Set([...targetParents(mappings, delimiter, [...existing]), ...mappings.map((m) => m.target)])].sort((a, b) => compareTargetPaths(a, b, delimiter));
  const done = new Set<string>();
  for (let next = wanted().find((p) => !done.has(p)); next !== undefined; next = wanted().find((p) => !done.has(p))) {
    const path = next;
    done.add(path);
    if (existing.has(path) || path.toUpperCase() === 'INBOX') continue;
    const mapping = mappings.find((m) => m.target === path);
    const use = mapping?.role && !roleTaken.has(mapping.role) ? mapping.role : undefined;
    try {
      await create(target, path, use);
      if (use) roleTaken.add(use);
    } catch (err) {
      const e = err as ServerError;
      if (alreadyExists(e)) {
        // Made by someone else since the listing: subscribed like the folders made here.
        existing.add(path);
        result.toSubscribe.push(path);
        continue;
      }
      if (!('responseStatus' in (err as object))) throw err;
      if (isTemporaryRefusal(e)) {
        forNow(path, path, e);
        continue;
      }
      const said = e.responseText ?? e.message ?? 'refused';
      if (!aboutTheName(e)) {
        result.failed.set(path, { code: 'FOLDER_CREATE_FAILED', message: `Could not create target folder "${path}": ${said}` });
        continue;
      }
      const cut = path.lastIndexOf(delimiter);
      const parent = cut >= 0 ? path.slice(0, cut + 1) : '';
      const segment = path.slice(parent.length);
      const safer = parent + sanitizeSegment(segment, delimiter, [...STRICT_FORBIDDEN, '.', '"', '&', '~']).value;
      if (safer !== path) {
        // An earlier run may have created the safer name already: the mail goes on there.
        let ok = existing.has(safer);
        if (!ok) {
          try {
            await create(target, safer, use);
            ok = true;
            result.toSubscribe.push(safer);
          } catch (retryErr) {
            if (!('responseStatus' in (retryErr as object))) throw retryErr;
            // Not a verdict on the safer name either: the original is tried again on the retry.
            if (isTemporaryRefusal(retryErr as ServerError)) {
              forNow(path, safer, retryErr as ServerError);
              continue;
            }
          }
        }
        if (ok) {
          retarget(mappings, path, safer, delimiter, segment);
          done.add(safer);
          existing.add(safer);
          result.renamed.push({
            code: 'FOLDER_RENAMED',
            message: `The target refused the folder name "${path}" ("${said}"); its mail goes to "${safer}" instead.`,
            facts: { kind: 'folder-renamed', from: path, to: safer },
          });
          continue;
        }
      }
      result.failed.set(path, { code: 'FOLDER_CREATE_FAILED', message: `Could not create target folder "${path}": ${said}` });
      continue;
    }
    existing.add(path);
    result.toSubscribe.push(path);
  }
  return result;
}

/**
 * SUBSCRIBEs the folders createTargetFolders made, one after another on `target`. The
 * pass starts them without waiting: they go ahead of the first worker's commands on that
 * connection while the other workers log in and plan, instead of delaying every worker.
 * Never rejects: subscription is a convenience for mail clients, the folder exists either way.
 */
export async function subscribeFolders(target: ImapFlow, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      await target.mailboxSubscribe(path);
    } catch {
      if (!target.usable) return;
    }
  }
}
