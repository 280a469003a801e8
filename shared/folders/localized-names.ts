/**
 * Localized / provider-specific names of the special folders, kept PER PROVIDER or CLIENT so a
 * provider hint can be honoured first and so each entry can be traced to where it was seen.
 *
 * Used only when the server does not flag the folder with RFC 6154 special-use (or XLIST)
 * attributes. Names are stored as the DECODED folder name (imapflow decodes modified UTF-7, e.g.
 * NetEase's "&XfJT0ZAB-" arrives as "已发送").
 *
 * Verification legend used in the comments below:
 *   [seen]   the name appears in a real LIST response / folder listing we found
 *   [ui]     the provider's web or client UI label; not confirmed as an IMAP folder name
 *   [guess]  plausible, NOT verified — kept so detection errs towards mapping; review when a real
 *            account is available
 *
 * Pure TypeScript: no Node APIs.
 */
import { foldAscii, isInboxName, type SpecialUse } from './special-use';

export interface ProviderFolderNames {
  /** Stable id used as `providerHint`. */
  id: string;
  label: string;
  /** Other spellings accepted as `providerHint` (case-insensitive). */
  aliases?: readonly string[];
  /**
   * When set, the names are only recognised as DIRECT children of one of these top-level folders
   * (Gmail keeps its system folders under "[Gmail]" or, in the UK/DE, "[Google Mail]").
   * When absent, the names are recognised only as top-level folders.
   */
  parents?: readonly string[];
  names: Readonly<Partial<Record<SpecialUse, readonly string[]>>>;
  /**
   * Names this provider uses for folders WITHOUT a migration role (virus quarantine, ad/
   * subscription categories, Outlook's Outbox...). When this provider is the hint, such a name is
   * never given a role by another provider's table (e.g. Exchange's 发件箱 = Outbox, while several
   * Chinese webmails call their Sent folder 发件箱).
   */
  noRole?: readonly string[];
}

