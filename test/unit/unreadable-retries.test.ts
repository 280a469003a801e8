/**
 * How often a folder's messages the source could not read are tried again by runs that
 * space their tries (takeUnreadableRetry): the state lives in the store's file.
 */
import { describe, expect, it } from 'vitest';
import { forgetUnreadableRetries, takeUnreadableRetry } from '../../bridge/engine/unreadable-retries';
import { StateStore } from '../../bridge/engine/state-store';
import { tempStore } from '../support/engine-fixtures';

const HOUR = 3_600_000;

describe('takeUnreadableRetry', () => {
  it('the first run that asks tries and starts the clock; the next try once the time has passed, then the clock starts again', () => {
    const st = tempStore();
    try {
      const t0 = Date.parse('2026-12-01T00:00:00Z');
      const take = (at: number, folder = 'INBOX', uidValidity = 7) => takeUnreadableRetry(st.store, 'a@old', folder, uidValidity, 6 * HOUR, at);
      expect(take(t0)).toBe(true);
      expect(take(t0 + 5 * HOUR)).toBe(false);
      expect(take(t0 + 6 * HOUR)).toBe(true);
      expect(take(t0 + 7 * HOUR)).toBe(false);
      expect(take(t0 + 12 * HOUR)).toBe(true);
      // Per folder and UIDVALIDITY: another folder, or the same one recreated, has a clock of its own.
      expect(take(t0 + 12 * HOUR, 'Work')).toBe(true);
      expect(take(t0 + 12 * HOUR, 'INBOX', 8)).toBe(true);
      expect(take(t0 + 13 * HOUR, 'Work')).toBe(false);
      // The clock went back (a machine's time corrected): tried, not held for longer than asked.
      expect(take(t0 + HOUR)).toBe(true);
      // Kept in the store's file: a store opened again on it sees the same clock.
      const again = new StateStore(st.store.file);
      try {
        expect(takeUnreadableRetry(again, 'a@old', 'INBOX', 7, 6 * HOUR, t0 + 2 * HOUR)).toBe(false);
      } finally {
        again.close();
      }
      // Forgotten (a person reopened the account): the next run tries; another account's clock stays.
      expect(takeUnreadableRetry(st.store, 'b@old', 'INBOX', 7, 6 * HOUR, t0 + HOUR)).toBe(true);
      forgetUnreadableRetries(st.store, 'a@old');
      expect(take(t0 + 2 * HOUR)).toBe(true);
      expect(takeUnreadableRetry(st.store, 'b@old', 'INBOX', 7, 6 * HOUR, t0 + 2 * HOUR)).toBe(false);
    } finally {
      st.cleanup();
    }
  });
});
