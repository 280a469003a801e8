import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { AccountProgress } from '../../shared/migration';
import { ProgressOutput } from '../../bridge/cli/progress-output';

const progress = (over: Partial<AccountProgress>): AccountProgress => ({
  type: 'account-progress',
  account: 'zhangsan@old.example.com@127.0.0.1:45915 -> zhangsan@new.example.com@127.0.0.1:40313',
  phase: 'copying',
  messagesTotal: 1597,
  messagesCopied: 526,
  messagesSkipped: 0,
  messagesAlreadyPresent: 0,
  bytesTotal: 0,
  bytesCopied: 40 * 1048576,
  rate: 180,
  bytesPerSecond: 0,
  etaSeconds: 75,
  folders: [],
  ...over,
});

function sink(tty: boolean, columns = 80): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns, rows: 24, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream;
  let out = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

// A redraw starts its row again at column 1 (ESC [1G): what follows replaces the row, not adds to it.
// eslint-disable-next-line no-control-regex
const visible = (s: string): string[] => s.replace(/\x1b\[1G/g, '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/[\r\n]+/).filter((l) => l.trim() !== '');

describe('ProgressOutput on a terminal', () => {
  it('fits an 80-column line with the percentage, counts and MB, names the account by its mailbox, and shows the engine ETA', async () => {
    const { stream, text } = sink(true, 80);
    const out = new ProgressOutput(stream);
    // A jump in the count (a re-run finding 500 already there) made the bar's own ETA read "NFs".
    out.update(progress({ messagesCopied: 0, messagesAlreadyPresent: 0, etaSeconds: null }));
    out.update(progress({ messagesAlreadyPresent: 500 }));
    await sleep(150);
    out.stop();
    const lines = visible(text());
    const last = lines.at(-1)!;
    expect(last.length).toBeLessThanOrEqual(80);
    expect(last).toMatch(/^zhangsan@old\.example\.com \|/);
    expect(last).toMatch(/ 64% 1026\/1597 40\.0 MB 180\/s ETA 1m15s copying$/);
    expect(text()).not.toMatch(/NaN|NFs|LLs|Infinity/);
  });
});

describe('ProgressOutput to a file', () => {
  it('cuts a long mailbox name in the label', async () => {
    const { stream, text } = sink(true, 80);
    const out = new ProgressOutput(stream);
    out.update(progress({ account: 'zhang.san.from.the.sales.department@old.example.com@imap.old.example.com:993 -> x@new.example.com@imap.new.example.com:993' }));
    await sleep(150);
    out.stop();
    const last = visible(text()).at(-1)!;
    expect(last.startsWith(`${'zhang.san.from.the.sales.department'.slice(0, 23)}… |`)).toBe(true);
    expect(last.length).toBeLessThanOrEqual(80);
  });

  it('says no ETA for a failed or finished account', () => {
    const { stream, text } = sink(false);
    const out = new ProgressOutput(stream, 0);
    out.update(progress({ phase: 'failed', etaSeconds: 0 }));
    out.update(progress({ phase: 'copying', etaSeconds: 4000 }));
    expect(text().split('\n')[0]).toMatch(/msg\/s$/);
    expect(text().split('\n')[1]).toMatch(/msg\/s, ETA 1h06m$/);
  });
});
