/**
 * Where the extension adds its launcher: the admin consoles (管理后台) and the webmail of the
 * providers in presets.ts. Pure TypeScript (no Node, no browser APIs): wxt.config.ts reads the
 * match patterns at build time, the content script classifies the page at run time.
 *
 * Host names are those the providers publish; the paths that tell the console from the webmail
 * on a shared host are NOT verified against the live sites (confidence 'unverified'): when no
 * path rule matches, the page counts as webmail (an employee banner is the harmless default;
 * the launcher still offers the admin tools).
 */
import type { Confidence } from './types';

export type SiteKind = 'console' | 'webmail';

export interface WebmailSite {
  id: string;
  /** presets.ts id of the provider (the new mailbox's provider: its IMAP host is the target). */
  presetId: string;
  /** Manifest match patterns (scheme://host/path-glob). */
  matches: string[];
  /** Paths (on these hosts) that are the admin console; everything else is webmail. */
  consolePaths: RegExp[];
  /** When true every page of the site is the admin console. */
  consoleOnly?: boolean;
  /** Elements the launcher sits next to when they exist (tried in order; a floating button otherwise). */
  anchors: string[];
  /** Elements whose text or title shows the logged-in address (webmail). */
  addressSelectors: string[];
  confidence: Confidence;
  source?: string;
}

export const WEBMAIL_SITES: readonly WebmailSite[] = [
  {
    id: 'aliyun-qiye',
    presetId: 'aliyun',
    matches: ['https://qiye.aliyun.com/*'],
    consolePaths: [/^\/admin\b/, /^\/alimail\/admin\b/],
    anchors: ['.header-right', '.top-bar .right'],
    addressSelectors: ['.user-email', '[data-email]', '.account-name'],
    confidence: 'unverified',
    source: 'Alibaba Mail help, 邮箱搬家 (邮箱管理平台 / postmaster → 邮箱搬家); paths not checked',
  },
  {
    id: 'aliyun-mail',
    presetId: 'aliyun-personal',
    matches: ['https://mail.aliyun.com/*'],
    consolePaths: [],
    anchors: ['.header-right'],
    addressSelectors: ['.user-email', '[data-email]'],
    confidence: 'unverified',
  },
  {
    id: 'tencent-exmail',
    presetId: 'tencent',
    matches: ['https://exmail.qq.com/*'],
    consolePaths: [/^\/cgi-bin\/bizmail/, /^\/cgi-bin\/admin/, /^\/admin\b/],
    anchors: ['#topDataTd', '.topbar_right'],
    addressSelectors: ['#useraddr', '.user_email', '[data-email]'],
    confidence: 'unverified',
  },
  {
    id: 'netease-qiye-console',
    presetId: 'netease',
    matches: ['https://qiye.163.com/*'],
    consolePaths: [],
    consoleOnly: true,
    anchors: ['.header-right'],
    addressSelectors: [],
    confidence: 'unverified',
  },
  {
    id: 'netease-qiye-mail',
    presetId: 'netease',
    matches: ['https://mail.qiye.163.com/*'],
    consolePaths: [/^\/admin\b/, /^\/domain\b/],
    anchors: ['.nui-header-right', '.js-component-header-right'],
    addressSelectors: ['#spnUid', '.nui-addr-account', '[data-email]'],
    confidence: 'unverified',
  },
];

/**
 * The loopback fixture pages of the e2e tests: only in the test build (MAILMOVER_TEST_BUILD=1).
 * /mailmover-fixtures/console* is a console, /mailmover-fixtures/webmail* a webmail.
 */
export const TEST_FIXTURE_SITE: WebmailSite = {
  id: 'test-fixtures',
  presetId: 'generic',
  matches: ['http://127.0.0.1/mailmover-fixtures/*'],
  consolePaths: [/^\/mailmover-fixtures\/console/],
  anchors: ['[data-mailmover-anchor]'],
  addressSelectors: ['[data-user-email]', '.account-email'],
  confidence: 'known',
};

/** The content script's manifest matches. */
export function siteMatches(sites: readonly WebmailSite[] = WEBMAIL_SITES): string[] {
  return sites.flatMap((s) => s.matches);
}

/** A manifest match pattern as a RegExp over a full URL (ports are ignored, as browsers do). */
export function matchPatternRegExp(pattern: string): RegExp {
  const m = /^(\*|https?):\/\/([^/]+)(\/.*)$/.exec(pattern);
  if (!m) throw new Error(`unsupported match pattern ${pattern}`);
  const [, scheme, host, path] = m;
  const esc = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const schemeRe = scheme === '*' ? 'https?' : scheme!;
  const hostRe = host === '*' ? '[^/:]+' : host!.startsWith('*.') ? `(?:[^/:]+\\.)?${esc(host!.slice(2))}` : esc(host!);
  const pathRe = esc(path!).replace(/\*/g, '.*');
  return new RegExp(`^${schemeRe}://${hostRe}(?::\\d+)?${pathRe}$`);
}

export interface SiteMatch {
  site: WebmailSite;
  kind: SiteKind;
}

/** Which known site (and which side of it) a URL is; null for any other page. */
export function classifyUrl(url: string, sites: readonly WebmailSite[] = [...WEBMAIL_SITES, TEST_FIXTURE_SITE]): SiteMatch | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const bare = `${u.protocol}//${u.hostname}${u.pathname}`;
  for (const site of sites) {
    if (!site.matches.some((p) => matchPatternRegExp(p).test(bare))) continue;
    const kind: SiteKind = site.consoleOnly || site.consolePaths.some((re) => re.test(u.pathname)) ? 'console' : 'webmail';
    return { site, kind };
  }
  return null;
}

const ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** An address out of a text, or null (never a guess between two different ones). */
export function addressIn(text: string | null | undefined): string | null {
  if (!text) return null;
  const all = new Set(Array.from(text.matchAll(new RegExp(ADDRESS.source, 'g')), (m) => m[0].toLowerCase()));
  return all.size === 1 ? [...all][0]! : null;
}

/** The e2e "third site" (a self-hosted webmail enabled from the popup); pre-granted in the test build only. */
export const TEST_THIRD_SITE_ORIGIN = 'http://127.0.0.2';
