/**
 * A tiny typed dictionary for the extension's UI strings.
 *
 * English is the reference: every other language must have exactly the same
 * keys (the type enforces it at compile time, test/unit/i18n.test.ts at run
 * time) and the same {placeholders} in each string.
 */

export const en = {
  appSubtitle: 'Enterprise mailbox migration',
  checking: 'Looking for the local bridge…',
  notFoundTitle: 'Bridge not found',
  notFoundBody:
    'mailmover copies mail through a small program that runs on this computer. Open a terminal in the mailmover project folder and start it:',
  notFoundHint: 'Looked for it at {address}. Keep that terminal open while you migrate.',
  foundTitle: 'Bridge connected',
  foundVersion: 'Version {version}',
  foundAddress: 'Listening on {address}',
  pairingSoon: 'Pairing with the bridge arrives in the next version.',
  retry: 'Check again',
  copy: 'Copy',
  copied: 'Copied',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = { readonly [K in MessageKey]: string };

export const zhCN: Messages = {
  appSubtitle: '企业邮箱搬家',
  checking: '正在查找本地桥接程序…',
  notFoundTitle: '未找到桥接程序',
  notFoundBody: 'mailmover 通过在本机运行的一个小程序搬迁邮件。请在 mailmover 项目文件夹中打开终端并启动它：',
  notFoundHint: '已在 {address} 查找。搬家期间请保持该终端窗口打开。',
  foundTitle: '桥接程序已连接',
  foundVersion: '版本 {version}',
  foundAddress: '监听地址 {address}',
  pairingSoon: '与桥接程序配对的功能将在下一版本提供。',
  retry: '重新检测',
  copy: '复制',
  copied: '已复制',
};

export type Locale = 'en' | 'zh-CN';

export const dictionaries: { readonly [L in Locale]: Messages } = {
  en,
  'zh-CN': zhCN,
};

/** Chinese for any browser language starting with "zh", English otherwise. */
export function pickLocale(language: string | undefined | null): Locale {
  return language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Names of the {placeholders} in an English string, as a union type. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholderNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never]
  ? []
  : [params: { readonly [P in PlaceholderNames<(typeof en)[K]>]: string | number }];

/** The {placeholder} names used in a string, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1] ?? '');
}

export function translate<K extends MessageKey>(locale: Locale, key: K, ...args: MessageParams<K>): string {
  const template = dictionaries[locale][key];
  const params = (args[0] ?? {}) as Readonly<Record<string, string | number>>;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type Translator = <K extends MessageKey>(key: K, ...args: MessageParams<K>) => string;

export function translator(locale: Locale): Translator {
  return (key, ...args) => translate(locale, key, ...args);
}
