// @vitest-environment jsdom
/**
 * Two old mailboxes copied into one new mailbox put one person's mail into another person's
 * mailbox; a file pairing two sources with one target is refused row by row. The wizard sends
 * all its files in one job, and the bridge takes a row whose target another file already uses as
 * a second account into that mailbox, so the wizard must refuse it across files as well.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CsvImport } from '../../extension/dashboard/wizard/CsvImport';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import type { CheckedImport, ImportRules } from '../../extension/lib/csv-import';
import { accountFiles } from '../../extension/dashboard/wizard/start-job';
import { INITIAL_WIZARD } from '../../extension/dashboard/wizard/wizard-state';

afterEach(cleanup);

const KNOWN: ImportRules = { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false };
let latest: CheckedImport[] = [];

function Harness({ locale }: { locale: Locale }) {
  const [imports, setImports] = useState<CheckedImport[]>([]);
  latest = imports;
  return (
    <LocaleProvider initial={locale} persist={false}>
      <CsvImport imports={imports} onChange={setImports} rules={KNOWN} />
    </LocaleProvider>
  );
}

async function upload(text: string, name: string) {
  const f = new File([new TextEncoder().encode(text)], name, { type: 'text/csv' });
  await act(async () => fireEvent.change(screen.getByTestId('csv-input'), { target: { files: [f] } }));
}

describe('one new mailbox named by two files', () => {
  it.each(['en', 'zh-CN'] as const)('refuses the later file’s row (%s)', async (locale) => {
    render(<Harness locale={locale} />);
    await upload('source,target,source_password,target_password\na@old.com,a@new.com,p,q\n', 'first.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(1));
    await upload('source,target,source_password,target_password\nc@old.com,c@new.com,p,q\nb@old.com,A@new.com,p2,q2\n', 'second.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(2));
    const second = screen.getAllByTestId('csv-import')[1]!;
    expect(second.getAttribute('data-errors')).toBe('1');
    const row = within(second).getByTestId('csv-error');
    expect(row.getAttribute('data-line')).toBe('3');
    expect(row.textContent).toContain('first.csv');
    expect(row.textContent).toMatch(locale === 'zh-CN' ? /第 2 行/ : /line 2/);
    // No password in the message.
    expect(row.textContent).not.toMatch(/p2|q2/);
    // Nothing of the refused file would be sent.
    const { first, more } = accountFiles({ ...INITIAL_WIZARD, imports: latest });
    expect([...first, ...more].map((f) => f.fileName)).toEqual(['first.csv']);
  });

  it('still takes a later file that updates the same account (same source, same target)', async () => {
    render(<Harness locale="en" />);
    await upload('source,target,source_password,target_password\na@old.com,a@new.com,p,q\n', 'first.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(1));
    await upload('source,target,source_password,target_password\nA@old.com,a@new.com,p2,q2\n', 'second.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(2));
    expect(screen.getAllByTestId('csv-import')[1]!.getAttribute('data-errors')).toBe('0');
    expect(screen.getByTestId('csv-duplicates')).toBeTruthy();
  });

  it('checks the later file again when the earlier one is removed', async () => {
    render(<Harness locale="en" />);
    await upload('source,target,source_password,target_password\na@old.com,a@new.com,p,q\n', 'first.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(1));
    await upload('source,target,source_password,target_password\nb@old.com,a@new.com,p2,q2\n', 'second.csv');
    await waitFor(() => expect(screen.getAllByTestId('csv-import')[1]!.getAttribute('data-errors')).toBe('1'));
    fireEvent.click(screen.getByRole('button', { name: 'Remove first.csv' }));
    await waitFor(() => expect(screen.getAllByTestId('csv-import')).toHaveLength(1));
    expect(screen.getByTestId('csv-import').getAttribute('data-errors')).toBe('0');
  });
});
