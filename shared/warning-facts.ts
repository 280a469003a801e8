import { ServiceFoundSchema } from './wrong-service';
import { z } from 'zod';
import { FolderLayoutSchema } from './folders/layout';

/**
 * The facts of a pass warning or an account error (which folder, which message, which dates)
 * as data, so that the extension states them in the reader's language; `message` is the
 * engine's English sentence for the CLI, the CSV and the log.
 */
const Iso = z.string().datetime({ offset: true });
const Uid = z.number().int().nonnegative();

/** Copies a MESSAGE_CHANGED warning's facts name at most; its count covers all of them. */
export const MAX_CHANGED_COPIES_NAMED = 20;
/** Source folders a FOLDER_FILTER_UNMATCHED warning's facts name at most. */
export const MAX_FOLDERS_NAMED = 30;

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
  /** An include filter that matches no source folder: the source's folders (the first of them) to compare it with. */
  z.object({ kind: z.literal('filter-unmatched'), glob: z.string(), folders: z.array(z.string()).max(MAX_FOLDERS_NAMED), more: z.number().int().nonnegative() }),
  /** The error FOLDER_UNREADABLE: the source folder none of whose messages the server could read. */
  z.object({ kind: z.literal('folder-unreadable'), folder: z.string() }),
  /** The error ALREADY_RUNNING: the process of this machine that runs the same mailbox pair, since when. */
  z.object({ kind: z.literal('already-running'), pid: z.number().int().positive(), since: Iso }),
  /** The error CONFIG_INVALID of a run asking for another layout than the one the account's copies were made in. */
  z.object({ kind: z.literal('layout-changed'), recorded: FolderLayoutSchema, requested: FolderLayoutSchema }),
  /** The error CONFIG_INVALID of a server address whose port answered as another service (wrong-service.ts). */
  z.object({ kind: z.literal('wrong-service'), found: ServiceFoundSchema, expected: z.enum(['imap', 'pop3']) }),
]);
export type WarningFacts = z.infer<typeof WarningFactsSchema>;

/** The facts in words, per language (the extension's drawer and report, the report CSV). */
const WORDS = {
  en: {
    'folder-renamed': 'Folder {from} is {to} in the new mailbox.',
    'folder-moved': 'Folder {from} was renamed {to} on the old mailbox; its copy is {target}.',
    'date-changed': '{message} of {folder} (UID {targetUid} in {target}): sent with the date {sent}, the new mailbox keeps {stored}.',
    'dates-counted': '{count} more messages in {folder} were given dates the new mailbox cannot store.',
    'message-changed': 'Copied from {from} to {to}, {count} in all: {uids}.',
    'filter-unmatched': 'The filter "{glob}" matches none of these folders: {folders}.',
  },
  zh: {
    'folder-renamed': '文件夹 {from} 在新邮箱中为 {to}。',
    'folder-moved': '原邮箱的文件夹 {from} 已改名为 {to}；其副本为 {target}。',
    'date-changed': '{folder} 中的 {message}（新邮箱 {target} 中 UID {targetUid}）：原日期 {sent}，新邮箱保存为 {stored}。',
    'dates-counted': '{folder} 中另有 {count} 封邮件的日期新邮箱无法保存。',
    'message-changed': '从 {from} 搬到 {to}，共 {count} 封：{uids}。',
    'filter-unmatched': '筛选“{glob}”与以下文件夹均不匹配：{folders}。',
  },
} as const;

/** Between the items of a list inside a sentence: a Chinese sentence enumerates with 、. */
const LIST_SEPARATOR = { en: ', ', zh: '、' } as const;

/** How many more there are than the list names, after its "…". */
const moreCount = (n: number, lang: 'en' | 'zh'): string => (lang === 'en' ? ` (+${n})` : `（+${n}）`);

/**
 * A warning's facts as a sentence in `lang`, dates through `date` (the UI's locale format;
 * the CSV keeps ISO). Null for facts that are an error's (FOLDER_UNREADABLE, ALREADY_RUNNING, a changed layout:
 * errorMessage words them).
 */
export function factsText(f: WarningFacts, lang: 'en' | 'zh', date: (iso: string) => string = (iso) => iso): string | null {
  const fill = (template: string, values: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
  const words = WORDS[lang];
  switch (f.kind) {
    case 'folder-renamed':
      return fill(words[f.kind], { from: f.from, to: f.to });
    case 'folder-moved':
      return fill(words[f.kind], { from: f.from, to: f.to, target: f.target });
    case 'date-changed':
      return fill(words[f.kind], { message: f.message, folder: f.folder, target: f.target, targetUid: f.targetUid, sent: date(f.sent), stored: date(f.stored) });
    case 'dates-counted':
      return fill(words[f.kind], { count: f.count, folder: f.folder });
    case 'message-changed': {
      const named = f.copies.map((c) => `${c.message} → ${c.targetUid}`).join(LIST_SEPARATOR[lang]);
      const more = f.count - f.copies.length;
      return fill(words[f.kind], { count: f.count, from: f.from, to: f.to, uids: more > 0 ? `${named} …${moreCount(more, lang)}` : named });
    }
    case 'filter-unmatched':
      return fill(words[f.kind], { glob: f.glob, folders: f.more > 0 ? `${f.folders.join(LIST_SEPARATOR[lang])} …${moreCount(f.more, lang)}` : f.folders.join(LIST_SEPARATOR[lang]) });
    case 'folder-unreadable':
    case 'already-running':
    case 'layout-changed':
    case 'wrong-service':
      return null;
  }
}
