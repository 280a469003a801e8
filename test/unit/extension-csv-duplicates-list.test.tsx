// @vitest-environment jsdom
/**
 * The wizard's "already in an earlier file" list under an import. Found walking the wizard with a
 * 30-person company's file dropped twice: the title said 30 accounts but the list stopped at 20
 * rows without a word about the other 10; and a file refused for its errors (nothing of it is
 * imported) still said it "will update" the accounts of the earlier file.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CsvImport } from '../../extension/dashboard/wizard/CsvImport';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import type { CheckedImport, ImportRules } from '../../extension/lib/csv-import';

afterEach(cleanup);

const KNOWN: ImportRules = { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false };

function Harness({ locale }: { locale: Locale }) {
  const [imports, setImports] = useState<CheckedImport[]>([]);
  return (
    <LocaleProvider initial={locale} persist={false}>
      <CsvImport imports={imports} onChange={setImports} rules={KNOWN} />
    </LocaleProvider>
  );
}

const staff = (n: number) => ['source,target,source_password,target_password', ...Array.from({ length: n }, (_, i) => `u${i}@hxkj.cn,u${i}@hxkj.cn,"o,${i}","n""${i}"`)].join('\r\n');

async function upload(text: string, name: string) {
  await act(async () => {
    fireEvent.change(screen.getByTestId('csv-input'), { target: { files: [new File([new TextEncoder().encode(text)], name, { type: 'text/csv' })] } });
  });
}

describe('accounts already in an earlier file', () => {
  it('a list longer than shown says how many more there are (Chinese)', async () => {
    render(<Harness locale="zh-CN" />);
    await upload(staff(30), 'first.csv');
    await upload(staff(30), 'again.csv');
    const box = await waitFor(() => screen.getByTestId('csv-duplicates'));
    expect(box.textContent).toContain('30 个账号已在之前的文件中');
    expect(within(box).getAllByRole('listitem')).toHaveLength(21);
    expect(within(box).getAllByRole('listitem').at(-1)!.textContent).toContain('另有 10 个');
  });

  it('a list that fits has no such line (English)', async () => {
    render(<Harness locale="en" />);
    await upload(staff(3), 'first.csv');
    await upload(staff(3), 'again.csv');
    const box = await waitFor(() => screen.getByTestId('csv-duplicates'));
    expect(within(box).getAllByRole('listitem')).toHaveLength(3);
    expect(box.textContent).not.toMatch(/more/);
  });

  it('a file refused for its errors does not claim to update anything', async () => {
    render(<Harness locale="en" />);
    await upload(staff(3), 'first.csv');
    // Row 3 shares its target with row 2: the whole file is refused, so it updates nothing.
    await upload('source,target,source_password,target_password\r\nu0@hxkj.cn,u0@hxkj.cn,a,b\r\nnew@hxkj.cn,U0@hxkj.cn,c,d\r\n', 'bad.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-error').length).toBeGreaterThan(0));
    expect(screen.queryByTestId('csv-duplicates')).toBeNull();
  });
});
