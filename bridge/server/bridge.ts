import { resolve } from 'node:path';
import type { SchedulerLimits } from '../service/scheduler';
import type { RetryPolicy } from '../service/run-outcome';
import { openAuthStores, type AuthStores } from '../service/auth-stores';
import { BridgeService } from '../service/bridge-service';
import { openServiceDb } from '../service/db';
import type { CoordinatorQueueOptions } from '../queue/coordinator-queue';
import { RedisUrlSchema } from '../queue/redis-url';
import { createBridgeLogger, type BridgeLogger } from '../service/logger';
import { SecretScrubber } from '../service/secret-scrubber';
import { HELLO_TIMEOUT_MS } from '../../shared/protocol/version';
import { createHttpApp } from './http-app';
import { PairGate } from './pair-gate';
import { PairingKeys } from './pairing-keys';
import { removePortRecord, writePortRecord } from './port-record';
import { claimStateDir, type StateDirClaim } from './state-dir-claim';
import { startBridgeServer, type RunningBridge } from './start';
import { WsGateway } from './ws-gateway';

export interface BridgeOptions {
  stateDir: string;
  /** 0 = any free port. */
  port: number;
  logLevel?: string;
  /** Where log lines go besides the file; null = file only (tests). */
  stderr?: { write(s: string): unknown } | null;
  limits?: Partial<SchedulerLimits>;
  retry?: Partial<RetryPolicy>;
  engineRetryBaseMs?: number;
  helloTimeoutMs?: number;
  /** maxFailures counts every code compared (a correct one is given back); maxConcurrent caps /pair in flight. */
  pairing?: { maxFailures: number; windowMs: number; maxConcurrent?: number };
  flood?: { burst: number; perSecond: number };
  /** Cut-over DNS checks: interval (default 5 min) and DNS server (default $MAILMOVER_DNS_SERVER, else the system's). */
  cutover?: { intervalMs?: number; dnsServer?: string };
  /** Queue mode: account passes run on queue workers (bridge/queue/queue-runner.ts) instead of in this process. */
  queue?: Omit<CoordinatorQueueOptions, 'stateDir'>;
}

export interface Bridge {
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  readonly logFile: string;
  readonly service: BridgeService;
  /** Pairing codes, tokens and trusted origins (the CLI's `pair` and tests create codes here). */
  readonly auth: AuthStores;
  readonly logger: BridgeLogger;
  readonly gateway: WsGateway;
  readonly pairGate: PairGate;
  /** Graceful stop: no new connections, clients told 1001, running accounts stop between chunks (checkpoints kept), store closed. */
  close(): Promise<void>;
}

/** Starts the whole bridge: state store, scheduler, HTTP (health, pairing, report) and the WebSocket. */
export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const stateDir = resolve(opts.stateDir);
  // Before anything opens the store or its log: a second bridge on it is refused.
  const claim = claimStateDir(stateDir);
  try {
    return await startClaimed(opts, stateDir, claim);
  } catch (err) {
    claim.release();
    throw err;
  }
}

async function startClaimed(opts: BridgeOptions, stateDir: string, claim: StateDirClaim): Promise<Bridge> {
  const scrubber = new SecretScrubber();
  // The Redis password of queue mode, should a library's error ever carry it into a log line.
  if (opts.queue) scrubber.add(RedisUrlSchema.safeParse(opts.queue.url).data?.password);
  const logger = createBridgeLogger({ stateDir, scrubber, level: opts.logLevel, stderr: opts.stderr });
  const log = logger.logger;
  // BullMQ is loaded only in queue mode; a Redis that cannot be reached fails the start here.
  let queueRunner: Awaited<ReturnType<typeof import('../queue/coordinator-queue').openCoordinatorRunner>> | undefined;
  if (opts.queue) {
    try {
      queueRunner = await (await import('../queue/coordinator-queue')).openCoordinatorRunner({ ...opts.queue, stateDir }, log);
    } catch (err) {
      logger.close();
      throw err;
    }
  }
  const db = openServiceDb(stateDir);
  const auth = openAuthStores(db);
  const service = new BridgeService({
    stateDir,
    db,
    logger: log,
    scrubber,
    limits: opts.limits,
    retry: opts.retry,
    engineRetryBaseMs: opts.engineRetryBaseMs,
    cutover: opts.cutover,
    ...(queueRunner ? { runner: () => queueRunner } : {}),
  });
  let port = opts.port;
  const pairGate = new PairGate(opts.pairing?.maxFailures, opts.pairing?.windowMs, opts.pairing?.maxConcurrent);
  const pairingKeys = new PairingKeys(db);
  const app = createHttpApp({ auth, report: (jobId) => service.jobs.report(jobId), port: () => port, pairGate, pairingKeys, log });
  let server: RunningBridge;
  try {
    server = await startBridgeServer({ port: opts.port, app });
  } catch (err) {
    await service.stop();
    db.close();
    logger.close();
    throw err;
  }
  port = server.port;
  const gateway = new WsGateway({ service, auth, pairingKeys, logger, port: () => port, helloTimeoutMs: opts.helloTimeoutMs ?? HELLO_TIMEOUT_MS, flood: opts.flood });
  server.server.on('upgrade', gateway.handleUpgrade);
  service.start();
  log.info({ port, stateDir }, `bridge listening on ${server.url}`);
  try {
    writePortRecord(stateDir, port);
  } catch (err) {
    // `pair` (the port it prints with the code) and `status` (this state dir's bridge) read it; the bridge runs without it.
    log.warn({ err: String(err) }, 'could not record the port in the state dir');
  }

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port,
    stateDir,
    logFile: logger.file,
    service,
    auth,
    logger,
    gateway,
    pairGate,
    close() {
      closing ??= (async () => {
        log.info('bridge stopping: letting in-flight APPENDs finish, checkpoints are kept');
        gateway.close();
        const httpClosed = server.close();
        await service.stop();
        db.close();
        removePortRecord(stateDir);
        claim.release();
        await httpClosed;
        log.info('bridge stopped');
        logger.close();
      })();
      return closing;
    },
  };
}
