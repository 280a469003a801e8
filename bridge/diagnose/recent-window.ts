/**
 * Does the server show only the last ~30 days of mail? Tencent, NetEase and 263 default their
 * client download range (收取范围) to 30 days (each preset's `defaultWindowDays` in
 * shared/providers/presets.ts, with the setting to change), so a migration would silently copy
 * one month of a mailbox that is years old. Pure function over what the connection test observed:
 *
 * - POP3 vs IMAP: POP3 STAT counts more inbox messages than IMAP STATUS INBOX (where POP3 is the
 *   inbox, i.e. not Gmail) → IMAP hides mail. With the oldest visible mail inside the window it is
 *   the 30-day range (RECENT_ONLY), otherwise some other limit (IMAP_FEWER_THAN_POP3).
 * - Age: all visible mail is at most ~30 days old, yet the mailbox is clearly older: messages below
 *   the lowest visible UID existed (UID gap), or a folder's UIDVALIDITY is a creation time long ago
 *   (servers such as Dovecot use the time). Either gives RECENT_ONLY 'likely'. Without such
 *   evidence, oldest mail 25–31 days old at a provider known for the 30-day default gives
 *   RECENT_ONLY 'possible'.
 * - POP3 fewer than IMAP: the POP3 range is limited (matters for a POP3 migration).
 */
import { pitfallsFor, toPitfallView, type ConnectionWarning, type ProviderPreset } from '../../shared/providers';

export const WINDOW_DAYS = 30;
const DAY = 86_400_000;
/** Visible mail at most this old counts as "inside the window" (30 days + time zones and slack). */
const WINDOW_SLACK_DAYS = 2;
/** The "window edge" band for the provider-only heuristic. */
const EDGE_FROM_DAYS = 25;
/** A UIDVALIDITY (as Unix time) older than this many days says the folder is clearly older than the window. */
const OLD_FOLDER_DAYS = WINDOW_DAYS * 2;

export interface WindowFolder {
  path: string;
  messages: number | null;
  oldest: { uid: number; internalDate: string | Date } | null;
  newest?: { uid: number; internalDate: string | Date } | null;
  uidValidity?: string | number | bigint | null;
  uidNext?: number | null;
}

export interface WindowInput {
  now: Date;
  preset?: ProviderPreset | null;
  folders: readonly WindowFolder[];
  /** STATUS MESSAGES of INBOX over IMAP. */
  imapInboxMessages: number | null;
  /** STAT over POP3, when it was checked. */
  pop3Messages?: number | null;
}

/** Counts may differ by mail arriving between the two checks; beyond this they disagree. */
export function countTolerance(n: number): number {
  return Math.max(2, Math.ceil(n * 0.02));
}

function ageDays(now: Date, d: string | Date): number {
  return (now.getTime() - new Date(d).getTime()) / DAY;
}

function uidValidityAgeDays(now: Date, v: WindowFolder['uidValidity']): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  // Plausible as a creation time: after 2000-01-01 and not in the future.
  if (!Number.isFinite(n) || n < 946_684_800 || n * 1000 > now.getTime()) return null;
  return (now.getTime() - n * 1000) / DAY;
}

const text = (en: string, zh: string) => ({ en, zh });

