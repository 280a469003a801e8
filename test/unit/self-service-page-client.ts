/**
 * The bridge as the self-service page's tests see it (vi.mock of extension/lib/page-client):
 * every request is kept in `sent`; account.credentials answers with the mirror's account, and
 * endpoint.test with a login that worked.
 */
import { vi } from 'vitest';
import type { MailmoverDb } from '../../extension/db/schema';

export const sent: Array<{ type: string; params: unknown }> = [];
let mirror: MailmoverDb | undefined;

/** The mirror the answers read the account from; also forgets what earlier tests sent. */
export function answerFrom(db: MailmoverDb): void {
  mirror = db;
  sent.length = 0;
}

export const pageClientMock = {
  PageRequestError: class extends Error {},
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return { account: await mirror?.accounts.get('acc_self') };
  }),
  bridgeRequestRaw: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return { ok: true, error: null, folders: 4, ms: 30, report: null };
  }),
};
