import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import type { FolderMapping } from '../../shared/folders/map-folders';
import type { MailboxLayout } from './discover';
import { FINGERPRINT_HEADERS, fingerprintsOf } from './fingerprint';
import type { FolderCheckpoint, StateStore } from './state-store';

/** How many recorded messages are compared before a folder with the old UIDVALIDITY counts as the same folder. */
const SAMPLE = 10;

/**
 * Finds source folders that were renamed since an earlier run, so that their mail is
 * not copied a second time under the new name. A rename on Dovecot and Cyrus keeps the
 * folder's UIDVALIDITY and UIDs (Courier's gets a new UIDVALIDITY, see below); a new folder with
 * the UIDVALIDITY of a folder that no longer exists, whose messages at the recorded
 * UIDs are the recorded ones (by fingerprint), is that folder. Its copy on the target is
 * renamed to the new mapping (or, when that name is already taken on the target, the
 * old copy goes on being used), and the checkpoint and message rows move to the new
 * name. Parents are looked at before their children: renaming a parent on the target
 * moves the children's copies with it. Mappings and the target layout are updated in
 * place; the returned warnings say what was recognised.
 *
 * A folder whose old name is in use again (renamed, then a new folder made under the old
 * name: 'Projects' → 'Projects-old' + a new 'Projects') is a rename too: the checkpoint of
 * 'Projects' now belongs to a folder with another UIDVALIDITY. Left alone, the renamed
 * folder was copied a second time under its new name while its first copy went on
 * receiving the new folder's mail.
 */
export async function adoptRenamedFolders(
  source: ImapFlow,
  target: ImapFlow,
  store: StateStore,
  account: string,
  mappings: FolderMapping[],
  sourceLayout: MailboxLayout,
  targetLayout: MailboxLayout,
): Promise<ErrorInfo[]> {
  const present = new Set(sourceLayout.folders.map((f) => f.path));
  if (store.checkpoints(account).length === 0) return [];
  const warnings: ErrorInfo[] = [];
  const candidates = mappings
    .filter((m) => m.selectable && !store.getCheckpoint(account, m.source))
    .sort((a, b) => a.source.split(sourceLayout.delimiter).length - b.source.split(sourceLayout.delimiter).length);
  if (candidates.length === 0) return [];
  const listed = new Map(sourceLayout.folders.flatMap((f) => (f.status ? [[f.path, f.status.uidValidity] as const] : [])));
  const asked = new Map<string, number | undefined>();
  const validityNow = async (path: string): Promise<number | undefined> => {
    const known = listed.get(path);
    if (known !== undefined) return known;
    if (!asked.has(path)) {
      const st = await source.status(path, { uidValidity: true });
      asked.set(path, st && st.uidValidity !== undefined ? Number(st.uidValidity) : undefined);
    }
    return asked.get(path);
  };
  // A folder still listed under a checkpoint's name with another UIDVALIDITY is another
  // folder when the old one was renamed away (and a new one made under its name), but the
  // same folder when only its UIDVALIDITY changed (an index rebuilt, a Courier INBOX that
  // was empty): then it still holds the recorded mail, and its checkpoint is nobody else's.
  const stillHolds = new Map<string, boolean>();
  const renamedAway = async (cp: FolderCheckpoint): Promise<boolean> => {
    if ((await validityNow(cp.sourceFolder)) === cp.uidValidity) return false;
    if (!stillHolds.has(cp.sourceFolder)) stillHolds.set(cp.sourceFolder, await holdsRecorded(source, store, account, cp));
    return !stillHolds.get(cp.sourceFolder);
  };
  for (const mapping of candidates) {
    const uidValidity = await validityNow(mapping.source);
    if (uidValidity === undefined) continue;
    // Re-read: a parent's rename may have moved the orphans' target folders, and an adopted
    // checkpoint is no longer one to compare with.
    const orphans: FolderCheckpoint[] = [];
    for (const cp of store.checkpoints(account)) {
      if (cp.sourceFolder === mapping.source) continue;
      if (!present.has(cp.sourceFolder) || (await renamedAway(cp))) orphans.push(cp);
    }
    // Same UIDVALIDITY first (Dovecot, Cyrus): the recorded UIDs still hold the recorded
    // messages. Courier gives a renamed folder a new UIDVALIDITY, so a folder whose first
    // messages are the vanished folder's is that folder too; its plan then sees the changed
    // UIDVALIDITY and matches its mail against the renamed target copy by fingerprint.
    let found: FolderCheckpoint | undefined;
    for (const orphan of [...orphans.filter((o) => o.uidValidity === uidValidity), ...orphans.filter((o) => o.uidValidity !== uidValidity)]) {
      if (await sameMessages(source, store, account, orphan, mapping.source)) {
        found = orphan;
        break;
      }
    }
    if (!found) continue;
    const targetPaths = new Set(targetLayout.folders.map((f) => f.path));
    let targetFolder = found.targetFolder;
    if (found.targetFolder !== mapping.target && targetPaths.has(found.targetFolder)) {
      if (!targetPaths.has(mapping.target) && mapping.target.toUpperCase() !== 'INBOX' && found.targetFolder.toUpperCase() !== 'INBOX' && (await renamed(target, found.targetFolder, mapping.target))) {
        renameInLayout(targetLayout, found.targetFolder, mapping.target);
        store.retargetTree(account, found.targetFolder, mapping.target, targetLayout.delimiter);
        targetFolder = mapping.target;
      } else {
        // The new name is taken, or the target would not rename: the mail goes on in the old copy.
        mapping.target = found.targetFolder;
      }
    } else {
      targetFolder = mapping.target;
    }
    store.renameSourceFolder(account, found.sourceFolder, mapping.source, targetFolder);
    warnings.push({
      code: 'FOLDER_RENAMED',
      message: `Source folder "${found.sourceFolder}" was renamed to "${mapping.source}" since the last run: its mail is not copied again, and its copy on the target is now "${targetFolder}".`,
      facts: { kind: 'folder-moved', from: found.sourceFolder, to: mapping.source, target: targetFolder },
    });
  }
  return warnings;
}

