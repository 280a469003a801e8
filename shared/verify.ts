import { z } from 'zod';
import { ErrorInfoSchema } from './errors';

/**
 * The report of an independent verify pass (搬家核验报告): both mailboxes read again and
 * matched message by message through the folder mapping. Shared by the CLI's --json, the
 * bridge and the extension, so that every consumer checks the same shape.
 */

/** One message as an admin can recognise it: its UID on the side it is listed for, and its headers. */
export const VerifyMessageSchema = z.object({
  uid: z.number().int(),
  messageId: z.string().nullable(),
  subject: z.string().nullable(),
  /** INTERNALDATE (ISO 8601): the date mail clients sort by; the Date header may be missing or wrong. */
  date: z.string().nullable(),
  /** RFC822.SIZE */
  size: z.number().int().nonnegative(),
});
export type VerifyMessage = z.infer<typeof VerifyMessageSchema>;

export const ChangeKindSchema = z.enum(['body', 'flags', 'date']);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

export const VerifyChangedSchema = z.object({
  /** source UID */
  uid: z.number().int(),
  targetUid: z.number().int(),
  what: z.array(ChangeKindSchema).min(1),
  /** flags as compared (system flags, and keywords the target can store), when flags differ */
  sourceFlags: z.array(z.string()).optional(),
  targetFlags: z.array(z.string()).optional(),
  /**
   * Metadata depth: several messages without a Message-ID share this one's Date/From/Subject/size,
   * and without their bodies which copy is whose is a guess: this flags or date difference may as
   * well be one of them missing and another one doubled (--deep tells them apart).
   */
  ambiguous: z.boolean().optional(),
});
export type VerifyChanged = z.infer<typeof VerifyChangedSchema>;

/** A source message the migration left out on purpose, with the migration's reason. */
export const VerifySkippedSchema = VerifyMessageSchema.extend({ reason: z.string() });
export type VerifySkipped = z.infer<typeof VerifySkippedSchema>;

/**
 * A copy whose bytes differ only in a way the target server is known to impose (8-bit
 * header bytes stored as 'X', a NUL byte shown as 0x80 in BODY[]). The migration warned
 * about it (MESSAGE_CHANGED); it is listed, not counted as a difference.
 */
export const RewriteKindSchema = z.enum(['header-8bit', 'nul', 'date']);
export type RewriteKind = z.infer<typeof RewriteKindSchema>;
export const VerifyRewrittenSchema = z.object({
  uid: z.number().int(),
  targetUid: z.number().int(),
  /** In English, for the CLI. */
  what: z.string(),
  /** What the target rewrote, for the UI to say in its language; absent in reports written before. */
  kinds: z.array(RewriteKindSchema).optional(),
  /** A date the target could not keep: the source's and the one it kept (ISO 8601). */
  sourceDate: z.string().optional(),
  targetDate: z.string().optional(),
});
export type VerifyRewritten = z.infer<typeof VerifyRewrittenSchema>;

/**
 * A source message that is not in its target folder but in another folder of the same target
 * mailbox (filed away on the new system since it was copied): present, so neither missing nor
 * something to copy again; listed, not counted. `uid` is the source UID.
 */
export const VerifyElsewhereSchema = VerifyMessageSchema.extend({ targetFolder: z.string(), targetUid: z.number().int() });
export type VerifyElsewhere = z.infer<typeof VerifyElsewhereSchema>;

export const VerifyFolderSchema = z.object({
  source: z.string(),
  target: z.string(),
  sourceCount: z.number().int().nonnegative(),
  targetCount: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  missing: z.array(VerifyMessageSchema),
  /** target messages no source message accounts for; uid is the target UID */
  extra: z.array(VerifyMessageSchema),
  changed: z.array(VerifyChangedSchema),
  skipped: z.array(VerifySkippedSchema).default([]),
  rewritten: z.array(VerifyRewrittenSchema).default([]),
  elsewhere: z.array(VerifyElsewhereSchema).default([]),
  /** source messages outside --since that are not on the target: not expected there */
  outOfScope: z.number().int().nonnegative().default(0),
  error: ErrorInfoSchema.optional(),
});
export type VerifyFolder = z.infer<typeof VerifyFolderSchema>;