export const PROVIDER_FOLDER_NAMES: readonly ProviderFolderNames[] = [
  {
    id: 'aliyun',
    label: 'Alibaba Mail (阿里邮箱 / 阿里企业邮箱)',
    aliases: ['alibaba', 'alimail', 'mxhichina', 'qiye.aliyun.com', 'aliyun-personal', 'aliyun.com'],
    names: {
      '\\Sent': ['已发送'], // [seen] used by third-party webmail code against Alibaba Mail
      '\\Drafts': [
        '草稿', // [seen] "阿里企业邮实测给 \Drafts（草稿）" in third-party code; Alibaba flags it anyway
        '草稿箱', // [guess] web UI label
      ],
      '\\Trash': [
        '已删除', // [ui]
        '已删除邮件', // [guess]
      ],
      '\\Junk': ['垃圾邮件'], // [seen] "阿里企业邮的文件夹名是「垃圾邮件」"
    },
  },
  {
    id: 'tencent',
    label: 'Tencent Exmail / QQ Mail (腾讯企业邮 / QQ邮箱)',
    aliases: ['qq', 'exmail', 'exmail.qq.com', 'qqmail', 'foxmail', 'tencent-qq', 'qq.com'],
    names: {
      // [seen] QQ Mail LIST: INBOX, 其他文件夹, Sent Messages, Drafts, Deleted Messages, Junk, QQ邮件订阅
      '\\Sent': ['Sent Messages', '已发送'], // 已发送 [ui]
      '\\Drafts': ['Drafts', '草稿箱'], // 草稿箱 [ui]
      '\\Trash': ['Deleted Messages', '已删除'], // 已删除 [ui]
      // 垃圾箱 [ui]: QQ's web label of the SPAM folder. Beware: some generic Chinese clients use
      // 垃圾箱 for the trash (Group-Office zh-CN); Tencent's meaning wins here.
      '\\Junk': ['Junk', '垃圾箱'],
    },
    // [seen] 其他文件夹 is QQ's parent of user folders; QQ邮件订阅 is a subscription view.
    noRole: ['其他文件夹', 'QQ邮件订阅'],
  },
  {
    id: 'netease',
    label: 'NetEase 163/126/yeah.net and NetEase Qiye (网易邮箱 / 网易企业邮箱)',
    aliases: ['163', '126', 'yeah', 'qiye163', 'qiye.163.com', 'ym.163.com', 'netease-163', 'netease-126', 'netease-yeah', '163.com', '126.com', 'yeah.net'],
    names: {
      // [seen] imap.163.com / imap.qiye.163.com LIST: (\Drafts) "&g0l6P3ux-" 草稿箱,
      // (\Sent) "&XfJT0ZAB-" 已发送, (\Trash) "&XfJSIJZk-" 已删除, (\Junk) "&V4NXPpCuTvY-" 垃圾邮件
      '\\Sent': ['已发送'],
      '\\Drafts': ['草稿箱'],
      '\\Trash': ['已删除'],
      '\\Junk': ['垃圾邮件'],
    },
    // [seen] "&dcVr0mWHTvZZOQ-" 病毒文件夹 (no flag), 126: 病毒邮件, 广告邮件, 订阅邮件.
    // 广告邮件 (ads) and 订阅邮件 (subscriptions) are categories like Gmail's tabs, not spam:
    // they keep their own folder.
    noRole: ['病毒文件夹', '病毒邮件', '广告邮件', '订阅邮件'],
  },
  {
    id: 'coremail',
    label: 'Coremail (盈世; self-hosted enterprise/university mail)',
    aliases: ['coremail-xt', 'mailtech'],
    names: {
      // [guess] NetEase mail runs on Coremail and these are its defaults; not verified against a
      // Coremail XT server, whose deployments can rename system folders.
      '\\Sent': ['已发送'],
      '\\Drafts': ['草稿箱'],
      '\\Trash': ['已删除'],
      '\\Junk': ['垃圾邮件'],
    },
    noRole: ['病毒文件夹'], // [guess]
  },
  {
    id: '263',
    label: '263 Enterprise Mail (263企业邮箱)',
    aliases: ['263.net', 'net263'],
    names: {
      // [guess] all four: 263 web UI labels; not verified as IMAP names.
      '\\Sent': ['已发送'],
      '\\Drafts': ['草稿箱'],
      '\\Trash': ['已删除'],
      '\\Junk': ['垃圾邮件'],
    },
  },
  {
    id: 'sina',
    label: 'Sina Mail (新浪邮箱)',
    aliases: ['sina.com', 'sina.cn'],
    names: {
      // [seen] imap.sina.com LIST: 草稿夹, 已发送, 已删除, 垃圾邮件, 订阅邮件, 星标邮件, 商讯信息, 网站通知, 其它邮件
      '\\Sent': ['已发送'],
      '\\Drafts': ['草稿夹'],
      '\\Trash': ['已删除'],
      '\\Junk': ['垃圾邮件'],
      '\\Flagged': ['星标邮件'], // [guess] role: a starred-mail view judging by its name
    },
    noRole: ['订阅邮件', '商讯信息', '网站通知', '其它邮件'],
  },
  {
    id: 'sohu',
    label: 'Sohu Mail (搜狐邮箱)',
    aliases: ['sohu.com', 'vip.sohu.com'],
    names: {
      // [guess] all four: web UI labels; not verified as IMAP names.
      '\\Sent': ['已发送'],
      '\\Drafts': ['草稿箱'],
      '\\Trash': ['已删除'],
      '\\Junk': ['垃圾邮件'],
    },
  },
  {
    id: 'zhongqi',
    label: 'CE Net / Chinese hosted webmail (中企动力 and similar)',
    aliases: ['ce.net.cn', '中企动力'],
    names: {
      // [ui] Alibaba Mail's migration help (邮箱搬家) maps "发件箱→已发送" and 中企动力's migration notes call its
      // sent folder 发件箱. NOT the Outlook/Exchange meaning (Outbox): hint 'outlook' to avoid it.
      '\\Sent': ['发件箱'],
    },
  },
  {
    id: 'feishu',
    label: 'Feishu / Lark Mail (飞书邮箱)',
    aliases: ['lark', 'larksuite', 'feishu-lark'],
    names: {
      // [guess] all: Lark's mail API names its system folders SENT, DRAFT, TRASH, SPAM, ARCHIVED;
      // the IMAP names below are unverified.
      '\\Sent': ['已发送', 'Sent'],
      '\\Drafts': ['草稿', 'Drafts'],
      '\\Trash': ['已删除', 'Trash'],
      '\\Junk': ['垃圾邮件', 'Spam'],
      '\\Archive': ['归档', 'Archive'],
    },
    noRole: ['定时发送', 'Scheduled'], // [guess]
  },
  {
    id: 'gmail',
    label: 'Gmail / Google Workspace',
    aliases: ['google', 'googlemail', 'workspace', 'gsuite'],
    parents: ['[Gmail]', '[Google Mail]'],
    names: {
      // [seen] English; [seen] zh-CN listing: 垃圾邮件, 已删除邮件, 已加星标, 已发邮件, 所有邮件, 草稿, 重要
      // zh-TW entries are [guess] (Gmail's zh-TW UI labels).
      '\\Sent': ['Sent Mail', '已发邮件', '寄件備份'],
      '\\Drafts': ['Drafts', '草稿'],
      '\\Trash': ['Trash', 'Bin', '已删除邮件', '垃圾桶'], // Bin: [Google Mail]/Bin (UK)
      '\\Junk': ['Spam', '垃圾邮件', '垃圾郵件'],
      '\\All': ['All Mail', '所有邮件', '所有郵件'],
      '\\Flagged': ['Starred', '已加星标', '已加星號'],
    },
    noRole: ['Important', '重要', '重要郵件'],
  },
  {
    id: 'outlook',
    label: 'Microsoft Exchange / Office 365 / Outlook.com',
    aliases: ['exchange', 'o365', 'office365', 'microsoft', 'hotmail', 'outlook.com', 'outlook-com', 'outlook-21v', '21vianet', 'live'],
    names: {
      // [seen] Exchange/O365: Sent Items, Deleted Items, Junk Email (older: Junk E-mail), Drafts,
      // Archive; Outlook.com: Sent, Deleted, Junk. [seen] zh-CN Outlook: 已发送邮件, 已删除邮件,
      // 垃圾邮件, 草稿, 发件箱 (Outbox). 存档 [guess] (zh-CN "Archive").
      '\\Sent': ['Sent Items', 'Sent', '已发送邮件'],
      '\\Drafts': ['Drafts', '草稿'],
      '\\Trash': ['Deleted Items', 'Deleted', '已删除邮件'],
      '\\Junk': ['Junk Email', 'Junk E-mail', 'Junk', '垃圾邮件'],
      '\\Archive': ['Archive', '存档'],
    },
    noRole: [
      'Outbox',
      '发件箱',
      'Conversation History',
      '对话历史记录', // [guess]
      'Sync Issues',
      '同步问题', // [guess]
      'RSS Feeds',
      'RSS Subscriptions',
      'Notes',
      'Calendar',
      'Contacts',
      'Tasks',
      'Journal',
    ],
  },
  {
    id: 'apple',
    label: 'Apple iCloud / macOS Mail',
    aliases: ['icloud', 'me.com', 'mac'],
    names: {
      // [seen] Sent Messages, Deleted Messages (also in imapclient's popular-folder list)
      '\\Sent': ['Sent Messages'],
      '\\Drafts': ['Drafts'],
      '\\Trash': ['Deleted Messages'],
      '\\Junk': ['Junk'],
      '\\Archive': ['Archive'],
    },
  },
  {
    id: 'generic',
    label: 'Thunderbird / Dovecot / Courier defaults and common client names',
    aliases: ['thunderbird', 'dovecot', 'courier', 'cyrus', 'roundcube', '35cn'],
    names: {
      // [seen] Thunderbird/Dovecot defaults. On Courier/Cyrus they live under "INBOX." (INBOX.Sent
      // etc.), which detectRoleByName handles through the personal namespace prefix.
      '\\Sent': ['Sent', 'Sent Items', 'Sent Messages', 'Sent Mail', '已发送', '已发送邮件', '已发邮件'],
      '\\Drafts': ['Drafts', 'Draft', '草稿箱', '草稿'],
      '\\Trash': ['Trash', 'Deleted Items', 'Deleted Messages', '已删除', '已删除邮件', '回收站'],
      '\\Junk': ['Junk', 'Spam', 'Junk E-mail', 'Junk Email', '垃圾邮件'],
      '\\Archive': ['Archive', 'Archives', '归档', '存档'], // 归档/存档 [guess]
    },
  },
];