async function sameMessages(source: ImapFlow, store: StateStore, account: string, orphan: FolderCheckpoint, path: string): Promise<boolean> {
  const sample = store.sampleCopied(account, orphan.sourceFolder, orphan.uidValidity, SAMPLE);
  // Nothing recorded to compare (an empty folder, or everything filtered out): a shared
  // UIDVALIDITY alone is no proof, and adopting a wrong checkpoint would leave mail behind.
  if (sample.length === 0) return false;
  const box = await source.mailboxOpen(path, { readOnly: true });
  if (box.exists === 0) return false;
  // A rename keeps the folder's messages, so its UIDNEXT is above every recorded UID. A new
  // folder the user copied some of that mail into numbers its messages from 1 again, and on
  // Courier may even get the vanished folder's UIDVALIDITY (a creation time in seconds): its
  // first messages being that mail is no proof. Taken for the vanished folder, the old
  // folder's copy on the target was renamed to it and the old folder's other mail filed there.
  // (Courier's EXAMINE gives no UIDNEXT; its STATUS does.)
  const highest = Math.max(...sample.map((s) => s.uid));
  const uidNext = box.uidNext ?? (await source.status(path, { uidNext: true }) || undefined)?.uidNext;
  if (uidNext === undefined || Number(uidNext) <= highest) return false;
  // Dovecot and Cyrus keep the UIDs. Courier's RENAME writes a new UID list in the order of the
  // file names ("<seconds>.M<microseconds>P<pid>…", compared as text), so messages stored in the
  // same second swap places when their microseconds differ in length ("M99990" sorts after
  // "M100010"): the recorded UIDs hold the recorded messages, not necessarily each its own.
  // Only recorded messages, though: a message the vanished folder never had at a recorded UID
  // is no rename (a new folder that holds copies of some of its mail among mail of its own,
  // grown past its highest recorded UID). Taken for it, the vanished folder's checkpoint
  // passed over that mail (same UIDVALIDITY, as Cyrus and Courier give a folder made in the
  // same second) or its copy on the target was renamed and the new folder's mail filed into it.
  const fetched = (await source.fetchAll(sample.map((s) => s.uid).join(','), { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })).map((msg) => fingerprintsOf(msg.headers, msg.size ?? 0));
  const recorded = store.recordedFingerprints(account, orphan.sourceFolder, orphan.uidValidity, fetched.flat());
  if (!fetched.every((fps) => fps.some((fp) => recorded.has(fp)))) return false;
  const seen = new Set(fetched.flat());
  // Some of the sampled messages may have been deleted since; most must still be there.
  if (sample.filter((s) => seen.has(s.fingerprint)).length * 2 < sample.length) return false;
  // The sample is the lowest recorded UIDs only: a new folder holding copies of the vanished
  // folder's first SAMPLE messages and mail of its own after them passes it. Taken for the
  // vanished folder, its checkpoint (and rows) cover that mail: it is never copied on a server
  // that gave the new folder the same UIDVALIDITY. So every message at a UID the checkpoint or
  // a row covers must be the vanished folder's too. Not under another UIDVALIDITY (Courier's
  // RENAME, or a new folder on any server): its pass drops the rows and starts over, matching
  // every message against the whole target folder by fingerprint, so nothing is passed over;
  // and a Courier rename, which numbers the messages anew, puts mail that arrived after the
  // last pass at UIDs the old checkpoint covered (when some were deleted before the rename).
  if (Number(box.uidValidity) !== orphan.uidValidity) return true;
  return onlyRecorded(source, store, account, orphan, Math.max(orphan.lastUid, store.highestRecordedUid(account, orphan.sourceFolder, orphan.uidValidity), highest));
}

