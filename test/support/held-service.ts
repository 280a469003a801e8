import { rmSync } from 'node:fs';
import pino from 'pino';
import type { AccountResult } from '../../shared/migration';
import { BridgeService, type BridgeServiceOptions } from '../../bridge/service/bridge-service';
import { openServiceDb } from '../../bridge/service/db';
import { SecretScrubber } from '../../bridge/service/secret-scrubber';
import type { AccountRunner, PassRequest } from '../../bridge/service/runner/account-runner';

/**
 * The bridge service with its engine replaced by a runner whose passes end when the test says
 * (or when the service stops them): for tests of the service's own bookkeeping (statuses,
 * schedules, imports, what is shown), not of the copy.
 */
export class HeldRunner implements AccountRunner {
  readonly calls: Array<{ req: PassRequest; finish: (r?: Partial<AccountResult>) => void }> = [];
  run(req: PassRequest, _callbacks: unknown, signal: AbortSignal): Promise<AccountResult> {
    return new Promise((resolve) => {
      const finish = (r: Partial<AccountResult> = {}) =>
        resolve({ source: req.job.source.user, target: req.job.target.user, status: 'done', messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, folders: [], skipped: [], warnings: [], error: null, ...r });
      this.calls.push({ req, finish });
      signal.addEventListener('abort', () => finish({ status: 'failed', error: { code: 'CANCELLED', message: 'stopped' } }));
    });
  }
}

/** Services and state dirs of a test file, ended by `cleanup` (call it in afterEach). */
export class HeldServices {
  private readonly services: BridgeService[] = [];
  private readonly dirs: string[] = [];

  /** A started service on `stateDir` (removed by cleanup), ticking every 50 ms, retries an hour away unless `opts` says otherwise. */
  start(stateDir: string, runner: HeldRunner, beforeStart?: (s: BridgeService) => void, opts: Pick<BridgeServiceOptions, 'limits' | 'retry'> = {}): BridgeService {
    this.dirs.push(stateDir);
    const s = new BridgeService({
      stateDir,
      db: openServiceDb(stateDir),
      logger: pino({ level: 'silent' }),
      scrubber: new SecretScrubber(),
      runner: () => runner,
      tickMs: 50,
      limits: opts.limits,
      retry: opts.retry ?? { baseMs: 60_000, maxMs: 60_000 },
      cutover: { intervalMs: 3_600_000 },
    });
    this.services.push(s);
    beforeStart?.(s);
    s.start();
    return s;
  }

  /** Forgets a service without stopping it (a test that kills it and opens its state again). */
  forget(s: BridgeService): void {
    this.services.splice(this.services.indexOf(s), 1);
  }

  async cleanup(): Promise<void> {
    for (const s of this.services.splice(0)) await s.stop().catch(() => undefined);
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Whether `cond` came true within `ms`, polled every 10 ms. */
export async function until(cond: () => boolean, ms = 4000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