interface RoleMatch {
  role: SpecialUse | undefined;
  /** true when the hinted provider's table decided (matched or explicitly no role). */
  viaHint: boolean;
}

function normalizeName(name: string): string {
  return foldAscii(name.normalize('NFC'));
}

/** Precomputed lookups: provider → (normalized name → role | null for noRole). */
const INDEX = new Map<ProviderFolderNames, Map<string, SpecialUse | null>>();
for (const table of PROVIDER_FOLDER_NAMES) {
  const m = new Map<string, SpecialUse | null>();
  for (const name of table.noRole ?? []) m.set(normalizeName(name), null);
  for (const [role, names] of Object.entries(table.names) as [SpecialUse, readonly string[]][]) {
    for (const name of names) m.set(normalizeName(name), role);
  }
  INDEX.set(table, m);
}

/** Finds a provider table by id or alias (case-insensitive). */
export function findProvider(hint: string | undefined): ProviderFolderNames | undefined {
  if (!hint) return undefined;
  const h = foldAscii(hint.trim());
  return PROVIDER_FOLDER_NAMES.find(
    (t) => foldAscii(t.id) === h || (t.aliases ?? []).some((a) => foldAscii(a) === h),
  );
}

/**
 * Path segments relative to the personal namespace prefix ('' or e.g. 'INBOX.').
 * The prefix is compared ASCII-case-insensitively ('inbox.' = 'INBOX.'); a prefix given without
 * its trailing delimiter ('INBOX') is completed. A path outside the prefix is taken whole.
 */
