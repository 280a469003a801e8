import { createHash } from 'node:crypto';
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
  /**
   * The distinct warnings the cap left out, by key (warningKey), most recent first: a pass
   * repeating one is not counted again, and one a later pass lists again is no longer counted.
   */
  dropped: z.array(z.string()).default([]),
  /** Distinct warnings left out beyond those `dropped` keeps (DROPPED_KEYS_CAP). */
  omitted: z.number().int().nonnegative().default(0),
});
export type StoredWarnings = z.infer<typeof StoredWarningsSchema>;

/**
 * Left-out warnings tracked by key at most: a few tens of KB per account. Beyond it they are only
 * counted (`omitted`), where one that comes back could be counted twice; that takes thousands
 * of distinct warnings in one mailbox.
 */
export const DROPPED_KEYS_CAP = 2000;

/** A short key of a warning (code and text): enough to tell thousands apart, not its text again. */
const warningKey = (w: { code: string; message: string }): string => createHash('sha256').update(`${w.code}\n${w.message}`).digest('base64url').slice(0, 16);

/**
 * The most of a warning's text kept: it quotes a server's words (a refusal of a folder name),
 * as long as the server makes them, and up to ACCOUNT_WARNINGS_CAP of them are stored in the
 * account's row and sent with every view of it. The start says which folder and why.
 */
export const WARNING_TEXT_MAX = 2000;
const bounded = (text: string): string => (text.length <= WARNING_TEXT_MAX ? text : `${text.slice(0, WARNING_TEXT_MAX - 1)}…`);

const same = (a: { code: string; message: string }, b: { code: string; message: string }) => a.code === b.code && a.message === b.message;

/**
 * Adds one pass's warnings to what the account kept (`kept`, null: none yet or of another scope).
 * Every warning is kept once: one the pass repeats counts one more pass; one it does not is kept
 * as an earlier pass's. The latest pass's come first in the engine's order, then the earlier ones,
 * most recent first, up to `cap`: the engine bounds one pass's list (it counts many changed dates
 * in one warning), and an account syncing every few minutes for weeks must not grow without end.
 */
export function addPassWarnings(kept: StoredWarnings | null, scope: string, pass: readonly ErrorInfo[], at: string, cap = ACCOUNT_WARNINGS_CAP): StoredWarnings {
  const before: StoredWarnings = kept && kept.scope === scope ? kept : { scope, items: [], dropped: [], omitted: 0 };
  const latest: AccountWarning[] = [];
  for (const full of pass) {
    const w = { ...full, message: bounded(full.message) };
    if (latest.some((x) => same(x, w))) continue;
    const old = before.items.find((x) => same(x, w));
    latest.push({
      code: w.code,
      message: w.message,
      ...(w.side ? { side: w.side } : {}),
      ...(w.facts ? { facts: w.facts } : {}),
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
  // Counted once each: a warning every pass repeats but the cap leaves out used to add one per pass.
  const listed = new Set(latest.map(warningKey));
  const left = [...new Set([...all.slice(cap).map(warningKey), ...before.dropped.filter((k) => !listed.has(k))])];
  const overflow = Math.max(0, left.length - DROPPED_KEYS_CAP);
  return { scope, items: all.slice(0, cap), dropped: left.slice(0, DROPPED_KEYS_CAP), omitted: before.omitted + overflow };
}

/** The warnings an account shows: those of its current target mailbox only. */
export function shownWarnings(stored: StoredWarnings | null, scope: string): { warnings: AccountWarning[]; warningsOmitted: number } {
  if (!stored || stored.scope !== scope) return { warnings: [], warningsOmitted: 0 };
  return { warnings: stored.items, warningsOmitted: stored.dropped.length + stored.omitted };
}
