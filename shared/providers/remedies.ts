/**
 * Remedies for the connection test and migration errors, made concrete for the detected provider:
 * the generic remedy of the error code followed by the provider's pitfalls for that code (what to
 * switch on or off, and where). Pure TypeScript: no Node APIs.
 */
import { REMEDIES, type ErrorCode } from '../errors';
import { GENERIC_PITFALLS } from './presets';
import type { PitfallView } from './connection-report';
import type { Pitfall, PitfallTrigger, ProviderPreset, Text } from './types';

const ACTION: Record<Pitfall['action'], Text> = {
  enable: { en: 'Enable', zh: '开启' },
  disable: { en: 'Switch off', zh: '关闭' },
  set: { en: 'Set', zh: '设置' },
  use: { en: 'Use', zh: '使用' },
  check: { en: 'Check', zh: '检查' },
  avoid: { en: 'Avoid', zh: '避免' },
  contact: { en: 'Contact', zh: '联系' },
};

/**
 * Connection-test wording of the codes whose shared remedy speaks about a running migration
 * (e.g. TIMEOUT "the migration retries"). Other codes use shared/errors.ts REMEDIES.
 */
const TEST_REMEDIES: Partial<Record<ErrorCode, Text>> = {
  TIMEOUT: {
    en: 'The server did not answer in time. Check the address and port, and that no firewall or proxy swallows the connection; a provider that throttles migrations can also stop answering.',
    zh: '服务器未在规定时间内响应。请检查地址和端口，以及防火墙或代理是否拦截了连接；限制搬家的服务商也可能不再响应。',
  },
  THROTTLED: {
    en: 'The server is limiting connections or logins from this address. Wait a while, close other mail clients of this account, and use fewer parallel connections.',
    zh: '服务器限制了来自本机地址的连接或登录。请稍后再试，关闭该账号的其他邮件客户端，并减少并发连接数。',
  },
  CONNECT_FAILED: {
    en: 'The server could not be reached: nothing answers on this address and port, or the connection was cut. Check the server address and port, and that the firewall allows outgoing connections to it.',
    zh: '无法连接服务器：该地址和端口没有响应，或连接被中断。请检查服务器地址和端口，以及防火墙是否允许向其发起连接。',
  },
  PROTOCOL_ERROR: {
    en: 'The server did not answer like an IMAP server. Check that the port is the IMAP port (993 for imaps://, 143 for imap://) and not POP3 or SMTP.',
    zh: '服务器的响应不像 IMAP 服务器。请确认端口是 IMAP 端口（imaps:// 为 993，imap:// 为 143），而不是 POP3 或 SMTP 端口。',
  },
};

/** The base remedy text of a code (connection-test wording where it differs). */
export function baseRemedy(code: ErrorCode): Text {
  const r = TEST_REMEDIES[code] ?? REMEDIES[code];
  return { en: r.en, zh: r.zh };
}

/**
 * Current (not outdated) pitfalls of the preset for a trigger; the generic ones when the preset
 * has none for it (or there is no preset). `includeGeneric: true` appends the generic ones always.
 */
export function pitfallsFor(
  preset: ProviderPreset | undefined,
  trigger: PitfallTrigger,
  opts: { includeGeneric?: boolean } = {},
): Pitfall[] {
  const current = (p: Pitfall) => p.status !== 'outdated' && p.appliesTo.includes(trigger);
  const own = (preset?.pitfalls ?? []).filter(current);
  const generic = GENERIC_PITFALLS.filter(current);
  if (own.length === 0) return generic;
  return opts.includeGeneric ? [...own, ...generic] : own;
}

const PROPER_NOUN = /^(Tencent|Alibaba|Microsoft|Google|Gmail|Exchange|Feishu|Lark|Outlook|NetEase|Coremail|Apple|QQ|O365|OAuth2)\b/;

/** Chinese texts that already start with their verb ("开启 IMAP/SMTP 服务") get no second one. */
const ZH_VERB = /^(开启|关闭|设置|使用|检查|避免|联系|勾选|用|尽早|在|如|为|切换|每个|请|阿里邮箱)/;

