// @vitest-environment jsdom
/**
 * The cut-over step's "new provider" is the job's own when the job's new system is a provider
 * with known DNS records; for another IMAP server none is picked for the admin (it defaulted to
 * Tencent Exmail, and the DNS check then compared the domain with Exmail's records).
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { stubPageClient } from './extension-doubles';

const sent: string[] = [];
const send = vi.fn(async (type: string) => {
  sent.push(type);
  return type === 'cutover.get' ? { cutover: null } : {};
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async (m: { kind: string }) => send(m.kind)) });

const { CutoverStep } = await import('../../extension/dashboard/cutover/CutoverStep');

afterEach(cleanup);

const targetSelect = () => document.querySelector<HTMLSelectElement>('select[name="cutover-target"]')!;

describe("the cut-over step's new provider", () => {
  it.each([
    ['generic', '', 'Choose the new provider'],
    [null, '', 'Choose the new provider'],
    ['aliyun', 'aliyun', null],
  ] as const)('job target %s: selected %j', async (defaultTarget, selected, placeholder) => {
    render(
      <LocaleProvider initial="en" persist={false}>
        <CutoverStep jobId="job_abcdef" connected defaultTarget={defaultTarget} />
      </LocaleProvider>,
    );
    await waitFor(() => expect(sent).toContain('cutover.get'));
    expect(targetSelect().value).toBe(selected);
    expect(targetSelect().required).toBe(true);
    if (placeholder) expect(targetSelect().selectedOptions[0]!.textContent).toBe(placeholder);
  });

  it('in Chinese, the placeholder is Chinese', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <CutoverStep jobId="job_abcdef" connected defaultTarget="generic" />
      </LocaleProvider>,
    );
    await waitFor(() => expect(targetSelect().selectedOptions[0]!.textContent).toBe('请选择新服务商'));
    expect(screen.getByTestId('cutover-save')).toBeTruthy();
  });
});
