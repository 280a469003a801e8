// @vitest-environment jsdom
/**
 * The wizard's CSV import (extension/dashboard/wizard/CsvImport.tsx): every bad row is shown
 * with its line number and reason before anything starts, duplicates of earlier imports are
 * flagged, the 1000-row limit is explained, GBK files with the seed's Chinese headers are read.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import iconv from 'iconv-lite';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CsvImport } from '../../extension/dashboard/wizard/CsvImport';
import { en } from '../../extension/i18n/en';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { zhCN } from '../../extension/i18n/zh-CN';
import type { Locale } from '../../extension/i18n';
import type { CheckedImport, ImportRules } from '../../extension/lib/csv-import';

afterEach(cleanup);

function Harness({ rules, locale = 'en' }: { rules: ImportRules; locale?: Locale }) {
  const [imports, setImports] = useState<CheckedImport[]>([]);
  return (
    <LocaleProvider initial={locale} persist={false}>
      <CsvImport imports={imports} onChange={setImports} rules={rules} />
    </LocaleProvider>
  );
}

const KNOWN: ImportRules = { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false };

function file(text: string | Buffer, name = 'accounts.csv'): File {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text);
  return new File([bytes], name, { type: 'text/csv' });
}

async function upload(f: File) {
  const input = screen.getByTestId('csv-input');
  await act(async () => {
    fireEvent.change(input, { target: { files: [f] } });
  });
}

describe('CsvImport', () => {
  it('lists every bad row with its line number and reason', async () => {
    render(<Harness rules={KNOWN} />);
    await upload(
      file(
        [
          'source,target,source_password,target_password',
          'a@old.com,a@new.com,pa,na',
          'not-an-address@,b@new.com,pb,nb',
          'c@old.com,c@new.com,,nc',
          'a@old.com,d@new.com,pd,nd',
        ].join('\n'),
      ),
    );
    await waitFor(() => expect(screen.getAllByTestId('csv-error').length).toBeGreaterThanOrEqual(3));
    const lines = screen.getAllByTestId('csv-error').map((r) => Number(r.getAttribute('data-line')));
    expect(lines).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(lines).not.toContain(2);
    const row4 = screen.getAllByTestId('csv-error').find((r) => r.getAttribute('data-line') === '4')!;
    expect(row4.textContent).toMatch(/old password/i);
    expect(screen.getByTestId('csv-import').getAttribute('data-errors')).not.toBe('0');
    expect(screen.getByText(/problems — nothing from this file is imported/)).toBeTruthy();
  });

  it('shows the reasons in Chinese when the page is Chinese', async () => {
    render(<Harness rules={KNOWN} locale="zh-CN" />);
    await upload(file('待搬家账号,搬家账号,待搬家账号密码,搬家账号密码\n张三@old.com,zs@new.com,,x\n'));
    await waitFor(() => screen.getByTestId('csv-error'));
    expect(screen.getByTestId('csv-error').textContent).toContain('待搬家账号密码为空');
    expect(screen.getByText('行号')).toBeTruthy();
  });

  it('reads a GBK file with the seed’s Chinese headers', async () => {
    render(<Harness rules={KNOWN} />);
    const gbk = iconv.encode('待搬家账号,搬家账号,待搬家账号密码,搬家账号密码\r\nzhang@old.com,zhang@new.com,旧密码,新密码\r\n', 'gbk');
    await upload(file(gbk, '账号.csv'));
    await waitFor(() => screen.getByText(/All 1 rows are valid/));
    expect(screen.getByText(/GBK\/GB18030 · Chinese headers/)).toBeTruthy();
  });

  it('flags accounts already imported by an earlier file', async () => {
    render(<Harness rules={KNOWN} />);
    await upload(file('source,target,source_password,target_password\na@old.com,a@new.com,p,q\n', 'first.csv'));
    await waitFor(() => screen.getByText(/All 1 rows are valid/));
    await upload(file('source,target,source_password,target_password\nb@old.com,b@new.com,p,q\nA@old.com,a@new.com,p2,q2\n', 'second.csv'));
    const dup = await screen.findByTestId('csv-duplicates');
    expect(dup.textContent).toContain('line 3: A@old.com (also first.csv, line 2)');
    expect(screen.getAllByTestId('csv-import')).toHaveLength(2);
  });

  it('explains the 1000-row limit on the first row beyond it', async () => {
    render(<Harness rules={KNOWN} />);
    const rows = ['source,target,source_password,target_password'];
    for (let i = 0; i < 1001; i++) rows.push(`u${i}@old.com,u${i}@new.com,p,q`);
    await upload(file(rows.join('\n')));
    const error = await screen.findByTestId('csv-error');
    expect(error.getAttribute('data-line')).toBe('1002');
    expect(error.textContent).toMatch(/at most 1000/);
  });

  it('refuses passwords in a mode where employees supply them, and different addresses without passwords', async () => {
    render(<Harness rules={{ mode: 'admin-without-passwords', sourceAdmin: false, targetAdmin: false }} />);
    await upload(file('source,target,source_password\na@old.com,a@old.com,secret\nb@old.com,b@new.com,\n'));
    await waitFor(() => expect(screen.getAllByTestId('csv-error')).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('csv-error');
    expect(first!.textContent).toMatch(/employee supplies the old password/);
    expect(second!.textContent).toMatch(/must be the same/);
    // No password ever appears in an error.
    expect(document.body.textContent).not.toContain('secret');
  });

  it('names the other plans as the plan picker does when an old password is missing', async () => {
    for (const [locale, dict] of [['en', en], ['zh-CN', zhCN]] as const) {
      render(<Harness rules={KNOWN} locale={locale} />);
      await upload(file('source,target,source_password,target_password\na@old.com,a@new.com,,q\n'));
      const error = await screen.findByTestId('csv-error');
      const quoted = (name: string) => (locale === 'en' ? `"${name}"` : `“${name}”`);
      expect(error.textContent).toContain(quoted(dict.modeUnknown));
      expect(error.textContent).toContain(quoted(dict.modeSelf));
      expect(error.textContent).toContain(locale === 'en' ? 'old and new address must be the same' : '邮箱地址须相同');
      // No plan of that name exists.
      expect(error.textContent).not.toMatch(/"employees supply their password"|“员工自行提供密码”/);
      cleanup();
    }
  });

  it('removes an import', async () => {
    render(<Harness rules={KNOWN} />);
    await upload(file('source,target\nx\n', 'bad.csv'));
    const item = await screen.findByTestId('csv-import');
    fireEvent.click(within(item).getByRole('button', { name: 'Remove bad.csv' }));
    expect(screen.queryByTestId('csv-import')).toBeNull();
  });
});
