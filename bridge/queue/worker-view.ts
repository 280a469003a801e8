import type { WorkerView } from '../../shared/protocol/workers';
import type { WorkerRecord } from './heartbeat';

/** A worker's heartbeat record as the workers panel shows it (ISO dates, no pid). */
export function toWorkerView(r: WorkerRecord): WorkerView {
  return {
    name: r.name,
    host: r.host,
    version: r.version,
    concurrency: r.concurrency,
    running: r.running,
    startedAt: new Date(r.startedAt).toISOString(),
    lastHeartbeat: new Date(r.lastHeartbeat).toISOString(),
    accountsDone: r.accountsDone,
    accountsFailed: r.accountsFailed,
    messagesCopied: r.messagesCopied,
    bytesCopied: r.bytesCopied,
    messagesPerSecond: r.messagesPerSecond,
    bytesPerSecond: r.bytesPerSecond,
    stopped: r.stopped ?? null,
  };
}
