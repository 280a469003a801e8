/**
 * The rate and ETA the monitor shows come from the moments the counts moved. Over a slow link a
 * chunk's APPENDs are answered together, so the counts move in bursts: a fixed 10 s window made
 * the rate swing between 0 and several times the real one (7.6 → 48 → 7.7 → 83 msg/s in a
 * walkthrough), and the ETA with it. A steady copy still gets a recent rate, and a stalled one a
 * falling rate rather than the figure of long ago.
 */
import { describe, expect, it } from 'vitest';
import type { FolderRun } from '../../bridge/engine/folder-run';
import { ProgressTracker } from '../../bridge/engine/progress';
import type { AccountProgress } from '../../shared/migration';

function tracked(total: number) {
  let now = 0;
  const seen: AccountProgress[] = [];
  const counts = { total, copied: 0, skipped: 0, alreadyPresent: 0, bytesCopied: 0, bytesTotal: total * 1000 };
  const t = new ProgressTracker('acct', (p) => seen.push(p), 0, () => now);
  t.track({ source: 'INBOX', target: 'INBOX', done: false, counts } as unknown as FolderRun);
  return {
    seen,
    at(ms: number, copied: number) {
      now = ms;
      counts.copied = copied;
      counts.bytesCopied = copied * 1000;
      t.tick();
      return seen.at(-1)!;
    },
  };
}

describe('ProgressTracker rate', () => {
  it('bursts of 100 messages every 25 s: about 4 msg/s throughout, not 0 and 10 in turn', () => {
    const p = tracked(3000);
    const rates: number[] = [];
    for (let s = 1; s <= 300; s++) {
      const copied = Math.floor(s / 25) * 100;
      const snap = p.at(s * 1000, copied);
      if (s >= 100) rates.push(snap.rate);
    }
    expect(Math.min(...rates)).toBeGreaterThan(3);
    expect(Math.max(...rates)).toBeLessThan(5.5);
  });

  it('a steady copy: the rate of the last seconds, not of the whole run', () => {
    const p = tracked(100_000);
    let copied = 0;
    // 60 s at 10 msg/s, then 20 s at 50 msg/s.
    for (let s = 1; s <= 60; s++) p.at(s * 1000, (copied += 10));
    let snap = p.at(60_000, copied);
    for (let s = 61; s <= 80; s++) snap = p.at(s * 1000, (copied += 50));
    expect(snap.rate).toBeGreaterThan(45);
    expect(snap.rate).toBeLessThanOrEqual(50);
  });

  it('a stall: the rate falls as time passes without progress', () => {
    const p = tracked(10_000);
    let copied = 0;
    for (let s = 1; s <= 30; s++) p.at(s * 1000, (copied += 10));
    const before = p.at(30_000, copied).rate;
    const later = p.at(90_000, copied).rate;
    expect(before).toBeGreaterThan(9);
    expect(later).toBeLessThan(before / 2);
  });
});
