import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { AccountProgress } from '../../shared/migration';
import { ProgressOutput } from '../../bridge/cli/progress-output';
import { terminalScreen } from '../support/terminal-screen';

/**
 * ProgressOutput.line() on a terminal, as the user's screen shows it (terminalScreen models
 * the escapes): every line once, whole, in the order printed, above bars that stay whole,
 * including a line printed right before stop(), one printed before any bar and one wider than
 * the terminal; a bar that no longer changes (a finished account) among them.
 */
const COLUMNS = 100;

const progress = (account: string, over: Partial<AccountProgress>): AccountProgress => ({
  type: 'account-progress',
  account: `${account}@old.example.com@127.0.0.1:993 -> ${account}@new.example.com@127.0.0.1:993`,
  phase: 'copying',
  messagesTotal: 100,
  messagesCopied: 0,
  messagesSkipped: 0,
  messagesAlreadyPresent: 0,
  bytesTotal: 0,
  bytesCopied: 0,
  rate: 10,
  bytesPerSecond: 0,
  etaSeconds: 30,
  folders: [],
  ...over,
});

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: COLUMNS, rows: 40 }) as unknown as NodeJS.WriteStream;
  let out = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
  return { stream, text: () => out };
}

describe('ProgressOutput.line on a terminal', () => {
  it('shows each line once, whole and in order, above two whole bars, one of them finished', async () => {
    const { stream, text } = terminal();
    const out = new ProgressOutput(stream);
    const long = `Failed zhangsan: [AUTH_FAILED] Login failed for the source 张三@old.example.com at 127.0.0.1:993. ${'Check the password (or authorization code / app password). '.repeat(3)}`.trim();
    const printed: string[] = [];
    const line = (l: string) => {
      out.line(l);
      printed.push(...l.split('\n'));
    };

    line('Migrating zhangsan (before any bar)');
    out.update(progress('zhangsan', { messagesCopied: 10 }));
    line('Migrating lisi');
    out.update(progress('lisi', { messagesCopied: 5 }));
    await sleep(150);
    out.update(progress('zhangsan', { phase: 'done', messagesCopied: 100, etaSeconds: 0 }));
    await sleep(150);
    // From here on zhangsan's bar does not change: each line moves it down a row all the same.
    line('Warning [FOLDER_FILTER_UNMATCHED] zhangsan: The folder filter "Sent Items" (include) matches no folder');
    line('  INBOX -> INBOX: 3 messages\n  客户/北京 -> INBOX.客户.北京: 5 messages');
    out.update(progress('lisi', { messagesCopied: 60 }));
    await sleep(150);
    line(long);
    out.update(progress('lisi', { phase: 'failed', messagesCopied: 60 }));
    // Printed after the last redraw, right before stop(): the lines once dropped.
    line('Stopped lisi: the same command carries on from its checkpoint.');
    out.stop();
    line('after the bars');

    const shown = terminalScreen(text(), COLUMNS).filter((l) => l !== '');
    const why = `--- screen ---\n${shown.join('\n')}\n--- bytes ---\n${JSON.stringify(text())}`;
    const bars = shown.filter((l) => l.includes('|'));
    expect(bars, why).toHaveLength(2);
    expect(bars[0], why).toMatch(/^zhangsan@old\.example\.com \|█+\| 100% 100\/100 0\.0 MB 10\/s ETA -- done$/);
    expect(bars[1], why).toMatch(/^lisi@old\.example\.com \|█+░+\| 60% 60\/100 0\.0 MB 10\/s ETA -- failed$/);
    // The whole screen: the lines in order, the bars below all but the one printed after stop().
    expect(shown, why).toEqual([...printed.slice(0, -1), bars[0], bars[1], printed.at(-1)]);
    expect(shown, why).toContain(long);
  });

  it('prints the lines of a run that made no bar (a login refused at once), each once', () => {
    const { stream, text } = terminal();
    const out = new ProgressOutput(stream);
    out.line('Migrating zhangsan');
    out.line('Failed zhangsan: [AUTH_FAILED] Login failed');
    out.stop();
    expect(terminalScreen(text(), COLUMNS).filter((l) => l !== '')).toEqual(['Migrating zhangsan', 'Failed zhangsan: [AUTH_FAILED] Login failed']);
  });
});

describe('ProgressOutput.line to a file or a pipe', () => {
  it('writes each line as it is, with no escape sequence', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
    const progressOut = new ProgressOutput(stream, 0);
    progressOut.line('Dry run a -> b');
    progressOut.update(progress('zhangsan', { phase: 'done', messagesCopied: 100 }));
    progressOut.line('  客户/北京 -> INBOX.客户.北京: 5 messages');
    progressOut.stop();
    expect(out).toBe(
      'Dry run a -> b\n' +
        '[done] zhangsan@old.example.com@127.0.0.1:993 -> zhangsan@new.example.com@127.0.0.1:993: 100/100 messages (100 copied, 0 already migrated, 0 skipped), 0.0 MB, 10 msg/s\n' +
        '  客户/北京 -> INBOX.客户.北京: 5 messages\n',
    );
  });
});
