/**
 * A model of a terminal's screen for tests of what the CLI draws on one (progress bars, the
 * lines printed above them).
 */

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/**
 * The screen a terminal shows after `raw`, for the escapes cli-progress and readline send
 * (cursor up/down/column, erase line/below, autowrap on/off): what a user sees, where the
 * bytes alone would show a line that a later redraw wrote over. One entry a line as the user
 * reads it: rows the terminal wrapped a line onto are joined. No scrolling limit.
 */
export function terminalScreen(raw: string, columns: number): string[] {
  const rows: string[][] = [[]];
  /** rows the text went on from, past the last column: one line to the user */
  const wrapped = new Set<number>();
  let x = 0;
  let y = 0;
  let wrap = true;
  const row = (n: number) => (rows[n] ??= []);
  const eraseRow = (n: number, from: number, to: number) => {
    const r = row(n);
    for (let i = from; i < Math.min(to, r.length); i++) r[i] = ' ';
  };
  // eslint-disable-next-line no-control-regex
  const tokens = raw.match(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|[\s\S]/gu) ?? [];
  for (const t of tokens) {
    if (t.startsWith('\x1b[')) {
      const final = t.at(-1)!;
      const param = t.slice(2, -1);
      const n = Number(param.replace('?', '')) || 0;
      if (param === '?7') wrap = final === 'h';
      else if (final === 'A') y = Math.max(0, y - (n || 1));
      else if (final === 'B') y += n || 1;
      else if (final === 'G') x = Math.max(0, (n || 1) - 1);
      else if (final === 'K') {
        eraseRow(y, n === 0 ? x : 0, n === 1 ? x + 1 : Infinity);
        if (n !== 1) wrapped.delete(y);
      } else if (final === 'J') {
        eraseRow(y, x, Infinity);
        rows.length = Math.min(rows.length, y + 1);
        for (const w of wrapped) if (w >= y) wrapped.delete(w);
      }
      continue;
    }
    if (t.startsWith('\x1b')) continue;
    if (t === '\r') x = 0;
    // A terminal's driver turns LF into CR LF (ONLCR), as under `script`; a test's stream has none.
    else if (t === '\n') {
      x = 0;
      y++;
    }
    else if (t >= ' ') {
      const width = WIDE.test(t) ? 2 : 1;
      if (x + width > columns) {
        if (wrap) {
          wrapped.add(y);
          x = 0;
          y++;
        } else x = columns - width;
      }
      const r = row(y);
      while (r.length < x) r.push(' ');
      r[x] = t;
      if (width === 2) r[x + 1] = '';
      x += width;
    }
  }
  const lines: string[] = [];
  let carried = '';
  Array.from(rows, (r) => (r ?? []).join('')).forEach((text, i) => {
    if (wrapped.has(i)) carried += text;
    else {
      lines.push((carried + text).trimEnd());
      carried = '';
    }
  });
  return lines;
}