export const VerifyTotalsSchema = z.object({
  matched: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  extra: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative().default(0),
  /** source messages found in another target folder (filed there on the new system): present, not a difference */
  elsewhere: z.number().int().nonnegative().default(0),
});
export type VerifyTotals = z.infer<typeof VerifyTotalsSchema>;

/**
 * A target folder the search for missing messages elsewhere had to leave out (one no source
 * folder maps to that the target refused to open or read): a copy the user filed there was
 * not seen, so the messages whose copy it may hold are reported missing.
 */
export const VerifyUnsearchedSchema = z.object({ folder: z.string(), reason: z.string() });
export type VerifyUnsearched = z.infer<typeof VerifyUnsearchedSchema>;

export const VerifyStatusSchema = z.enum(['verified', 'differences', 'failed']);
export type VerifyStatus = z.infer<typeof VerifyStatusSchema>;

export const VerifyAccountSchema = z.object({
  source: z.string(),
  target: z.string(),
  status: VerifyStatusSchema,
  error: ErrorInfoSchema.optional(),
  /** 'metadata' or 'deep' (bodies compared by SHA-256) */
  depth: z.enum(['metadata', 'deep']).default('metadata'),
  /** when the check ran (ISO 8601) */
  checkedAt: z.string().optional(),
  folders: z.array(VerifyFolderSchema),
  totals: VerifyTotalsSchema,
  /** absent when every folder searched could be read (and in reports written before) */
  unsearched: z.array(VerifyUnsearchedSchema).optional(),
  /** with --fix: messages copied because they were missing (the report above is the check after) */
  fixed: z.number().int().nonnegative().optional(),
});
export type VerifyAccount = z.infer<typeof VerifyAccountSchema>;

export const VerifyReportSchema = z.object({ accounts: z.array(VerifyAccountSchema) });
export type VerifyReport = z.infer<typeof VerifyReportSchema>;

/** Totals of a list of folders. */
export function verifyTotals(folders: VerifyFolder[]): VerifyTotals {
  const sum = (f: (x: VerifyFolder) => number) => folders.reduce((s, x) => s + f(x), 0);
  return {
    matched: sum((f) => f.matched),
    missing: sum((f) => f.missing.length),
    extra: sum((f) => f.extra.length),
    changed: sum((f) => f.changed.length),
    skipped: sum((f) => f.skipped.length),
    elsewhere: sum((f) => f.elsewhere.length),
  };
}

/** verified only when nothing is missing, extra or changed and no folder failed. */
export function verifyStatus(folders: VerifyFolder[]): Exclude<VerifyStatus, 'failed'> {
  const t = verifyTotals(folders);
  return t.missing + t.extra + t.changed === 0 && folders.every((f) => !f.error) ? 'verified' : 'differences';
}

/**
 * What the bridge keeps and shows of an account's last verify (monitor badge and drawer):
 * the totals and, per folder with a difference, the first entries of each list. The CLI's
 * --json has the complete lists; this travels over the WebSocket with every account update.
 */
export const VERIFY_VIEW_LIST_CAP = 20;
/** Folders with a difference shown at most (a mailbox of hundreds of folders must not make every account event huge). */
export const VERIFY_VIEW_FOLDER_CAP = 50;
/** Folders whose counts the summary carries at most, clean ones included (the printable 搬家核验报告 lists them). */
export const VERIFY_VIEW_FOLDER_COUNTS_CAP = 300;
/** A folder pair and how many of its messages each side holds and how many matched, in both per-folder lists of a summary. */
const FolderMatchCounts = {
  source: z.string(),
  target: z.string(),
  sourceCount: z.number().int().nonnegative(),
  targetCount: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
};