export function relativeSegments(path: string, delimiter: string | null, prefix: string): string[] {
  let p = prefix;
  if (p && delimiter && !p.endsWith(delimiter)) p += delimiter;
  let rel = path;
  if (p && path.length > p.length && foldAscii(path.slice(0, p.length)) === foldAscii(p)) {
    rel = path.slice(p.length);
  }
  return delimiter ? rel.split(delimiter) : [rel];
}

function matchTable(table: ProviderFolderNames, segs: readonly string[]): SpecialUse | null | undefined {
  const index = INDEX.get(table);
  if (!index) return undefined;
  if (table.parents) {
    if (segs.length !== 2) return undefined;
    const parent = foldAscii(segs[0] ?? '');
    if (!table.parents.some((p) => foldAscii(p) === parent)) return undefined;
    return index.get(normalizeName(segs[1] ?? ''));
  }
  if (segs.length !== 1) return undefined;
  return index.get(normalizeName(segs[0] ?? ''));
}

/** detectRoleByName plus whether the hinted provider decided it (used to rank candidates). */
export function detectRoleByNameDetailed(
  path: string,
  delimiter: string | null,
  prefix: string,
  providerHint?: string,
): RoleMatch {
  const segs = relativeSegments(path, delimiter, prefix);
  if (segs.length === 1 && isInboxName(segs[0] ?? '')) return { role: undefined, viaHint: false };
  const hinted = findProvider(providerHint);
  if (hinted) {
    const r = matchTable(hinted, segs);
    if (r !== undefined) return { role: r ?? undefined, viaHint: true };
  }
  for (const table of PROVIDER_FOLDER_NAMES) {
    if (table === hinted) continue;
    const r = matchTable(table, segs);
    if (r) return { role: r, viaHint: false };
  }
  return { role: undefined, viaHint: false };
}

/**
 * The special-use role a folder probably has, judging by its name alone.
 *
 * - Matching is on the last path segment, ASCII-case-insensitive (Chinese compared as is), and only
 *   for top-level folders of the personal namespace: 'Sent' or, with prefix 'INBOX.', 'INBOX.Sent'.
 *   'Projects/Sent' or (prefix '') 'INBOX/Sent' are user folders and get no role. Exception: the
 *   Gmail table matches direct children of '[Gmail]' / '[Google Mail]'.
 * - The `providerHint` table (id or alias) is tried first; a name it lists as having no role
 *   (e.g. Exchange's 发件箱 = Outbox) returns undefined without consulting other tables. Then all
 *   tables in PROVIDER_FOLDER_NAMES order.
 */
export function detectRoleByName(
  path: string,
  delimiter: string | null,
  prefix: string,
  providerHint?: string,
): SpecialUse | undefined {
  return detectRoleByNameDetailed(path, delimiter, prefix, providerHint).role;
}
