import { z } from 'zod';
import type { ErrorInfo } from '../../shared/errors';
import { ACCOUNT_WARNINGS_CAP, AccountWarningSchema, type AccountWarning } from '../../shared/protocol/account';

/**
 * The warnings an account keeps from its passes, and which target mailbox they are about
 * (`scope`: the engine state key, engineKey). A pass into another mailbox (the job's new
 * target server, or the account imported again towards another address) starts a new list:
 * a renamed folder or a date the old target did not keep says nothing about the new one.
 */
export const StoredWarningsSchema = z.object({
  scope: z.string(),
  items: z.array(AccountWarningSchema),
  /** Distinct warnings dropped by the cap so far. */
  omitted: z.number().int().nonnegative().default(0),
});
export type StoredWarnings = z.infer<typeof StoredWarningsSchema>;

const same = (a: { code: string; message: string }, b: { code: string; message: string }) => a.code === b.code && a.message === b.message;

/**
 * Adds one pass's warnings to what the account kept (`kept`, null: none yet or of another scope).
 * Every warning is kept once: one the pass repeats counts one more pass; one it does not is kept
 * as an earlier pass's. The latest pass's come first in the engine's order, then the earlier ones,
 * most recent first, up to `cap`: the engine bounds one pass's list (it counts many changed dates
 * in one warning), and an account syncing every few minutes for weeks must not grow without end.
 */
export function addPassWarnings(kept: StoredWarnings | null, scope: string, pass: readonly ErrorInfo[], at: string, cap = ACCOUNT_WARNINGS_CAP): StoredWarnings {
  const before = kept && kept.scope === scope ? kept : { scope, items: [], omitted: 0 };
  const latest: AccountWarning[] = [];
  for (const w of pass) {
    if (latest.some((x) => same(x, w))) continue;
    const old = before.items.find((x) => same(x, w));
    latest.push({
      code: w.code,
      message: w.message,
      ...(w.side ? { side: w.side } : {}),
      passes: (old?.passes ?? 0) + 1,
      firstAt: old?.firstAt ?? at,
      lastAt: at,
      latest: true,
    });
  }
  const earlier = before.items
    .filter((x) => !latest.some((l) => same(l, x)))
    .map((x) => ({ ...x, latest: false }))
    .sort((a, b) => b.lastAt.localeCompare(a.lastAt));
  const all = [...latest, ...earlier];
  return { scope, items: all.slice(0, cap), omitted: before.omitted + Math.max(0, all.length - cap) };
}

/** The warnings an account shows: those of its current target mailbox only. */
export function shownWarnings(stored: StoredWarnings | null, scope: string): { warnings: AccountWarning[]; warningsOmitted: number } {
  if (!stored || stored.scope !== scope) return { warnings: [], warningsOmitted: 0 };
  return { warnings: stored.items, warningsOmitted: stored.omitted };
}
