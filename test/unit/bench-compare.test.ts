import { describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../bench/verify';
import { duplicateCase, mappedCopyCase } from '../../bench/verify-cases';

/**
 * The bench's correctness check (bench/verify.ts), which tells an exact copy from one that
 * changed messages. The bench itself (`npm run bench`, its quick variant included) runs outside
 * `npm test`: it times the tools, and that needs a machine of its own. Its self-check
 * (bench/check.ts) runs the same cases (bench/verify-cases.ts).
 */
describe('bench correctness check', () => {
  it('names each kind of difference and follows the folder mapping', () => {
    const { source, target, mapping } = mappedCopyCase();
    const c = compareSnapshots(source, target, mapping);
    expect(c.exact).toBe(false);
    expect(c.reasons).toEqual({ 'header X-TUID added': 1, 'keyword $Label1 not copied': 1, 'message missing': 1, 'internal date differs': 1 });
    expect(c.differing).toBe(2);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(source, source).exact).toBe(true);
  });

  it('counts duplicates: two identical source messages need two copies', () => {
    const { twice, once, twiceRenumbered } = duplicateCase();
    const c = compareSnapshots(twice, once);
    expect(c.exact).toBe(false);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(twice, twiceRenumbered).exact).toBe(true);
  });
});
