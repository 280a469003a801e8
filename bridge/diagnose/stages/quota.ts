import type { ImapFlow } from 'imapflow';
import type { QuotaReport } from '../../../shared/providers';
import type { StageContext } from './context';

async function readQuota(client: ImapFlow): Promise<QuotaReport> {
  const caps = [...client.capabilities.keys()];
  if (!caps.some((c) => c === 'QUOTA' || c.startsWith('QUOTA='))) {
    return { available: false, reason: 'not-advertised', detail: 'the server does not advertise QUOTA' };
  }
  const q = await client.getQuota('INBOX');
  if (!q) return { available: false, reason: 'error', detail: 'GETQUOTAROOT failed' };
  if (!q.quotaRoot) return { available: false, reason: 'no-quota-root', detail: 'GETQUOTAROOT INBOX named no quota root (no limit set)' };
  const resources: Extract<QuotaReport, { available: true }>['resources'] = [];
  for (const [key, value] of Object.entries(q)) {
    if (key === 'path' || key === 'quotaRoot' || !value || typeof value !== 'object') continue;
    const r = value as { usage?: number; limit?: number };
    resources.push({ name: key.toUpperCase(), usage: r.usage ?? 0, limit: r.limit ?? null });
  }
  return { available: true, root: q.quotaRoot, resources };
}

/** The quota of INBOX's quota root (GETQUOTAROOT), or why there is none to report. */
export async function quotaStage(ctx: StageContext, client: ImapFlow): Promise<void> {
  const { report } = ctx;
  const t = performance.now();
  const quota = await readQuota(client);
  report.fields.quota = quota;
  report.step('quota', quota.available ? 'ok' : 'skipped', performance.now() - t, quota.available ? quota.root : quota.reason);
}