export function detectRecentWindow(input: WindowInput): ConnectionWarning[] {
  const { now } = input;
  const preset = input.preset ?? undefined;
  const hints = pitfallsFor(preset, 'recent-window').map(toPitfallView);
  const warnings: ConnectionWarning[] = [];

  const visible = input.folders.filter((f) => (f.messages ?? 0) > 0 && f.oldest);
  const oldestAge = visible.length ? Math.max(...visible.map((f) => ageDays(now, f.oldest!.internalDate))) : null;
  const insideWindow = oldestAge !== null && oldestAge <= WINDOW_DAYS + WINDOW_SLACK_DAYS;
  const totalVisible = visible.reduce((s, f) => s + (f.messages ?? 0), 0);

  // --- POP3 vs IMAP
  const pop = input.pop3Messages ?? null;
  const imap = input.imapInboxMessages;
  const comparable = pop !== null && imap !== null && (preset?.pop3Scope ?? 'inbox') === 'inbox';
  const popMore = comparable && pop! > imap! + countTolerance(Math.max(pop!, imap!));
  const popFewer = comparable && pop! < imap! - countTolerance(Math.max(pop!, imap!));

  // --- age evidence
  const hiddenBelow = visible.reduce((s, f) => s + Math.max(0, f.oldest!.uid - 1), 0);
  const uidGap = hiddenBelow >= Math.max(10, Math.ceil(totalVisible * 0.2));
  const oldFolders = input.folders
    .map((f) => ({ path: f.path, days: uidValidityAgeDays(now, f.uidValidity) }))
    .filter((x): x is { path: string; days: number } => x.days !== null && x.days > OLD_FOLDER_DAYS);
  const edge = oldestAge !== null && oldestAge >= EDGE_FROM_DAYS && insideWindow && (preset?.defaultWindowDays ?? null) !== null;

  const evidence: string[] = [];
  if (popMore) evidence.push('pop3-count');
  if (uidGap) evidence.push('uid-gap');
  if (oldFolders.length) evidence.push('uidvalidity-age');
  const who = preset ? preset.label : text('The old provider', '原服务商');

  if (insideWindow && (evidence.length || edge)) {
    const likely = evidence.length > 0;
    const days = Math.round(oldestAge!);
    warnings.push({
      code: 'RECENT_ONLY',
      severity: 'warning',
      message: {
        en:
          `Only recent mail is visible: the oldest message is ${days} days old` +
          (popMore ? `, and POP3 counts ${pop} messages in the inbox where IMAP shows ${imap}` : '') +
          (uidGap ? `, although ${hiddenBelow} older UIDs existed` : '') +
          (oldFolders.length ? `, although the folders were created ${Math.round(Math.max(...oldFolders.map((f) => f.days)))} days ago` : '') +
          `. ${who.en} probably limits clients to the last ${WINDOW_DAYS} days (download range); only that would be migrated. Switch the download range to all mail, wait a little, and test again.` +
          (likely ? '' : ' (Possible, not certain: the mailbox may simply be new.)'),
        zh:
          `只能看到近期邮件：最早的邮件距今 ${days} 天` +
          (popMore ? `，且 POP3 统计收件箱有 ${pop} 封而 IMAP 只显示 ${imap} 封` : '') +
          (uidGap ? `，而此前存在 ${hiddenBelow} 个更早的 UID` : '') +
          (oldFolders.length ? `，而文件夹创建于 ${Math.round(Math.max(...oldFolders.map((f) => f.days)))} 天前` : '') +
          `。${who.zh}可能只允许客户端收取最近 ${WINDOW_DAYS} 天的邮件（收取范围），搬家只会搬这些邮件。请把收取范围改为"全部"，稍候再测试。` +
          (likely ? '' : '（仅为可能：该邮箱也可能是新开的。）'),
      },
      evidence: {
        confidence: likely ? 'likely' : 'possible',
        signals: evidence.length ? evidence : ['window-edge'],
        oldestAgeDays: Math.round(oldestAge! * 10) / 10,
        imapInboxMessages: imap,
        pop3Messages: pop,
        hiddenUidsBelowOldest: hiddenBelow,
        oldFolders: oldFolders.map((f) => ({ path: f.path, ageDays: Math.round(f.days) })),
      },
      hints,
    });
  } else if (popMore) {
    warnings.push({
      code: 'IMAP_FEWER_THAN_POP3',
      severity: 'warning',
      message: {
        en: `POP3 counts ${pop} messages in the inbox but IMAP shows ${imap}: the IMAP view hides mail (a download range, folder locks or archiving). Check the client settings of the old mailbox.`,
        zh: `POP3 统计收件箱有 ${pop} 封邮件，而 IMAP 只显示 ${imap} 封：IMAP 视图隐藏了部分邮件（收取范围、文件夹锁或归档）。请检查原邮箱的客户端设置。`,
      },
      evidence: { imapInboxMessages: imap, pop3Messages: pop, oldestAgeDays: oldestAge === null ? null : Math.round(oldestAge * 10) / 10 },
      hints: [...hints, ...pitfallsFor(preset, 'missing-folders').map(toPitfallView)],
    });
  }
  if (popFewer) {
    warnings.push({
      code: 'POP3_FEWER_THAN_IMAP',
      severity: 'info',
      message: {
        en: `POP3 shows ${pop} inbox messages, IMAP ${imap}: the POP3 download range is limited. Migrate over IMAP, or switch the POP3 range to all mail before a POP3 migration.`,
        zh: `POP3 显示收件箱 ${pop} 封，IMAP 显示 ${imap} 封：POP3 收取范围受限。请使用 IMAP 搬家，或在 POP3 搬家前将收取范围改为"全部"。`,
      },
      evidence: { imapInboxMessages: imap, pop3Messages: pop },
      hints,
    });
  }
  return warnings;
}
