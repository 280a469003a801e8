import type { Locale } from '../../i18n';
import { bridgeRequest } from '../../lib/page-client';

/** report.export → a CSV file the browser saves (UTF-8 with BOM, made by the bridge), in the admin's language. */
export async function exportReport(jobId: string, language: Locale = 'en'): Promise<string> {
  const { filename, csv } = await bridgeRequest('report.export', { jobId, language });
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
}
