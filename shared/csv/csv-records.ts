/**
 * Splits CSV text into records in one pass, carrying on after a malformed record.
 *
 * The rules are csv-parse's with relaxed quotes, as the account import always used them:
 * a field is quoted only when its first non-blank character is `"` (elsewhere a quote is
 * text), `""` inside quotes is one quote, a quoted value may span lines, unquoted cells are
 * trimmed, quoted ones are kept as they are.
 *
 * Why not csv-parse any more: it stops at the first malformed record, so reading on meant
 * parsing the whole rest of the file again after every error. A file of broken quoting then
 * cost time quadratic in its size (minutes for 56 KB), all on the bridge's event loop. Here a
 * malformed record is reported and reading resumes on the text line after the one where it
 * began, and a record may span at most MAX_RECORD_LINES text lines (an account list holds
 * addresses and passwords: a cell with more line breaks is a quote left open). So a resumed
 * scan re-reads at most that many lines, and the whole file is read in time linear in its size.
 *
 * Input has `\n` line ends only (the caller turns CRLF and CR into LF).
 */

export interface CsvRecord {
  /** 1-based record number as a spreadsheet shows it (a malformed record counts as one row). */
  line: number;
  fields: string[];
}

export type CsvProblemKind = 'unterminated-quote' | 'after-quote';

export interface CsvProblem {
  line: number;
  kind: CsvProblemKind;
}

/** Text lines one record may span (see above). */
export const MAX_RECORD_LINES = 10;

const QUOTE = 34; // "
const COMMA = 44; // ,
const NEWLINE = 10; // \n

/** Blank characters around a cell (csv-parse's trim): anything String.trim removes, except the line end. */
const isBlank = (code: number): boolean => code !== NEWLINE && (code === 32 || code === 9 || /\s/.test(String.fromCharCode(code)));

type Scan = { ok: true; fields: string[]; next: number } | { ok: false; kind: CsvProblemKind };

/** Reads one record starting at `start`; `next` is where the following record starts. */
function scanRecord(text: string, start: number): Scan {
  const fields: string[] = [];
  let lines = 1;
  let i = start;
  const n = text.length;
  for (;;) {
    let j = i;
    while (j < n && isBlank(text.charCodeAt(j))) j++;
    if (j < n && text.charCodeAt(j) === QUOTE) {
      let value = '';
      let from = j + 1;
      let k = from;
      for (;;) {
        if (k >= n) return { ok: false, kind: 'unterminated-quote' };
        const c = text.charCodeAt(k);
        if (c === NEWLINE && ++lines > MAX_RECORD_LINES) return { ok: false, kind: 'unterminated-quote' };
        if (c !== QUOTE) {
          k++;
          continue;
        }
        if (text.charCodeAt(k + 1) === QUOTE) {
          value += text.slice(from, k + 1);
          from = k = k + 2;
          continue;
        }
        value += text.slice(from, k);
        k++;
        break;
      }
      while (k < n && isBlank(text.charCodeAt(k))) k++;
      fields.push(value);
      if (k >= n) return { ok: true, fields, next: n };
      const c = text.charCodeAt(k);
      if (c === COMMA) {
        i = k + 1;
        continue;
      }
      if (c === NEWLINE) return { ok: true, fields, next: k + 1 };
      return { ok: false, kind: 'after-quote' };
    }
    let k = j;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === COMMA || c === NEWLINE) break;
      k++;
    }
    fields.push(text.slice(j, k).trim());
    if (k >= n) return { ok: true, fields, next: n };
    if (text.charCodeAt(k) === COMMA) {
      i = k + 1;
      continue;
    }
    return { ok: true, fields, next: k + 1 };
  }
}

/** Where the text line containing `pos` ends (the `\n`, or the end of the text). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl;
}

/**
 * Every record of `text`, and every malformed one as a problem on its row. `onProblem` is
 * called as problems are found (the caller decides how many to keep).
 */
export function readCsvRecords(text: string, onProblem: (p: CsvProblem) => void): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    line++;
    const scan = scanRecord(text, pos);
    if (scan.ok) {
      records.push({ line, fields: scan.fields });
      pos = scan.next;
      continue;
    }
    const end = lineEnd(text, pos);
    // An odd number of quotes on the row's first line means a quote opened there was never
    // closed on it; whatever tripped the scan later (often a quote on another row) follows from that.
    let quotes = 0;
    for (let q = text.indexOf('"', pos); q >= 0 && q < end; q = text.indexOf('"', q + 1)) quotes++;
    onProblem({ line, kind: quotes % 2 === 1 ? 'unterminated-quote' : scan.kind });
    pos = end + 1;
  }
  return records;
}
