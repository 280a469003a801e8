import cliProgress from 'cli-progress';
import type { AccountProgress } from '../../shared/migration';

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

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
          format: '{account} |{bar}| {percentage}% {value}/{total} msgs {mb} MB {rate}/s ETA {eta_formatted} {phase}',
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  update(p: AccountProgress): void {
    const done = p.messagesCopied + p.messagesSkipped + p.messagesAlreadyPresent;
    const payload = { account: p.account.split(' -> ')[0], mb: mb(p.bytesCopied), rate: p.rate.toFixed(0), phase: p.phase };
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
    const eta = p.etaSeconds === null ? '?' : `${Math.round(p.etaSeconds)}s`;
    this.stream.write(
      `[${p.phase}] ${p.account}: ${done}/${p.messagesTotal} messages (${p.messagesCopied} copied, ${p.messagesAlreadyPresent} already there, ${p.messagesSkipped} skipped), ${mb(p.bytesCopied)} MB, ${p.rate.toFixed(0)} msg/s, ETA ${eta}\n`,
    );
  }

  line(text: string): void {
    if (this.multibar) this.multibar.log(text + '\n');
    else this.stream.write(text + '\n');
  }

  stop(): void {
    this.multibar?.stop();
  }
}
