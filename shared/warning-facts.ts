import { z } from 'zod';

/**
 * The facts of a pass warning or an account error (which folder, which message, which dates)
 * as data, so that the extension states them in the reader's language; `message` is the
 * engine's English sentence for the CLI, the CSV and the log.
 */
const Iso = z.string().datetime({ offset: true });
const Uid = z.number().int().nonnegative();

/** Copies a MESSAGE_CHANGED warning's facts name at most; its count covers all of them. */
export const MAX_CHANGED_COPIES_NAMED = 20;

export const WarningFactsSchema = z.discriminatedUnion('kind', [
  /** The target refused a folder name; the folder's mail goes to `to`. */
  z.object({ kind: z.literal('folder-renamed'), from: z.string(), to: z.string() }),
  /** A source folder renamed since the last run; its copy on the target is `target`. */
  z.object({ kind: z.literal('folder-moved'), from: z.string(), to: z.string(), target: z.string() }),
  /** One copy whose date the target did not keep (`message`: "UID 4", or a POP3 UIDL). */
  z.object({ kind: z.literal('date-changed'), message: z.string(), folder: z.string(), target: z.string(), targetUid: Uid, sent: Iso, stored: Iso }),
  /** More such copies in one target folder, counted. */
  z.object({ kind: z.literal('dates-counted'), count: z.number().int().positive(), folder: z.string() }),
  /** Copies the target stored otherwise than sent: `copies` names the first of them. */
  z.object({
    kind: z.literal('message-changed'),
    count: z.number().int().positive(),
    from: z.string(),
    to: z.string(),
    copies: z.array(z.object({ message: z.string(), targetUid: Uid })).max(MAX_CHANGED_COPIES_NAMED),
  }),
  /** The error FOLDER_UNREADABLE: the source folder none of whose messages the server could read. */
  z.object({ kind: z.literal('folder-unreadable'), folder: z.string() }),
]);
export type WarningFacts = z.infer<typeof WarningFactsSchema>;
