import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterKey } from '../../bridge/queue/cluster-key';
import { KEY_MISMATCH_MESSAGE } from '../../bridge/queue/protocol';
import { runCliInProcess } from '../support/cli-runner';

/**
 * The messages that send the user to `cluster init` name the command as it is typed
 * (`mailmover-bridge cluster init`, README), not the source folder's name (`bridge`).
 */
const TYPED = '`mailmover-bridge cluster init`';
// `bridge cluster init` not preceded by "mailmover-": the name no one can run.
const UNTYPABLE = /(?<!mailmover-)bridge cluster init/;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected it to throw');
}

describe('messages that point to cluster init', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-cluster-hint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing key file', () => {
    const m = messageOf(() => loadClusterKey(join(dir, 'absent.key')));
    expect(m).toContain(TYPED);
    expect(m).not.toMatch(UNTYPABLE);
  });

  it('a key file of the wrong size', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    chmodSync(file, 0o600);
    const m = messageOf(() => loadClusterKey(file));
    expect(m).toMatch(/is 5 bytes/);
    expect(m).toContain(TYPED);
    expect(m).not.toMatch(UNTYPABLE);
  });

  it("a worker's refusal of a job sealed with another key", () => {
    expect(KEY_MISMATCH_MESSAGE).toContain(TYPED);
    expect(KEY_MISMATCH_MESSAGE).not.toMatch(UNTYPABLE);
  });

  it("worker --help's --cluster-key-file", async () => {
    const r = await runCliInProcess(['--help'], { command: 'worker' });
    expect(r.code, r.stderr).toBe(0);
    // commander wraps long descriptions: join the lines before looking.
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(TYPED);
    expect(text).not.toMatch(UNTYPABLE);
  });
});
