// @vitest-environment jsdom
/**
 * Wizard refinements (issue 15 points 6, 7, 10): 加密方式 keeps a typed port; the account files are
 * checked again when the target's login changes; the file summary counts every data row; "1
 * account"; the review step previews the accounts and sets the CLI's date and folder filters.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useReducer, useState } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccountsStep } from '../../extension/dashboard/wizard/AccountsStep';
import { CsvImport } from '../../extension/dashboard/wizard/CsvImport';
import { jobFilters, sinceDate } from '../../extension/dashboard/wizard/job-filters';
import { ReviewStep } from '../../extension/dashboard/wizard/ReviewStep';
import { ServerFields } from '../../extension/dashboard/wizard/ServerFields';
import { jobSpec } from '../../extension/dashboard/wizard/start-job';
import { EMPTY_SERVER, INITIAL_WIZARD, dataRowCount, wizardReducer, type ServerDraft, type WizardState } from '../../extension/dashboard/wizard/wizard-state';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { checkImport, type CheckedImport } from '../../extension/lib/csv-import';

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 320 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
});

const bytes = (text: string) => new TextEncoder().encode(text);

function Servers() {
  const [value, setValue] = useState<ServerDraft>(EMPTY_SERVER);
  return (
    <LocaleProvider initial="en" persist={false}>
      <ServerFields idPrefix="source" value={value} onChange={setValue} />
    </LocaleProvider>
  );
}

describe('加密方式 and the port', () => {
  it('suggests the usual port while the field holds the previous default, keeps a typed one', () => {
    const { container } = render(<Servers />);
    const port = container.querySelector<HTMLInputElement>('input[name="source-port"]')!;
    const security = container.querySelector<HTMLSelectElement>('select[name="source-security"]')!;
    fireEvent.change(security, { target: { value: 'starttls' } });
    expect(port.value).toBe('143');
    fireEvent.change(port, { target: { value: '44841' } });
    fireEvent.change(security, { target: { value: 'tls' } });
    expect(port.value).toBe('44841');
    fireEvent.change(security, { target: { value: 'plain' } });
    expect(port.value).toBe('44841');
  });
});

describe('account files follow the target login', () => {
  it('errors of the old login mode go when it changes, without a new upload', () => {
    // No target password: an error while each account logs in itself, fine with an admin login.
    const csv = bytes('source,target,source_password\na@old.example.com,a@new.example.com,pw\n');
    let state: WizardState = { ...INITIAL_WIZARD, imports: [checkImport('i1', 'a.csv', csv, { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false })] };
    expect(state.imports[0]!.errors.length).toBe(1);
    state = wizardReducer(state, { type: 'patch', patch: { targetLogin: 'admin' } });
    expect(state.imports[0]!.errors).toEqual([]);
    expect(state.imports[0]!.id).toBe('i1');
    state = wizardReducer(state, { type: 'patch', patch: { targetLogin: 'per-account' } });
    expect(state.imports[0]!.errors.length).toBe(1);
  });

  it('the accounts step shows the re-checked file', () => {
    const csv = bytes('source,target,source_password\na@old.example.com,a@new.example.com,pw\n');
    const imports: CheckedImport[] = [checkImport('i1', 'a.csv', csv, { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false })];
    function Harness() {
      const [state, dispatch] = useReducer(wizardReducer, { ...INITIAL_WIZARD, imports });
      return (
        <LocaleProvider initial="en" persist={false}>
          <button type="button" onClick={() => dispatch({ type: 'patch', patch: { targetLogin: 'admin' } })}>
            admin
          </button>
          <AccountsStep state={state} patch={(patch) => dispatch({ type: 'patch', patch })} />
        </LocaleProvider>
      );
    }
    render(<Harness />);
    expect(screen.getByTestId('csv-import').dataset.errors).toBe('1');
    fireEvent.click(screen.getByText('admin'));
    expect(screen.getByTestId('csv-import').dataset.errors).toBe('0');
    expect(screen.getByTestId('accounts-total').textContent).toBe('1 account ready');
  });
});

describe('the file summary', () => {
  it('counts every data row, good or bad', () => {
    const csv = bytes('source,target,source_password,target_password\na@o.example.com,a@n.example.com,p,q\nb@o.example.com,b@n.example.com,p,q\nnot-an-address@,c@n.example.com,p,q\nd@o.example.com,d@n.example.com,p,q\n');
    const imp = checkImport('i1', 'f.csv', csv, { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false });
    expect(imp.rows.length).toBe(3);
    expect(dataRowCount(imp)).toBe(4);
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <CsvImport imports={[imp]} onChange={() => undefined} rules={{ mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false }} />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('csv-import').textContent).toContain('4 行');
    expect(screen.getByTestId('csv-import').textContent).toContain('发现 1 处问题');
  });
});

describe('review: preview and filters', () => {
  const rows = Array.from({ length: 600 }, (_, i) => `u${i}@old.example.com,u${i}@new.example.com,p,q`).join('\n');
  const imp = checkImport('i1', 'big.csv', bytes(`source,target,source_password,target_password\n${rows}\n`), { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false });

  function Review({ initial }: { initial: WizardState }) {
    const [state, dispatch] = useReducer(wizardReducer, initial);
    return (
      <LocaleProvider initial="zh-CN" persist={false}>
        <ReviewStep state={state} patch={(patch) => dispatch({ type: 'patch', patch })} defaultName="job" />
        <output data-testid="spec">{JSON.stringify(jobSpec(state, 'job').filters)}</output>
      </LocaleProvider>
    );
  }

  it('lists the imported accounts, only the visible ones in the DOM', () => {
    render(<Review initial={{ ...INITIAL_WIZARD, imports: [imp] }} />);
    expect(screen.getByTestId('accounts-preview').textContent).toContain('将搬家的账号（600）');
    const shown = screen.getAllByTestId('preview-row');
    expect(shown[0]!.textContent).toContain('u0@old.example.com');
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(60);
  });

  it('近 N 个月邮件 and 指定文件夹 go into the job spec as the CLI filters', () => {
    const { container } = render(<Review initial={{ ...INITIAL_WIZARD, imports: [imp] }} />);
    expect(JSON.parse(screen.getByTestId('spec').textContent!)).toEqual({ since: null, includeFolders: [], excludeFolders: [] });
    expect(screen.getByTestId('review-filters').textContent).toBe('全部邮件、全部文件夹');
    fireEvent.click(screen.getByLabelText('近 N 个月邮件'));
    fireEvent.change(container.querySelector('input[name="recent-months"]')!, { target: { value: '3' } });
    fireEvent.click(screen.getByLabelText('指定文件夹（只搬这些）'));
    fireEvent.change(container.querySelector('textarea[name="folder-list"]')!, { target: { value: 'INBOX\nSent\n\nINBOX' } });
    const spec = JSON.parse(screen.getByTestId('spec').textContent!);
    expect(spec).toEqual({ since: sinceDate(3), includeFolders: ['INBOX', 'Sent'], excludeFolders: [] });
    expect(screen.getByTestId('review-filters').textContent).toContain('只搬：INBOX、Sent');
  });

  it('counts months back from the start day', () => {
    expect(sinceDate(6, new Date('2026-12-04T10:00:00Z'))).toBe('2026-06-04');
    expect(jobFilters({ mailRange: 'all', recentMonths: '6', folderScope: 'exclude', folderList: 'Spam\nTrash' }).excludeFolders).toEqual(['Spam', 'Trash']);
  });
});
