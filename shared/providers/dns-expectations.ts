/**
 * DNS records each target provider expects for the cut-over (切换): MX, SPF include, DKIM
 * selector(s), and the client autoconfig records it publishes. Used by `dns-check`
 * (bridge/dns/) and the cut-over step of the extension. Pure TypeScript: no Node APIs.
 *
 * Confidence of each value (nothing here was queried against the live DNS from this machine,
 * which has no Internet access):
 * - 'documented' the provider's public help page named in `source` states it
 * - 'observed'   seen in the DNS of real domains using the provider / public zone listings, not
 *                in a help page of the provider
 * - 'unverified' plausible but NOT confirmed: the check accepts it, the fix text tells the admin
 *                to copy the exact value from the provider's admin console
 */
import type { Text } from './types';

export type DnsConfidence = 'documented' | 'observed' | 'unverified';

export interface DnsSourced {
  confidence: DnsConfidence;
  /** The provider's help page (URL or title), or where the value was observed. */
  source: string;
}

/** One MX record to publish. `host` may contain `{dashed}`: the domain with '.' → '-' (Microsoft 365). */
export interface MxRecordExpectation extends DnsSourced {
  host: string;
  priority: number;
}

/** A host glob (syntax of MxPattern in types.ts: '*' within a label, '#' digits, '**' labels). */
export interface HostPatternExpectation extends DnsSourced {
  pattern: string;
}

export interface SpfExpectation extends DnsSourced {
  /** The include to recommend (first) and others that authorise the same servers. */
  includes: readonly string[];
  /** The whole record to publish when there is none, e.g. 'v=spf1 include:spf.mail.qq.com ~all'. */
  record: string;
}

export interface DkimExpectation extends DnsSourced {
  /**
   * Selectors to look at when the admin gives none (--dkim-selector). `required`: every one must be
   * published (Microsoft 365 rotates between two); otherwise the first one found counts.
   */
  selectors: readonly string[];
  required: boolean;
  /** How the provider has it published. */
  type: 'CNAME' | 'TXT';
  /**
   * Name suffixes of CNAME targets that belong to the provider ('.onmicrosoft.com'). Suffixes, not
   * host globs: DKIM names contain '_domainkey', which host names may not.
   */
  cnameSuffixes?: readonly string[];
  /** Where in the admin console the record (key or CNAME) is shown. */
  where: Text;
}

export interface AutoconfigExpectation extends DnsSourced {
  /** Relative name (主机记录): 'autodiscover', '_imaps._tcp', 'imap'. */
  name: string;
  type: 'CNAME' | 'SRV';
  /** CNAME target or SRV target host. */
  target: string;
  /** SRV port. */
  port?: number;
  /** What the record is for, for the fix text. */
  purpose: Text;
}

export interface DnsExpectations {
  /** Preset id (shared/providers/presets.ts). */
  providerId: string;
  /** Other names accepted on the command line (case-insensitive). */
  aliases: readonly string[];
  label: Text;
  mx: {
    records: readonly MxRecordExpectation[];
    /** Hosts that belong to the provider (older names too): MX pointing there counts as "on this provider". */
    hosts: readonly HostPatternExpectation[];
    /** Set when the MX host is specific to each customer: where the admin finds it. */
    tenantSpecific?: Text;
  };
  spf: SpfExpectation;
  dkim: DkimExpectation;
  autoconfig: readonly AutoconfigExpectation[];
}

const t = (en: string, zh: string): Text => ({ en, zh });

