/**
 * The warnings an account keeps from its passes (bridge/service/pass-warnings.ts): each distinct
 * one once with the passes that reported it, the latest pass's first, bounded, and only for the
 * target mailbox they are about.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../shared/errors';
import { addPassWarnings, shownWarnings, WARNING_TEXT_MAX } from '../../bridge/service/pass-warnings';

const renamed: ErrorInfo = { code: 'FOLDER_RENAMED', message: 'The target refused the folder name "v1.2" ("NO"); its mail goes to "v1．2" instead.' };
const date = (uid: number): ErrorInfo => ({ code: 'DATE_CHANGED', side: 'target', message: `UID ${uid} of "INBOX" was copied …` });
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';
const T3 = '2026-12-01T10:10:00.000Z';

describe('warnings kept from the passes', () => {
  it('counts a warning each pass repeats once, keeps an earlier one as earlier, latest pass first', () => {
    const first = addPassWarnings(null, 'k', [renamed, date(1), date(1)], T1);
    expect(first.items.map((w) => [w.code, w.passes, w.latest])).toEqual([['FOLDER_RENAMED', 1, true], ['DATE_CHANGED', 1, true]]);
    expect(first.items[1]!.side).toBe('target');
    const second = addPassWarnings(first, 'k', [date(2), renamed], T2);
    expect(second.items.map((w) => [w.message.slice(0, 5), w.passes, w.latest, w.firstAt, w.lastAt])).toEqual([
      ['UID 2', 1, true, T2, T2],
      ['The t', 2, true, T1, T2],
      ['UID 1', 1, false, T1, T1],
    ]);
    // A pass without warnings leaves them all as earlier ones.
    expect(addPassWarnings(second, 'k', [], T3).items.every((w) => !w.latest)).toBe(true);
  });

  it('is bounded: the latest pass first, the rest counted as omitted', () => {
    const kept = addPassWarnings(null, 'k', [date(1), date(2), date(3)], T1, 4);
    const next = addPassWarnings(kept, 'k', [date(4), date(5)], T2, 4);
    expect(next.items.map((w) => w.message.slice(0, 5))).toEqual(['UID 4', 'UID 5', 'UID 1', 'UID 2']);
    expect(shownWarnings(next, 'k').warningsOmitted).toBe(1);
  });

  it('counts a warning the cap left out once, however many passes repeat it', () => {
    // Six folders the target renames on every pass, kept at most four: two are left out, pass after pass.
    const six = [1, 2, 3, 4, 5, 6].map(date);
    let kept = addPassWarnings(null, 'k', six, T1, 4);
    for (let i = 0; i < 20; i++) kept = addPassWarnings(kept, 'k', six, T2, 4);
    expect(kept.items).toHaveLength(4);
    expect(shownWarnings(kept, 'k').warningsOmitted).toBe(2);
    // One left out that a later pass reports alone is listed again, no longer counted as left out.
    const back = addPassWarnings(kept, 'k', [date(6)], T3, 4);
    expect(back.items[0]!.message.slice(0, 5)).toBe('UID 6');
    expect(back.items.length + shownWarnings(back, 'k').warningsOmitted).toBe(6);
  });

  it("keeps a bounded part of a long text (a server's refusal quoted in full), once", () => {
    const long: ErrorInfo = { code: 'FOLDER_RENAMED', message: `The target refused the folder name "x" ("NO ${'too long '.repeat(20_000)}"); its mail goes to "y" instead.` };
    const kept = addPassWarnings(addPassWarnings(null, 'k', [long], T1), 'k', [long], T2);
    expect(kept.items).toHaveLength(1);
    expect(kept.items[0]!.passes).toBe(2);
    expect(kept.items[0]!.message.length).toBeLessThanOrEqual(WARNING_TEXT_MAX);
    expect(kept.items[0]!.message.startsWith('The target refused the folder name "x" ("NO too long')).toBe(true);
    expect(JSON.stringify(kept).length).toBeLessThan(2 * WARNING_TEXT_MAX);
  });

  it('another mailbox starts a new list, and shows none of the old one', () => {
    const old = addPassWarnings(null, 'account:a', [renamed], T1);
    expect(shownWarnings(old, 'account:a:mailbox-1')).toEqual({ warnings: [], warningsOmitted: 0 });
    expect(addPassWarnings(old, 'account:a:mailbox-1', [date(1)], T2).items.map((w) => w.code)).toEqual(['DATE_CHANGED']);
  });
});