export const VerifySummarySchema = z.object({
  status: VerifyStatusSchema,
  depth: z.enum(['metadata', 'deep']),
  checkedAt: z.string(),
  error: ErrorInfoSchema.optional(),
  totals: VerifyTotalsSchema,
  /**
   * Copies stored with a rewriting the target is known to impose (8-bit header bytes, a date it
   * cannot keep): listed, not a difference; absent in summaries stored before they were carried.
   */
  rewrittenTotal: z.number().int().nonnegative().optional(),
  /** folders with a difference, with mail found in another target folder or with copies the target rewrote, of which `folders` holds the first VERIFY_VIEW_FOLDER_CAP */
  foldersWithDifferences: z.number().int().nonnegative().optional(),
  /**
   * The counts of every folder checked, clean ones included (the first
   * VERIFY_VIEW_FOLDER_COUNTS_CAP of `folderTotal`); absent in summaries stored before.
   */
  folderCounts: z
    .array(
      z.object({
        ...FolderMatchCounts,
        elsewhereCount: z.number().int().nonnegative().default(0),
      }),
    )
    .optional(),
  folderTotal: z.number().int().nonnegative().optional(),
  /**
   * Target folders the search for missing messages had to leave out, with why (the first
   * VERIFY_VIEW_FOLDER_CAP of `unsearchedCount`): a copy filed there is counted missing. Absent
   * when every folder could be read, and in summaries stored before they were carried.
   */
  unsearched: z.array(VerifyUnsearchedSchema).optional(),
  unsearchedCount: z.number().int().nonnegative().optional(),
  folders: z.array(
    z.object({
      ...FolderMatchCounts,
      missing: z.array(VerifyMessageSchema),
      extra: z.array(VerifyMessageSchema),
      changed: z.array(VerifyChangedSchema),
      missingCount: z.number().int().nonnegative(),
      extraCount: z.number().int().nonnegative(),
      changedCount: z.number().int().nonnegative(),
      /** absent in summaries stored before 'elsewhere' was carried */
      elsewhere: z.array(VerifyElsewhereSchema).default([]),
      elsewhereCount: z.number().int().nonnegative().default(0),
      /** absent in summaries stored before the rewritten copies were carried */
      rewritten: z.array(VerifyRewrittenSchema).default([]),
      rewrittenCount: z.number().int().nonnegative().default(0),
      error: ErrorInfoSchema.optional(),
    }),
  ),
});
export type VerifySummary = z.infer<typeof VerifySummarySchema>;

/**
 * The summary of a report: folders with a difference only, lists cut at `cap`. A folder whose
 * mail the user filed into another target folder is listed too (not a difference): an admin
 * must see where those copies went before closing the old mailbox.
 */
export function verifySummary(a: VerifyAccount, cap = VERIFY_VIEW_LIST_CAP): VerifySummary {
  // A folder with copies the target rewrote is listed too: the admin must see what the new mailbox does not hold byte for byte.
  const differing = a.folders.filter((f) => f.missing.length + f.extra.length + f.changed.length + f.elsewhere.length + f.rewritten.length > 0 || f.error);
  return {
    status: a.status,
    depth: a.depth,
    checkedAt: a.checkedAt ?? new Date().toISOString(),
    ...(a.error ? { error: a.error } : {}),
    totals: a.totals,
    rewrittenTotal: a.folders.reduce((n, f) => n + f.rewritten.length, 0),
    foldersWithDifferences: differing.length,
    folderCounts: a.folders.slice(0, VERIFY_VIEW_FOLDER_COUNTS_CAP).map((f) => ({ source: f.source, target: f.target, sourceCount: f.sourceCount, targetCount: f.targetCount, matched: f.matched, elsewhereCount: f.elsewhere.length })),
    folderTotal: a.folders.length,
    ...(a.unsearched?.length ? { unsearched: a.unsearched.slice(0, VERIFY_VIEW_FOLDER_CAP), unsearchedCount: a.unsearched.length } : {}),
    folders: differing
      .slice(0, VERIFY_VIEW_FOLDER_CAP)
      .map((f) => ({
        source: f.source,
        target: f.target,
        sourceCount: f.sourceCount,
        targetCount: f.targetCount,
        matched: f.matched,
        missing: f.missing.slice(0, cap),
        extra: f.extra.slice(0, cap),
        changed: f.changed.slice(0, cap),
        missingCount: f.missing.length,
        extraCount: f.extra.length,
        changedCount: f.changed.length,
        elsewhere: f.elsewhere.slice(0, cap),
        elsewhereCount: f.elsewhere.length,
        rewritten: f.rewritten.slice(0, cap),
        rewrittenCount: f.rewritten.length,
        ...(f.error ? { error: f.error } : {}),
      })),
  };
}
