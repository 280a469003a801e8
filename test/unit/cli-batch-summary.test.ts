import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { AccountResult } from '../../shared/migration';
import { SKIPS_LISTED, WARNING_SHOWN_CHARS, warningLine, writeBatchSummary } from '../../bridge/cli/batch-summary';

const base: AccountResult = {
  source: 'a@old.example.com',
  target: 'a@new.example.com',
  status: 'done',
  messagesCopied: 3,
  messagesSkipped: 0,
  messagesAlreadyPresent: 1,
  bytesCopied: 2 * 1048576,
  folders: [{ source: 'INBOX', target: 'INBOX', total: 4, copied: 3, skipped: 0, alreadyPresent: 1, bytesCopied: 2 * 1048576, error: null }],
  skipped: [],
  warnings: [],
  error: null,
} as AccountResult;

function summary(results: AccountResult[]): { stderr: string; stdout: string } {
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  let err = '';
  let out = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  writeBatchSummary(results, { stderr, stdout }, true);
  return { stderr: err, stdout: out };
}

describe('writeBatchSummary', () => {
  it('lists each skipped message with its folder, UID and reason, the first ten, and says where the rest are', () => {
    const skipped = Array.from({ length: SKIPS_LISTED + 3 }, (_, i) => ({ folder: 'INBOX', uid: i + 1, reason: `MESSAGE_REJECTED: Message contains invalid header ${i}` }));
    const { stderr, stdout } = summary([{ ...base, messagesSkipped: skipped.length, skipped }]);
    expect(stderr).toContain('Done a@old.example.com -> a@new.example.com: 3 copied, 1 already migrated, 13 skipped, 2.0 MB\n');
    expect(stderr).toContain('  skipped: INBOX UID 1: MESSAGE_REJECTED: Message contains invalid header 0\n');
    expect(stderr).toContain(`  skipped: INBOX UID ${SKIPS_LISTED}: `);
    expect(stderr).not.toContain(`  skipped: INBOX UID ${SKIPS_LISTED + 1}: `);
    expect(stderr).toContain('… and 3 more skipped (every one, with its reason, in the --json report)');
    expect(JSON.parse(stdout).accounts[0].skipped).toHaveLength(SKIPS_LISTED + 3);
  });

  it('an account stopped by Ctrl+C is STOPPED, one never begun NOT STARTED, neither FAILED; a real failure names its code', () => {
    const cancelled = { code: 'CANCELLED' as const, message: 'stopped' };
    const { stderr } = summary([
      { ...base, status: 'failed', error: cancelled },
      { ...base, source: 'b@old.example.com', target: 'b@new.example.com', status: 'failed', messagesCopied: 0, messagesAlreadyPresent: 0, bytesCopied: 0, folders: [], error: cancelled },
      { ...base, source: 'c@old.example.com', target: 'c@new.example.com', status: 'failed', messagesCopied: 0, folders: [], error: { code: 'AUTH_FAILED', message: 'wrong password' } },
    ]);
    expect(stderr).toContain('STOPPED a@old.example.com -> a@new.example.com: 3 copied, 1 already migrated, 0 skipped, 2.0 MB; the same command again carries on from here\n');
    expect(stderr).toContain('NOT STARTED b@old.example.com -> b@new.example.com: the run was stopped before its turn; the same command again migrates it\n');
    expect(stderr).toContain('FAILED c@old.example.com -> c@new.example.com: 0 copied, 1 already migrated, 0 skipped, 2.0 MB [AUTH_FAILED]\n');
    expect(stderr).not.toMatch(/FAILED [ab]@/);
  });
});

describe('warningLine', () => {
  it('shows a short warning whole', () => {
    expect(warningLine('a@x', { code: 'FOLDER_RENAMED', message: 'Work -> Work2' })).toBe('Warning [FOLDER_RENAMED] a@x: Work -> Work2');
  });
  it('cuts a long one between words and says how much is in the JSON', () => {
    const uids = Array.from({ length: 400 }, (_, i) => `UID ${i + 2} -> target UID ${i + 1}`).join(', ');
    const message = `121 message(s) copied from "INBOX" to "INBOX" were stored by the target with changes: 8-bit header bytes replaced (${uids})`;
    const line = warningLine('a@x', { code: 'MESSAGE_CHANGED', message });
    expect(line.length).toBeLessThan(WARNING_SHOWN_CHARS + 120);
    expect(line).toMatch(/UID \d+ -> target UID \d+ … \(\d+ more characters in the --json report\)$/);
    const hidden = Number(/… \((\d+) more/.exec(line)![1]);
    expect(line.indexOf(' … (') - 'Warning [MESSAGE_CHANGED] a@x: '.length + hidden).toBe(message.length);
  });
});
