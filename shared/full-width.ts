/**
 * Characters a Chinese (or Japanese) input method types in full-width mode where an address,
 * a host name or a port needs the ASCII one: the full-width forms of ASCII (U+FF01–FF5E:
 * ＠ ． ０-９ Ａ-Ｚ ａ-ｚ …), the ideographic space U+3000 and the ideographic full stop 。 (what
 * the IME gives for "." in Chinese punctuation mode), with its half-width form ｡.
 *
 * They are refused, each named with what to type, and not converted: what the admin or the
 * employee typed is their record of the account or the server, and a silent fix would use a
 * value the screen (or the file) does not show. Fixing it is one keystroke once the message says
 * which character it is; "not a valid address" alone left people looking at a value that looks
 * right, and full-width letters or digits even passed format checks (they are letters).
 */
export interface FullWidthChar {
  readonly char: string;
  /** What to type instead; '' for the ideographic space, which is deleted. */
  readonly ascii: string;
}

export const IDEOGRAPHIC_SPACE = '\u3000';

/** The ASCII character a full-width one stands for, or null when `ch` is not one of them. */
export function asciiFor(ch: string): string | null {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCharCode(cp - 0xfee0);
  if (ch === '\u3002' || ch === '\uff61') return '.';
  if (ch === IDEOGRAPHIC_SPACE) return '';
  return null;
}

/** Each distinct full-width character of `value`, in order of first appearance. */
export function fullWidthIn(value: string): FullWidthChar[] {
  const found = new Map<string, string>();
  for (const ch of value) {
    const ascii = asciiFor(ch);
    if (ascii !== null) found.set(ch, ascii);
  }
  return [...found].map(([char, ascii]) => ({ char, ascii }));
}

/** At most this many distinct characters are named; a value typed all in full-width has more. */
export const MAX_NAMED_FULL_WIDTH = 4;

/** What the value is, for the message: an address has no spaces, nor has a port. */
export type FullWidthNoun = 'address' | 'port';

const NOUN = {
  address: { en: 'address', an: 'an address', zh: '地址' },
  port: { en: 'port', an: 'a port', zh: '端口' },
} as const;

/**
 * The message for a value with full-width characters, in both languages, or null when it has
 * none. `subject` names the value as the sentence's subject: { en: 'The server address',
 * zh: '服务器地址' }.
 */
export function fullWidthMessage(value: string, subject: { readonly en: string; readonly zh: string }, noun: FullWidthNoun = 'address'): { en: string; zh: string } | null {
  const all = fullWidthIn(value);
  if (all.length === 0) return null;
  const named = all.slice(0, MAX_NAMED_FULL_WIDTH);
  const more = all.length > named.length;
  const n = NOUN[noun];
  const en = named.map(({ char, ascii }) => (char === IDEOGRAPHIC_SPACE ? `the full-width space (U+3000): delete it, ${n.an} has no spaces` : `"${char}": type the half-width "${ascii}"`));
  const zh = named.map(({ char, ascii }) => (char === IDEOGRAPHIC_SPACE ? `全角空格（U+3000）请删除，${n.zh}中不能有空格` : `“${char}”请改为半角“${ascii}”`));
  return {
    en: `${subject.en} contains full-width characters, as a Chinese input method types them in full-width mode: ${en.join('; ')}${more ? '; and others like them' : ''}. Switch the input method to half-width (or English) and type the ${n.en} again.`,
    zh: `${subject.zh}中有全角字符（中文输入法全角模式下输入的）：${zh.join('；')}${more ? '；其他全角字符同样处理' : ''}。请将输入法切换为半角（或英文）后重新输入该${n.zh}。`,
  };
}
