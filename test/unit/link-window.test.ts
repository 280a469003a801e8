import { describe, expect, it } from 'vitest';
import { FULL_WINDOW_RTT_MS, extraWindowBytes, timeRoundTrip } from '../../bridge/engine/link-window';

describe('extraWindowBytes', () => {
  const budget = 16 * 1024 * 1024;
  it('adds nothing on loopback and grows with the round trip', () => {
    expect(extraWindowBytes(budget, 0)).toBe(0);
    expect(extraWindowBytes(budget, 0.2)).toBe(Math.floor(budget * (0.2 / FULL_WINDOW_RTT_MS)));
    expect(extraWindowBytes(budget, FULL_WINDOW_RTT_MS / 2)).toBe(budget / 2);
  });
  it('doubles the budget at most', () => {
    expect(extraWindowBytes(budget, FULL_WINDOW_RTT_MS)).toBe(budget);
    expect(extraWindowBytes(budget, 300)).toBe(budget);
  });
  it('adds nothing for a round trip it could not measure', () => {
    expect(extraWindowBytes(budget, Number.NaN)).toBe(0);
    expect(extraWindowBytes(budget, -1)).toBe(0);
  });
});

describe('timeRoundTrip', () => {
  it('times the command it is given', async () => {
    const ms = await timeRoundTrip(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(ms).toBeGreaterThanOrEqual(25);
    expect(ms).toBeLessThan(1000);
  });
});