/** UIDs fetched at a time while the whole covered range is checked. */
const RANGE_STEP = 500;

/**
 * Whether every message of the open folder at UIDs 1..`upTo` carries a fingerprint the vanished
 * folder has a row for, or is one the vanished folder's filters left out without a row (an
 * INTERNALDATE before its --since): at UIDs its checkpoint passed, those are its only messages
 * without one.
 */
async function onlyRecorded(source: ImapFlow, store: StateStore, account: string, orphan: FolderCheckpoint, upTo: number): Promise<boolean> {
  const since = sinceOf(orphan.filterKey);
  for (let from = 1; from <= upTo; from += RANGE_STEP) {
    const to = Math.min(upTo, from + RANGE_STEP - 1);
    const msgs = (await source.fetchAll(`${from}:${to}`, { uid: true, size: true, internalDate: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })).filter((m) => m.uid >= from && m.uid <= to);
    const fps = msgs.map((m) => fingerprintsOf(m.headers, m.size ?? 0));
    const recorded = store.recordedFingerprints(account, orphan.sourceFolder, orphan.uidValidity, fps.flat());
    for (let i = 0; i < msgs.length; i++) {
      if (fps[i]!.some((fp) => recorded.has(fp))) continue;
      const date = msgs[i]!.internalDate;
      const at = date instanceof Date ? date : date !== undefined ? new Date(date) : undefined;
      if (since !== undefined && at !== undefined && at < since) continue;
      return false;
    }
  }
  return true;
}

/** The --since of a checkpoint's filter key (checkpoint.ts filterKey), if any. */
function sinceOf(key: string): Date | undefined {
  try {
    const since = (JSON.parse(key) as { since?: unknown }).since;
    return typeof since === 'string' ? new Date(since) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the folder under a checkpoint's name still holds most of the checkpoint's lowest
 * recorded messages among its first ones (found by fingerprint: a rebuilt index may number
 * them anew).
 */
async function holdsRecorded(source: ImapFlow, store: StateStore, account: string, cp: FolderCheckpoint): Promise<boolean> {
  const sample = store.sampleCopied(account, cp.sourceFolder, cp.uidValidity, SAMPLE);
  if (sample.length === 0) return false;
  const box = await source.mailboxOpen(cp.sourceFolder, { readOnly: true });
  if (box.exists === 0) return false;
  const seen = new Set<string>();
  for (const msg of await source.fetchAll(`1:${Math.min(box.exists, SAMPLE * 4)}`, { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] })) {
    for (const fp of fingerprintsOf(msg.headers, msg.size ?? 0)) seen.add(fp);
  }
  return sample.filter((s) => seen.has(s.fingerprint)).length * 2 >= sample.length;
}

/** RENAME on the target; false when the target refused it (the old copy is used instead). */
async function renamed(target: ImapFlow, from: string, to: string): Promise<boolean> {
  try {
    await target.mailboxRename(from, to);
    return true;
  } catch (err) {
    if ('responseStatus' in (err as object)) return false;
    throw err;
  }
}

function renameInLayout(layout: MailboxLayout, from: string, to: string): void {
  for (const f of layout.folders) {
    if (f.path === from) f.path = to;
    else if (f.path.startsWith(from + layout.delimiter)) f.path = to + f.path.slice(from.length);
  }
}
