/**
 * Desktop notifications: an account failed, or a job's first pass is over (every started
 * account copied its mailbox once, or failed). Each job's first pass is announced once.
 */
import { browser } from 'wxt/browser';
import type { StatusChange } from '../db/mirror';
import { db, type MailmoverDb } from '../db/schema';
import { translator, type Locale } from '../i18n';

const PASS_OVER = new Set(['first_pass_done', 'syncing', 'failed', 'closed']);

export async function notifyChanges(changes: StatusChange[], locale: Locale, d: MailmoverDb = db()): Promise<void> {
  const t = translator(locale);
  for (const { account, previous } of changes) {
    if (account.status === 'failed' && previous?.status !== 'failed') {
      await show(`failed-${account.id}`, t('notifyFailedTitle'), t('notifyFailedBody', { account: account.source, code: account.error?.code ?? '' }));
    }
  }
  const jobs = new Set(changes.filter((c) => c.account.firstPassDoneAt || c.account.status === 'failed').map((c) => c.account.jobId));
  if (!jobs.size) return;
  const notified = new Set(((await d.settings.get('notifiedJobs'))?.value as string[] | undefined) ?? []);
  for (const jobId of jobs) {
    if (notified.has(jobId)) continue;
    const accounts = await d.accounts.where('jobId').equals(jobId).toArray();
    const started = accounts.filter((a) => a.startedAt);
    if (!started.length) continue;
    const over = started.every((a) => PASS_OVER.has(a.status) || a.firstPassDoneAt);
    if (!over) continue;
    notified.add(jobId);
    const job = await d.jobs.get(jobId);
    const failed = started.filter((a) => a.status === 'failed').length;
    await show(
      `job-${jobId}`,
      t('notifyJobTitle', { job: job?.name ?? jobId }),
      t('notifyJobBody', { done: started.length - failed, failed }),
    );
    await d.events.add({ time: new Date().toISOString(), kind: 'job-first-pass-done', jobId, accountId: null, from: null, to: null, code: null });
  }
  await d.settings.put({ key: 'notifiedJobs', value: [...notified] });
}

async function show(id: string, title: string, message: string): Promise<void> {
  try {
    await browser.notifications.create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title,
      message,
    });
  } catch {
    // Notifications switched off for the browser: the monitor shows the same.
  }
}
