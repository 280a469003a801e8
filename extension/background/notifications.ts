/**
 * Desktop notifications: an account failed, or a job's first pass is over (the bridge's
 * job.firstPassDone event: every started account copied its mailbox once, or failed).
 */
import { browser } from 'wxt/browser';
import type { StatusChange } from '../db/mirror';
import { db, type MailmoverDb } from '../db/schema';
import type { EventData } from '../../shared/protocol/events';
import { pickLocale, translator, type Locale } from '../i18n';
import { readLocale } from '../lib/storage-items';

export async function notifyChanges(changes: StatusChange[], locale: Locale, d: MailmoverDb = db()): Promise<void> {
  const t = translator(locale);
  for (const { account, previous } of changes) {
    if (account.status === 'failed' && previous?.status !== 'failed') {
      await show(`failed-${account.id}`, t('notifyFailedTitle'), t('notifyFailedBody', { account: account.source, code: account.error?.code ?? '' }));
    }
  }
}

/**
 * A job's first pass is over: the bridge says so once (job.firstPassDone, sent again only after
 * accounts added or reopened finish theirs), so the announcement follows the event.
 */
export async function notifyJobFirstPassDone(data: EventData<'job.firstPassDone'>, locale?: Locale, d: MailmoverDb = db()): Promise<void> {
  const key = `${data.job.id}@${data.at}`;
  const notified = new Set(((await d.settings.get('notifiedJobs'))?.value as string[] | undefined) ?? []);
  if (notified.has(key)) return;
  notified.add(key);
  await d.settings.put({ key: 'notifiedJobs', value: [...notified].slice(-200) });
  const t = translator(locale ?? (await storedLocale()));
  await show(`job-${data.job.id}`, t('notifyJobTitle', { job: data.job.name }), t('notifyJobBody', { done: data.done, failed: data.failed }));
  await d.events.add({ time: data.at, kind: 'job-first-pass-done', jobId: data.job.id, accountId: null, from: null, to: null, code: null });
}

async function storedLocale(): Promise<Locale> {
  try {
    const v = await readLocale();
    if (v) return v;
  } catch {
    // no storage (tests): the browser's language
  }
  return pickLocale(navigator.language);
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