/** "The IMAP server address" reads "Check the IMAP server address"; acronyms and names keep their case. */
function afterVerb(what: string): string {
  if (PROPER_NOUN.test(what) || !/^[A-Z][a-z]/.test(what)) return what;
  return what[0]!.toLowerCase() + what.slice(1);
}

/** One line: "Enable IMAP/SMTP service — Mailbox settings → 收发信设置 (why)". */
export function formatPitfall(p: Pitfall, lang: 'en' | 'zh'): string {
  const where = p.where ? (lang === 'en' ? ` — ${p.where.en}` : `——${p.where.zh}`) : '';
  const unverified = p.confidence === 'unverified' ? (lang === 'en' ? ' [unverified]' : '[未核实]') : '';
  const why = lang === 'en' ? ` (${p.why.en})` : `（${p.why.zh}）`;
  const what =
    lang === 'en'
      ? `${ACTION[p.action].en} ${afterVerb(p.what.en)}`
      : ZH_VERB.test(p.what.zh)
        ? p.what.zh
        : `${ACTION[p.action].zh}${/^[A-Za-z0-9"]/.test(p.what.zh) ? ' ' : ''}${p.what.zh}`;
  return `${what}${where}${why}${unverified}`;
}

export interface ProviderRemedy extends Text {
  /** The pitfalls behind the text, for the UI to show as a checklist. */
  pitfalls: Pitfall[];
}

const MAX_IN_TEXT = 4;

/**
 * The remedy for an error code: the base text, then "Tencent Exmail: 1) ... 2) ..." (in Chinese
 * "腾讯企业邮：1）…；2）…") with the provider's pitfalls for it (at most four in the text, all in
 * `pitfalls`). `extraPitfallIds` (from a matched server reply) come first.
 */
export function remedyFor(code: ErrorCode, preset?: ProviderPreset, extraPitfallIds: readonly string[] = []): ProviderRemedy {
  const base = baseRemedy(code);
  let pitfalls = pitfallsFor(preset, code);
  if (extraPitfallIds.length && preset) {
    const extra = extraPitfallIds
      .map((id) => preset.pitfalls.find((p) => p.id === id && p.status !== 'outdated'))
      .filter((p): p is Pitfall => !!p);
    pitfalls = [...extra, ...pitfalls.filter((p) => !extra.includes(p))];
  }
  if (pitfalls.length === 0) return { ...base, pitfalls };
  const shown = pitfalls.slice(0, MAX_IN_TEXT);
  const list = (lang: 'en' | 'zh') =>
    lang === 'en'
      ? shown.map((p, i) => `${i + 1}) ${formatPitfall(p, lang)}`).join(' ')
      : shown.map((p, i) => `${i + 1}）${formatPitfall(p, lang)}`).join('；');
  const isGeneric = !preset || shown.every((p) => p.id.startsWith('generic-'));
  const head = {
    en: isGeneric ? 'Things to check' : preset!.label.en,
    zh: isGeneric ? '请检查' : preset!.label.zh,
  };
  return {
    en: `${base.en} ${head.en}: ${list('en')}`,
    zh: `${base.zh}${head.zh}：${list('zh')}`,
    pitfalls,
  };
}

/** The checklist to work through before a migration from this provider (the general checks, 准备工作清单, and the provider's own). */
export function beforeStartChecklist(preset: ProviderPreset | undefined): Pitfall[] {
  return pitfallsFor(preset, 'before-start', { includeGeneric: true });
}

/** A pitfall without its internal triggers, as the report and the UI carry it. */
export function toPitfallView(p: Pitfall): PitfallView {
  return {
    id: p.id,
    action: p.action,
    audience: p.audience,
    what: p.what,
    ...(p.where ? { where: p.where } : {}),
    why: p.why,
    confidence: p.confidence,
    ...(p.source ? { source: p.source } : {}),
  };
}
