/**
 * Chinese UI text takes full-width punctuation (：，；？！（）) next to Chinese characters: an
 * ASCII colon, comma or bracket there reads as a typo. ASCII stays where it belongs: in host
 * names, host:port, codes, numbers, URLs and English words ("imap.example.com:993", "(verify
 * --json)" inside Chinese brackets is fine, the brackets are not).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zhCN } from '../../extension/i18n';
import { aside, labelMark, listOf } from '../../extension/i18n/punctuation';
import { PANEL_STRINGS } from '../../extension/panel/strings';

const ROOT = join(import.meta.dirname, '../..');
/** Chinese characters, full-width punctuation and the quotes and arrows Chinese text uses. */
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’…→]/u;
const ASCII_MARKS = new Set([':', ',', ';', '?', '!']);

/** Each ASCII mark of `text` that stands next to Chinese, with a little context. */
function asciiInChinese(text: string): string[] {
  const bad: string[] = [];
  const chars = [...text];
  const around = (i: number) => chars.slice(Math.max(0, i - 4), i + 5).join('');
  // Next to a Chinese character, directly or across one space ("搬家失败 (AUTH_FAILED)").
  const chinese = (c: string | undefined, across: string | undefined) => CJK.test(c ?? '') || (c === ' ' && CJK.test(across ?? ''));
  chars.forEach((ch, i) => {
    if (ASCII_MARKS.has(ch) && (chinese(chars[i - 1], chars[i - 2]) || chinese(chars[i + 1], chars[i + 2]))) bad.push(around(i));
  });
  for (const m of text.matchAll(/\(([^()]*)\)/g)) {
    const end = m.index + m[0].length;
    if (chinese(text[m.index - 1], text[m.index - 2]) || chinese(text[end], text[end + 1]) || CJK.test(m[1] ?? '')) bad.push(m[0]);
  }
  return bad;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('Chinese punctuation in the extension', () => {
  it('the rule finds ASCII marks next to Chinese and leaves hosts, ports and codes alone', () => {
    expect(asciiInChinese('任务:{name}')).toHaveLength(1);
    expect(asciiInChinese('收件服务器(IMAP)')).toEqual(['(IMAP)']);
    expect(asciiInChinese('上次检查 {at};桥接程序')).toHaveLength(1);
    expect(asciiInChinese('搬家失败 (AUTH_FAILED)')).toEqual(['(AUTH_FAILED)']);
    expect(asciiInChinese('UID 3 → 5: 内容')).toHaveLength(1);
    expect(asciiInChinese('已在 imap.example.com:993 查找（verify --json），共 1,024 封')).toEqual([]);
  });

  it('every zh-CN dictionary string', () => {
    const bad = Object.entries(zhCN).flatMap(([key, text]) => asciiInChinese(text).map((b) => `${key}: ${b}`));
    expect(bad).toEqual([]);
  });

  it('every Chinese string of the launcher and the panel', () => {
    const bad = Object.entries(PANEL_STRINGS).flatMap(([key, { zh }]) => asciiInChinese(zh).map((b) => `${key}: ${b}`));
    expect(bad).toEqual([]);
  });

  it('Chinese string literals elsewhere in the extension’s code', () => {
    const bad: string[] = [];
    // English text may quote a Chinese term in its own brackets: "(e.g. 发件箱 → Sent)".
    const english = join(ROOT, 'extension/i18n/en.ts');
    for (const file of sourceFiles(join(ROOT, 'extension')).filter((f) => f !== english)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*|\{\/\*)/.test(line)) return;
          for (const m of line.matchAll(/'([^'\n]*)'|`([^`\n]*)`|"([^"\n]*)"/g)) {
            const literal = m[1] ?? m[2] ?? m[3] ?? '';
            if (/\p{Script=Han}/u.test(literal)) for (const b of asciiInChinese(literal)) bad.push(`${relative(ROOT, file)}:${i + 1}: ${b}`);
          }
        });
    }
    expect(bad).toEqual([]);
  });

  it('the marks the code puts between translated pieces', () => {
    expect(listOf('zh-CN', ['内容', '标记'])).toBe('内容、标记');
    expect(listOf('en', ['content', 'flags'])).toBe('content, flags');
    expect(`缺失${labelMark('zh-CN')}3`).toBe('缺失：3');
    expect(`Missing${labelMark('en')}3`).toBe('Missing: 3');
    expect(`管理员必读${aside('zh-CN', '管理员')}`).toBe('管理员必读（管理员）');
    expect(`For admins${aside('en', 'admin')}`).toBe('For admins (admin)');
  });
});
