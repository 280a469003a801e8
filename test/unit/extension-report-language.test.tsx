// @vitest-environment jsdom
/**
 * The exported report in the admin's language (issue 15 point 5): the dashboard asks for the
 * report in its language (report.export's `language`), and a Chinese report names its columns
 * in Chinese and words the error and the remedy from the code (no English engine text, no CLI
 * flag); an English report is as before (the engine's message and the English remedy).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { REQUESTS } from '../../shared/protocol';
import { reportCsv } from '../../bridge/service/report-csv';
import { makeAccount } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: unknown }> = [];
stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return { filename: 'r.csv', path: '/jobs/x/report.csv', csv: '\ufeffa\r\n' };
  }),
});
const { exportReport } = await import('../../extension/dashboard/monitor/export-report');

afterEach(() => {
  sent.length = 0;
});

const failed = makeAccount({
  source: 'zhang@old.example',
  error: {
    code: 'PLAINTEXT_REFUSED',
    message: 'Refusing to send the source password for zhang@old.example unencrypted to imap.old.example:143. Use imaps:// or STARTTLS, or pass --allow-plaintext for a trusted network.',
    remedy: { en: REMEDIES.PLAINTEXT_REFUSED.en, zh: REMEDIES.PLAINTEXT_REFUSED.zh },
    transient: false,
  },
});

const rows = (csv: string) => csv.replace(/^\ufeff/, '').trim().split('\r\n');

describe('report in the admin’s language', () => {
  it('the dashboard asks for the report in its language', async () => {
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    await exportReport('job_abcdef', 'zh-CN');
    expect(sent).toEqual([{ type: 'report.export', params: { jobId: 'job_abcdef', language: 'zh-CN' } }]);
    expect(REQUESTS['report.export'].params.parse({ jobId: 'job_abcdef' })).toEqual({ jobId: 'job_abcdef', language: 'en' });
  });

  it('Chinese: column names, error and remedy in Chinese, no engine text or CLI flag', () => {
    const [header, line] = rows(reportCsv([failed], 'zh-CN'));
    expect(header!.startsWith('原邮箱账号,新邮箱账号,导入方式')).toBe(true);
    expect(line).toContain('原邮箱的密码将以明文传输，因此没有发送。');
    expect(line).toContain(REMEDIES.PLAINTEXT_REFUSED.zh);
    expect(line).toContain('管理员导入（已知密码）');
    expect(line).not.toMatch(/Refusing|--allow-plaintext|unencrypted|admin-with-passwords/);
    expect(header!.split(',').length).toBe(rows(reportCsv([failed]))[0]!.split(',').length);
  });

  it('English: as before, the engine message and the English remedy', () => {
    const [header, line] = rows(reportCsv([failed]));
    expect(header!.startsWith('source,target,mode,status,status_zh')).toBe(true);
    expect(line).toContain('Refusing to send the source password');
    expect(line).toContain(REMEDIES.PLAINTEXT_REFUSED.en.slice(0, 40));
  });
});