const EXMAIL_DNS_HELP = 'Tencent Exmail help "域名解析设置 / MX、SPF 记录" (exmail.qq.com help centre, reproduced by Tencent resellers)';
const ALIMAIL_SPF_HELP = 'https://help.aliyun.com/document_detail/36771.html (Alibaba Mail: 设置 SPF 解析)';
const ALIMAIL_DNS_HELP = 'Alibaba Mail help "企业邮箱域名解析设置" (help.aliyun.com, Alibaba Mail)';
const QIYE163_DNS_HELP = 'NetEase Enterprise Mail help "域名解析设置" (qiye.163.com help centre)';
const M365_DNS_HELP = 'https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider';
const M365_DKIM_HELP = 'https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure';
const GOOGLE_MX_HELP = 'https://support.google.com/a/answer/140034 (Google Workspace: set up MX records)';
const GOOGLE_SPF_HELP = 'https://support.google.com/a/answer/10684623 (Google Workspace: define your SPF record)';
const GOOGLE_DKIM_HELP = 'https://support.google.com/a/answer/174124 (Google Workspace: set up DKIM)';
const OBSERVED_ZONES = 'MX/TXT of domains hosted there, in public DNS listings';

export const DNS_EXPECTATIONS: readonly DnsExpectations[] = [
  {
    providerId: 'tencent',
    aliases: ['exmail', 'tencent-exmail', 'wecom', '腾讯企业邮'],
    label: t('Tencent Exmail', '腾讯企业邮'),
    mx: {
      records: [
        { host: 'mxbiz1.qq.com', priority: 5, confidence: 'documented', source: EXMAIL_DNS_HELP },
        { host: 'mxbiz2.qq.com', priority: 10, confidence: 'documented', source: EXMAIL_DNS_HELP },
      ],
      hosts: [
        { pattern: 'mxbiz#.qq.com', confidence: 'documented', source: EXMAIL_DNS_HELP },
        { pattern: 'mxdomain.qq.com', confidence: 'unverified', source: 'older QQ domain mail MX' },
      ],
    },
    spf: {
      includes: ['spf.mail.qq.com', 'spf.exmail.qq.com'],
      record: 'v=spf1 include:spf.mail.qq.com ~all',
      confidence: 'documented',
      source: `${EXMAIL_DNS_HELP}; spf.exmail.qq.com: observed in older setups`,
    },
    dkim: {
      // The console generates the record per domain; the selector name is not published in a help
      // page we could read, so the candidates below are only tried.
      selectors: ['default', 's1024'],
      required: false,
      type: 'TXT',
      cnameSuffixes: ['.qq.com'],
      where: t('the Exmail admin console → Toolbox / Security (工具箱 / 安全管理) → DKIM settings (DKIM 设置)', '腾讯企业邮管理后台 → 工具箱/安全管理 → DKIM 设置'),
      confidence: 'unverified',
      source: 'selector names unverified; the record itself is shown in the admin console',
    },
    autoconfig: [
      { name: 'imap', type: 'CNAME', target: 'imap.exmail.qq.com', purpose: t('imap.<domain> for clients', '客户端使用 imap.<域名>'), confidence: 'unverified', source: 'common reseller instructions' },
      { name: 'smtp', type: 'CNAME', target: 'smtp.exmail.qq.com', purpose: t('smtp.<domain> for clients', '客户端使用 smtp.<域名>'), confidence: 'unverified', source: 'common reseller instructions' },
    ],
  },
  {
    providerId: 'aliyun',
    aliases: ['alibaba', 'alimail', 'qiye.aliyun.com', '阿里邮箱', '阿里企业邮箱'],
    label: t('Alibaba Mail', '阿里邮箱'),
    mx: {
      records: [
        { host: 'mx1.qiye.aliyun.com', priority: 5, confidence: 'documented', source: ALIMAIL_DNS_HELP },
        { host: 'mx2.qiye.aliyun.com', priority: 10, confidence: 'documented', source: ALIMAIL_DNS_HELP },
        { host: 'mx3.qiye.aliyun.com', priority: 15, confidence: 'documented', source: ALIMAIL_DNS_HELP },
      ],
      hosts: [
        { pattern: 'mx#.qiye.aliyun.com', confidence: 'documented', source: ALIMAIL_DNS_HELP },
        // Domains set up under the HiChina (万网) brand still point here.
        { pattern: '**.mxhichina.com', confidence: 'observed', source: `${OBSERVED_ZONES} (mxw/mxn.mxhichina.com)` },
      ],
    },
    spf: {
      includes: ['spf.qiye.aliyun.com', 'spf.mxhichina.com'],
      record: 'v=spf1 include:spf.qiye.aliyun.com -all',
      confidence: 'documented',
      source: `${ALIMAIL_SPF_HELP}; spf.mxhichina.com: observed in older setups`,
    },
    dkim: {
      selectors: ['default', 'aliyun'],
      required: false,
      type: 'TXT',
      where: t('the Alibaba Mail admin console → Domains (域名管理) → DKIM', '阿里邮箱管理后台 → 域名管理 → DKIM'),
      confidence: 'unverified',
      source: 'selector names unverified; the key is shown in the admin console',
    },
    autoconfig: [
      { name: 'imap', type: 'CNAME', target: 'imap.qiye.aliyun.com', purpose: t('imap.<domain> for clients', '客户端使用 imap.<域名>'), confidence: 'documented', source: ALIMAIL_DNS_HELP },
      { name: 'smtp', type: 'CNAME', target: 'smtp.qiye.aliyun.com', purpose: t('smtp.<domain> for clients', '客户端使用 smtp.<域名>'), confidence: 'documented', source: ALIMAIL_DNS_HELP },
      { name: 'pop3', type: 'CNAME', target: 'pop.qiye.aliyun.com', purpose: t('pop3.<domain> for clients', '客户端使用 pop3.<域名>'), confidence: 'documented', source: ALIMAIL_DNS_HELP },
    ],
  },
  {
    providerId: 'netease',
    aliases: ['qiye163', 'qiye.163.com', '网易企业邮', '网易企业邮箱'],
    label: t('NetEase Enterprise Mail', '网易企业邮'),
    mx: {
      records: [
        { host: 'qiye163mx01.mxmail.netease.com', priority: 5, confidence: 'observed', source: OBSERVED_ZONES },
        { host: 'qiye163mx02.mxmail.netease.com', priority: 10, confidence: 'observed', source: OBSERVED_ZONES },
      ],
      hosts: [
        { pattern: 'qiye163mx#.mxmail.netease.com', confidence: 'observed', source: OBSERVED_ZONES },
        { pattern: 'hzmx#.mxmail.netease.com', confidence: 'observed', source: OBSERVED_ZONES },
      ],
    },
    spf: {
      includes: ['spf.163.com'],
      record: 'v=spf1 include:spf.163.com -all',
      confidence: 'unverified',
      source: `${QIYE163_DNS_HELP} (not read; value as commonly published)`,
    },
    dkim: {
      selectors: ['default'],
      required: false,
      type: 'TXT',
      where: t('the NetEase admin console → Domains (域名管理) → DKIM', '网易企业邮管理后台 → 域名管理 → DKIM'),
      confidence: 'unverified',
      source: 'selector name unverified; the key is shown in the admin console',
    },
    autoconfig: [],
  },
  {
    providerId: '263',
    aliases: ['263.net', 'net263', '263企业邮箱'],
    label: t('263 Enterprise Mail', '263企业邮箱'),
    mx: {
      records: [
        { host: 'mxw.263.net', priority: 5, confidence: 'observed', source: OBSERVED_ZONES },
        { host: 'mx.263.net', priority: 10, confidence: 'observed', source: OBSERVED_ZONES },
      ],
      hosts: [{ pattern: '**.263.net', confidence: 'observed', source: OBSERVED_ZONES }],
    },
    spf: {
      includes: ['spf.263.net', '_spf.263.com'],
      record: 'v=spf1 include:spf.263.net ~all',
      confidence: 'unverified',
      source: 'not in a help page we could read; check the 263 admin console',
    },
    dkim: {
      selectors: ['default', 'dkim'],
      required: false,
      type: 'TXT',
      where: t('the 263 admin console → DKIM', '263 管理后台 → DKIM'),
      confidence: 'unverified',
      source: 'selector names unverified',
    },
    autoconfig: [],
  },
  {
    providerId: 'outlook',
    aliases: ['microsoft365', 'm365', 'o365', 'office365', 'exchange-online', 'microsoft'],
    label: t('Microsoft 365', 'Microsoft 365'),
    mx: {
      records: [{ host: '{dashed}.mail.protection.outlook.com', priority: 0, confidence: 'documented', source: M365_DNS_HELP }],
      hosts: [
        { pattern: '*.mail.protection.outlook.com', confidence: 'documented', source: M365_DNS_HELP },
        // Newer tenants get DNSSEC-signed MX under mx.microsoft.
        { pattern: '**.mx.microsoft', confidence: 'documented', source: 'https://learn.microsoft.com/purview/how-smtp-dane-works' },
      ],
      tenantSpecific: t(
        'The MX host is shown in the Microsoft 365 admin center → Settings → Domains → your domain → DNS records.',
        'MX 主机名以 Microsoft 365 管理中心 → 设置 → 域 → 您的域 → DNS 记录 中显示的为准。',
      ),
    },
    spf: { includes: ['spf.protection.outlook.com'], record: 'v=spf1 include:spf.protection.outlook.com -all', confidence: 'documented', source: M365_DNS_HELP },
    dkim: {
      selectors: ['selector1', 'selector2'],
      required: true,
      type: 'CNAME',
      cnameSuffixes: ['.onmicrosoft.com', '.dkim.mail.microsoft'],
      where: t('the Microsoft Defender portal → Email authentication settings → DKIM', 'Microsoft Defender 门户 → 电子邮件身份验证设置 → DKIM'),
      confidence: 'documented',
      source: M365_DKIM_HELP,
    },
    autoconfig: [
      { name: 'autodiscover', type: 'CNAME', target: 'autodiscover.outlook.com', purpose: t('Outlook finds its settings', 'Outlook 自动获取配置'), confidence: 'documented', source: M365_DNS_HELP },
    ],
  },
  {
    providerId: 'gmail',
    aliases: ['google', 'google-workspace', 'workspace', 'gsuite'],
    label: t('Google Workspace', 'Google Workspace'),
    mx: {
      records: [{ host: 'smtp.google.com', priority: 1, confidence: 'documented', source: GOOGLE_MX_HELP }],
      hosts: [
        { pattern: 'smtp.google.com', confidence: 'documented', source: GOOGLE_MX_HELP },
        // The five-record set of older setups is still valid.
        { pattern: '**.aspmx.l.google.com', confidence: 'documented', source: GOOGLE_MX_HELP },
        { pattern: 'aspmx.l.google.com', confidence: 'documented', source: GOOGLE_MX_HELP },
        { pattern: 'aspmx#.googlemail.com', confidence: 'observed', source: OBSERVED_ZONES },
      ],
    },
    spf: { includes: ['_spf.google.com'], record: 'v=spf1 include:_spf.google.com ~all', confidence: 'documented', source: GOOGLE_SPF_HELP },
    dkim: {
      selectors: ['google'],
      required: true,
      type: 'TXT',
      where: t('the Google Admin console → Apps → Google Workspace → Gmail → Authenticate email', 'Google 管理控制台 → 应用 → Google Workspace → Gmail → 验证电子邮件'),
      confidence: 'documented',
      source: GOOGLE_DKIM_HELP,
    },
    autoconfig: [],
  },
];

/** Expectations by preset id or alias (case-insensitive). */
export function dnsExpectationsFor(id: string): DnsExpectations | undefined {
  const n = id.trim().toLowerCase();
  return DNS_EXPECTATIONS.find((e) => e.providerId === n || e.aliases.some((a) => a.toLowerCase() === n));
}

/** The MX host with `{dashed}` filled in (contoso.com → contoso-com). */
export function expandMxHost(host: string, domain: string): string {
  return host.replace('{dashed}', domain.toLowerCase().replace(/\./g, '-'));
}
