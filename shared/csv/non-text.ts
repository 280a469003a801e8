import type { CsvRowError } from './error-list';

/**
 * Recognises a file that is not CSV text before anything tries to parse it: a spreadsheet
 * saved as .xlsx / .xls, a UTF-16 "Unicode text" export, or any binary file picked by mistake.
 * Such a file used to be parsed as text, giving thousands of meaningless row errors (and
 * seconds of work); one clear message saying what the file looks like is what helps.
 * Checks the first bytes only, so it costs nothing on a large file.
 */

const SAMPLE_BYTES = 64 * 1024;

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** PK\x03\x04: a ZIP archive, which is what .xlsx (and .ods, .numbers) files are. */
const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** The OLE2 compound file of the old Excel .xls (and .doc) format. */
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const problem = (message: string, messageZh: string): CsvRowError => ({ line: 1, message, messageZh });

/** Control characters other than tab, line ends and form feed (NUL is checked on its own). */
function isControl(b: number): boolean {
  return b > 0 && b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c;
}

export function nonTextProblem(bytes: Uint8Array): CsvRowError | undefined {
  if (startsWith(bytes, ZIP)) {
    return problem(
      'This file looks like an Excel .xlsx workbook (a ZIP archive), not a CSV file. In Excel choose File → Save As → "CSV UTF-8 (comma delimited)" and import the saved .csv file.',
      '此文件看起来是 Excel .xlsx 工作簿（ZIP 压缩包），不是 CSV 文件。请在 Excel 中选择“文件 → 另存为 → CSV UTF-8（逗号分隔）”，然后导入保存的 .csv 文件。',
    );
  }
  if (startsWith(bytes, OLE2)) {
    return problem(
      'This file looks like an old Excel .xls workbook, not a CSV file. In Excel choose File → Save As → "CSV UTF-8 (comma delimited)" and import the saved .csv file.',
      '此文件看起来是旧版 Excel .xls 工作簿，不是 CSV 文件。请在 Excel 中选择“文件 → 另存为 → CSV UTF-8（逗号分隔）”，然后导入保存的 .csv 文件。',
    );
  }
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return problem(
      'The file is UTF-16 ("Unicode text"). Save it as "CSV UTF-8 (comma delimited)" or "CSV (comma delimited)" and import again.',
      '文件是 UTF-16 编码（“Unicode 文本”）。请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后重新导入。',
    );
  }
  // A NUL byte never occurs in text (anywhere in the file: indexOf is cheap); a few other
  // control characters might (a pasted password), a lot of them do not.
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  let controls = 0;
  for (const b of sample) if (isControl(b)) controls++;
  if (bytes.indexOf(0) >= 0 || controls > sample.length / 100) {
    return problem(
      'This is not a text file (it contains binary data), so it cannot be a CSV account list. Check that you picked the right file; a spreadsheet must be saved as "CSV UTF-8 (comma delimited)" first.',
      '这不是文本文件（包含二进制数据），因此不是 CSV 账号列表。请确认选择的文件是否正确；电子表格须先另存为“CSV UTF-8（逗号分隔）”。',
    );
  }
  return undefined;
}
