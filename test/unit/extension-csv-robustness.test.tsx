// @vitest-environment jsdom
/**
 * Issue 12 #6 in the wizard: a workbook picked instead of a CSV gets one clear message, and a
 * file with an error on every row shows the first 100 with "and N more" under a title that does
 * not pretend to count them all. Both languages.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CsvImport } from '../../extension/dashboard/wizard/CsvImport';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import type { CheckedImport, ImportRules } from '../../extension/lib/csv-import';

afterEach(cleanup);

const RULES: ImportRules = { mode: 'self-service', sourceAdmin: false, targetAdmin: false };

function Harness({ locale }: { locale: Locale }) {
  const [imports, setImports] = useState<CheckedImport[]>([]);
  return (
    <LocaleProvider initial={locale} persist={false}>
      <CsvImport imports={imports} onChange={setImports} rules={RULES} />
    </LocaleProvider>
  );
}

async function upload(bytes: Uint8Array<ArrayBuffer>, name: string) {
  await act(async () => {
    fireEvent.change(screen.getByTestId('csv-input'), { target: { files: [new File([bytes], name)] } });
  });
}

describe('wizard: account files that are not CSV or are broken throughout', () => {
  it('an .xlsx workbook: one error saying to save it as CSV (en)', async () => {
    render(<Harness locale="en" />);
    await upload(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]), 'accounts.xlsx');
    const rows = await waitFor(() => {
      const r = screen.getAllByTestId('csv-error');
      expect(r.length).toBeGreaterThan(0);
      return r;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.textContent).toMatch(/looks like an Excel \.xlsx workbook/);
  });

  it('an error on every one of 300 rows: 100 listed, then how many more, under a "more than 100" title (zh-CN)', async () => {
    render(<Harness locale="zh-CN" />);
    const lines = ['source,target', ...Array.from({ length: 300 }, (_, i) => `u${i}@old.cn","u${i}@new.cn`)];
    await upload(new TextEncoder().encode(lines.join('\n')), 'broken.csv');
    const rows = await waitFor(() => {
      const r = screen.getAllByTestId('csv-error');
      expect(r.length).toBeGreaterThan(0);
      return r;
    });
    expect(rows).toHaveLength(101);
    expect(rows[0]!.getAttribute('data-line')).toBe('2');
    expect(rows[100]!.textContent).toContain('还有 200 个问题未列出');
    expect(screen.getByText(/超过 100 个问题/)).toBeTruthy();
  });
});
