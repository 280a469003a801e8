import cliProgress from 'cli-progress';
import type { AccountProgress } from '../../shared/migration';

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

/** The engine's estimate (it knows what is left to plan), not the bar's own: that one read NaN after jumps. */
function etaText(p: AccountProgress): string {
  if (p.phase === 'done' || p.phase === 'failed' || p.etaSeconds === null || !Number.isFinite(p.etaSeconds)) return '--';
  const s = Math.round(p.etaSeconds);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Columns of the bar's label at most: long addresses are cut, the figures after it matter more. */
const LABEL_COLUMNS = 24;
/** Columns of the text after the bar ("65% 1026/1597 40.0 MB 180/s ETA 1m15s copying"), with its frame. */
const TEXT_COLUMNS = 52;

/** The account as the bar names it: the source mailbox, without the server the whole run shares. */
function shortAccount(account: string): string {
  const source = account.split(' -> ')[0] ?? account;
  const at = source.lastIndexOf('@');
  const mailbox = at > 0 && source.indexOf('@') !== at ? source.slice(0, at) : source;
  return mailbox.length <= LABEL_COLUMNS ? mailbox : `${mailbox.slice(0, LABEL_COLUMNS - 1)}…`;
}

/**
 * Around a line printed above the bars (cli-progress writes it raw where the first bar was,
 * and clears only that row): the rows below are cleared first, as a line of several rows goes
 * on over the bars' old rows (the bars are then drawn again below it); and the terminal wraps
 * the line, which it does not for the bars, so that a redraw stays on their rows: without
 * wrapping, what passes the last column would be lost.
 */
const CLEAR_BELOW = '\x1b[0J';
const WRAP_ON = '\x1b[?7h';
const WRAP_OFF = '\x1b[?7l';

/**
 * Human progress on stderr: a bar per running account on a terminal, plain lines
 * (at most one per account every few seconds) when stderr is a file or a pipe.
 */
export class ProgressOutput {
  private readonly multibar?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly lastLine = new Map<string, number>();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly lineIntervalMs = 5000) {
    if (stream.isTTY) {
      this.multibar = new cliProgress.MultiBar(
        {
          stream,
          format: '{account} |{bar}| {percentage}% {value}/{total} {mb} MB {rate}/s ETA {left} {phase}',
          // The line is not wrapped (the bars redraw in place): the bar gives way on a narrow terminal.
          barsize: Math.max(4, Math.min(40, (stream.columns || 80) - LABEL_COLUMNS - TEXT_COLUMNS)),
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
          // A line printed above the bars moves them down a row: a bar that had not changed would
          // be left unredrawn, showing what the row held before (see line()).
          forceRedraw: true,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  /** Set once Ctrl+C or SIGTERM stopped the run: an account that ends now was stopped, not failed. */
  stopping = false;

  update(p: AccountProgress): void {
    const phase = this.stopping && p.phase === 'failed' ? 'stopped' : p.phase;
    const done = p.messagesCopied + p.messagesSkipped + p.messagesAlreadyPresent;
    const payload = { account: shortAccount(p.account), mb: mb(p.bytesCopied), rate: p.rate.toFixed(0), left: etaText(p), phase };
    if (this.multibar) {
      let bar = this.bars.get(p.account);
      if (!bar) {
        bar = this.multibar.create(Math.max(p.messagesTotal, 1), done, payload);
        this.bars.set(p.account, bar);
      }
      bar.setTotal(Math.max(p.messagesTotal, 1));
      bar.update(done, payload);
      return;
    }
    const now = Date.now();
    const final = p.phase === 'done' || p.phase === 'failed' || p.phase === 'retrying';
    if (!final && now - (this.lastLine.get(p.account) ?? 0) < this.lineIntervalMs) return;
    this.lastLine.set(p.account, now);
    const eta = etaText(p);
    this.stream.write(
      `[${phase}] ${p.account}: ${done}/${p.messagesTotal} messages (${p.messagesCopied} copied, ${p.messagesAlreadyPresent} already migrated, ${p.messagesSkipped} skipped), ${mb(p.bytesCopied)} MB, ${p.rate.toFixed(0)} msg/s${eta === '--' ? '' : `, ETA ${eta}`}\n`,
    );
  }

  /**
   * A line for the user above the bars, written at once. cli-progress's log() only buffers
   * until its next redraw (a tenth of a second later) and its stop() drops what is still
   * buffered, so the lines printed last (dry-run counts, Failed …, Warning …, Stopped …)
   * never showed on a terminal: update() redraws now, the line first. With no bar on the
   * screen (none yet, or stopped) there is nothing to redraw around.
   */
  line(text: string): void {
    if (!this.multibar?.isActive) {
      this.stream.write(text + '\n');
      return;
    }
    this.multibar.log(`${CLEAR_BELOW}${WRAP_ON}${text}\n${WRAP_OFF}`);
    this.multibar.update();
  }

  stop(): void {
    this.multibar?.stop();
  }
}
