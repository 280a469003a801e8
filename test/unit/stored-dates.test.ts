import { describe, expect, it } from 'vitest';
import { changedDates, changedDateWarnings, dateAtRisk, type DateSuspect } from '../../bridge/engine/stored-dates';

const now = Date.UTC(2026, 11, 6, 12, 0, 0);
const suspect = (targetUid: number, iso: string): DateSuspect => ({ sourceFolder: 'Sent', folder: 'Sent Items', uid: targetUid + 100, targetUid, sent: new Date(iso) });
const reading = (entries: Array<[number, string]>) => new Map(entries.map(([uid, iso]) => [`Sent Items\n${uid}`, new Date(iso)]));

describe('INTERNALDATE read-back', () => {
  it('reads back only dates before 2 January 1970 or more than an hour ahead of now', () => {
    for (const iso of ['1965-06-01T12:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '1970-01-01T23:59:59Z', '2026-12-06T13:00:01Z', '2026-12-06T15:00:00Z', '2099-01-01T00:00:00Z']) {
      expect(dateAtRisk(new Date(iso), now), iso).toBe(true);
    }
    // A source clock a few minutes fast costs no read-back.
    for (const iso of ['1970-01-02T00:00:00Z', '2001-09-09T01:46:40Z', '2026-12-06T12:00:00Z', '2026-12-06T12:05:00Z', '2026-12-06T13:00:00Z']) {
      expect(dateAtRisk(new Date(iso), now), iso).toBe(false);
    }
  });

  it('a date that differs in any reading is changed, with the last date read; the same second is kept; a gone copy is not changed', () => {
    const suspects = [suspect(1, '1965-06-01T12:00:00.400Z'), suspect(2, '2099-01-01T12:00:00Z'), suspect(3, '1950-01-01T00:00:00Z'), suspect(4, '2099-05-05T00:00:00Z')];
    // Dovecot: the first session to ask sees the date given, the next one the cached 32-bit one.
    const first = reading([[1, '1965-06-01T12:00:00Z'], [2, '2026-12-06T12:00:00Z'], [3, '1950-01-01T00:00:00Z']]);
    const second = reading([[1, '2101-07-08T18:28:16Z'], [2, '2026-12-06T12:00:00Z'], [3, '1950-01-01T00:00:00Z']]);
    const changed = changedDates(suspects, [first, second]);
    expect(changed.map((c) => [c.targetUid, c.stored.toISOString()])).toEqual([
      [1, '2101-07-08T18:28:16.000Z'],
      [2, '2026-12-06T12:00:00.000Z'],
    ]);
    const [w] = changedDateWarnings(changed.slice(0, 1), (uid) => `message #${uid}`);
    expect(w).toMatchObject({ code: 'DATE_CHANGED', side: 'target' });
    expect(w!.message).toContain('message #101 of "Sent" was copied to "Sent Items" (target UID 1) with the date 1965-06-01T12:00:00.400Z, but the target keeps 2101-07-08T18:28:16.000Z');
  });
});
