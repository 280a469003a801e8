/**
 * The errors of one account file, at most MAX_REPORTED_ERRORS of them: the first ones by row,
 * then one line saying how many more there are. A file picked by mistake, or one with a quote
 * left open at the top, can have an error on every one of its thousands of rows; nobody reads
 * past the first screenful, and keeping them all would cost memory on the bridge for nothing.
 */

/** line = 1-based row number as a spreadsheet shows it (one record = one row; the header is 1 in
 *  the usual file). It equals the text line number unless a quoted cell spans several lines. */
export interface CsvRowError {
  line: number;
  message: string;
  messageZh: string;
}

export const MAX_REPORTED_ERRORS = 100;

export class CsvErrorList {
  /** Sorted by line; errors of one line keep the order they were added in. */
  private readonly kept: CsvRowError[] = [];
  private total = 0;

  constructor(private readonly max = MAX_REPORTED_ERRORS) {}

  add(e: CsvRowError): void {
    this.total++;
    const last = this.kept[this.kept.length - 1];
    if (this.kept.length === this.max && last && e.line >= last.line) return;
    // Errors mostly arrive in row order, so this walks back a step or two at most.
    let at = this.kept.length;
    while (at > 0 && this.kept[at - 1]!.line > e.line) at--;
    this.kept.splice(at, 0, e);
    if (this.kept.length > this.max) this.kept.pop();
  }

  /** How many errors were added, kept or not. */
  get count(): number {
    return this.total;
  }

  /** The kept errors, and one more saying how many were left out (on the row of the first one left out). */
  list(): CsvRowError[] {
    const more = this.total - this.kept.length;
    if (more <= 0) return [...this.kept];
    const line = (this.kept[this.kept.length - 1]?.line ?? 1);
    return [
      ...this.kept,
      {
        line,
        message: `…and ${more} more problem(s) after line ${line}, not listed. Fix the ones above (or check that this is the right file) and import it again.`,
        messageZh: `……第 ${line} 行之后还有 ${more} 个问题未列出。请先修正上面的问题（或确认选择的文件是否正确），然后重新导入。`,
      },
    ];
  }
}
