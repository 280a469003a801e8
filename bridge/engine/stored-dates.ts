import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import { deselect } from './target-scan';

/**
 * A copy APPENDed with an INTERNALDATE a target may not keep. Seen on the servers the tests
 * run: Dovecot 2.3 (maildir) stores a date more than two hours ahead (three, a day, 2099) as
 * the time of the APPEND, and one before 1970 as 2^32 s later (it caches an unsigned 32-bit
 * time); Cyrus wraps dates from 2106 on and refuses ones before 1970 ("Invalid date-time");
 * Courier refuses those with BAD and garbles year 9999. A stored date none of them reports.
 */
export interface DateSuspect {
  sourceFolder: string;
  folder: string;
  /** source UID (IMAP) or the engine's id of a POP3 message */
  uid: number;
  targetUid: number;
  sent: Date;
}

export interface ChangedDate extends DateSuspect {
  stored: Date;
}

/** The end of 1 January 1970 UTC: a date before it is before the epoch in some time zone. */
const EPOCH_DAY_END = Date.UTC(1970, 0, 2);
/**
 * How far ahead of now a date is still taken as kept: Dovecot keeps two hours ahead, and new
 * mail from a server whose clock runs a little fast must not cost a read-back on every pass.
 */
const AHEAD_KEPT_MS = 60 * 60_000;

/**
 * Whether a copy's date is worth reading back: before 2 January 1970, or more than an hour
 * ahead of now. Other dates every known target keeps, so the check costs nothing in an
 * ordinary mailbox.
 */
export function dateAtRisk(d: Date, now = Date.now()): boolean {
  const t = d.getTime();
  return t < EPOCH_DAY_END || t > now + AHEAD_KEPT_MS;
}

/**
 * The date offered instead of a pre-1970 one a target refused (Cyrus, Courier): the message
 * is worth more than its date, and this keeps it sorted among the oldest. Not the epoch
 * itself: both take 0 for no date at all and store the time of the APPEND.
 */
export const EARLIEST_DATE = new Date(EPOCH_DAY_END);

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const key = (folder: string, targetUid: number) => `${folder}\n${targetUid}`;

/** The target's INTERNALDATE of each suspect still there, by target folder and UID. */
export async function readStoredDates(target: ImapFlow, suspects: readonly DateSuspect[]): Promise<Map<string, Date>> {
  const byFolder = new Map<string, number[]>();
  for (const s of suspects) byFolder.set(s.folder, [...(byFolder.get(s.folder) ?? []), s.targetUid]);
  const stored = new Map<string, Date>();
  for (const [folder, uids] of byFolder) {
    await target.mailboxOpen(folder, { readOnly: true });
    try {
      for (const msg of await target.fetchAll(uids.join(','), { uid: true, internalDate: true }, { uid: true })) {
        if (msg.internalDate) stored.set(key(folder, msg.uid), new Date(msg.internalDate));
      }
    } finally {
      await deselect(target);
    }
  }
  return stored;
}

/**
 * The suspects whose INTERNALDATE differs from the date sent (to the second: an IMAP
 * date-time has no finer one) in any of `readings`, each with the last date read. Readings
 * from more than one session, since one answer is not the date a target keeps: Dovecot
 * answers the first FETCH of a new copy's INTERNALDATE from the file (the date given) and
 * caches it as 32 bits, so every later session sees another date. A copy gone from the
 * target since (deleted by its user) is not a changed date.
 */
export function changedDates(suspects: readonly DateSuspect[], readings: ReadonlyArray<ReadonlyMap<string, Date>>): ChangedDate[] {
  const changed: ChangedDate[] = [];
  for (const s of suspects) {
    const seen = readings.flatMap((r) => r.get(key(s.folder, s.targetUid)) ?? []);
    const differs = seen.filter((d) => seconds(d) !== seconds(s.sent));
    if (differs.length) changed.push({ ...s, stored: differs.at(-1)! });
  }
  return changed;
}

/**
 * Copies named one warning each, at most: a mailbox imported with broken dates can hold tens of
 * thousands (INTERNALDATE 0), and a warning each made a result of megabytes (4 MB for 12,000)
 * that a queue worker hands through Redis and the CLI prints line by line.
 */
export const MAX_DATE_WARNINGS = 50;

/**
 * One warning per copy whose date the target did not keep: copied, but sorted elsewhere by mail
 * clients. Beyond MAX_DATE_WARNINGS, one more warning per target folder counts the rest and
 * names the first and last of them.
 */
export function changedDateWarnings(changed: readonly ChangedDate[], label: (uid: number) => string = (uid) => `UID ${uid}`): ErrorInfo[] {
  const out: ErrorInfo[] = changed.slice(0, MAX_DATE_WARNINGS).map((c) => ({
    code: 'DATE_CHANGED' as const,
    side: 'target' as const,
    message: `${label(c.uid)} of "${c.sourceFolder}" was copied to "${c.folder}" (target UID ${c.targetUid}) with the date ${c.sent.toISOString()}, but the target keeps ${c.stored.toISOString()} instead: it cannot store that date. The message is there; mail clients sort it by the date the target kept.`,
    facts: { kind: 'date-changed' as const, message: label(c.uid), folder: c.sourceFolder, target: c.folder, targetUid: c.targetUid, sent: c.sent.toISOString(), stored: c.stored.toISOString() },
  }));
  const rest = new Map<string, ChangedDate[]>();
  for (const c of changed.slice(MAX_DATE_WARNINGS)) rest.set(c.folder, [...(rest.get(c.folder) ?? []), c]);
  for (const [folder, list] of rest) {
    const first = list[0]!;
    const last = list.at(-1)!;
    out.push({
      code: 'DATE_CHANGED',
      side: 'target',
      message: `${list.length} more message(s) copied to "${folder}" (target UIDs ${first.targetUid} to ${last.targetUid}) were given a date the target cannot store (before 1970 or far ahead), and it keeps another: from ${label(first.uid)} of "${first.sourceFolder}" (${first.sent.toISOString()}, kept as ${first.stored.toISOString()}) to ${label(last.uid)} of "${last.sourceFolder}". The messages are there; mail clients sort them by the dates the target kept.`,
      facts: { kind: 'dates-counted', count: list.length, folder },
    });
  }
  return out;
}
