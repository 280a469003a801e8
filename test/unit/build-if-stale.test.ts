import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIfStale } from '../../scripts/build-if-stale';

describe('build-if-stale (npm start builds the extension only when its sources changed)', () => {
  it('builds once, skips an unchanged tree, rebuilds after an edit and after a failed build', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stale-'));
    mkdirSync(path.join(dir, 'src', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'src', 'a.ts'), 'one');
    writeFileSync(path.join(dir, 'src', 'sub', 'b.ts'), 'two');
    const target = { stamp: path.join(dir, 'out', 'stamp'), inputs: [path.join(dir, 'src')] };
    let builds = 0;
    const ok = () => (builds++, 0);

    expect(buildIfStale(target, ok)).toBe(0);
    expect(buildIfStale(target, ok)).toBe(0);
    expect(builds).toBe(1);

    writeFileSync(path.join(dir, 'src', 'sub', 'b.ts'), 'two, edited');
    expect(buildIfStale(target, () => (builds++, 3))).toBe(3);
    // The failed build left the old stamp, so the next start builds again.
    expect(buildIfStale(target, ok)).toBe(0);
    expect(buildIfStale(target, ok)).toBe(0);
    expect(builds).toBe(3);

    // A new file counts as a change too.
    writeFileSync(path.join(dir, 'src', 'c.ts'), 'three');
    expect(buildIfStale(target, ok)).toBe(0);
    expect(builds).toBe(4);
  });
});
