import type { RequestParams, RequestResult, RequestType } from '../../shared/protocol/requests';
import type { BridgeService } from '../service/bridge-service';
import type { Subscription } from './subscription';

/** Every request a connection may send once authenticated (hello is the handshake's). */
export type DispatchedType = Exclude<RequestType, 'hello'>;

/** One handler per request type, each typed by its request's params and result. */
export type RequestHandlers = {
  [T in DispatchedType]: (p: RequestParams<T>) => RequestResult<T> | Promise<RequestResult<T>>;
};

/** What a handler may do to the connection it serves. */
export interface ConnectionControl {
  subscribe(s: Subscription): void;
  unsubscribe(): void;
}

/** The service's parts behind each request type. */
export function requestHandlers(s: BridgeService, connection: ConnectionControl): RequestHandlers {
  return {
    ping: () => ({ pong: true, time: new Date().toISOString() }),
    'provider.detect': (p) => s.setup.detectProvider(p),
    'folders.preview': (p) => s.setup.previewFolders(p),
    'endpoint.test': (p) => s.setup.testEndpoint(p),
    'job.create': (p) => ({ job: s.jobs.createJob(p) }),
    'job.createWithAccounts': (p) => s.jobs.createJobWithAccounts(p),
    'job.update': (p) => ({ job: s.jobs.updateJob(p) }),
    'job.pause': (p) => ({ job: s.jobs.pauseJob(p.jobId) }),
    'job.resume': (p) => ({ job: s.jobs.resumeJob(p.jobId) }),
    'job.close': async (p) => ({ job: await s.jobs.closeJob(p.jobId) }),
    'job.reopen': (p) => s.jobs.reopenJob(p),
    'job.list': () => ({ jobs: s.jobs.listJobs() }),
    'server.change': (p) => s.jobs.changeServer(p),
    'accounts.import': (p) => s.accounts.importAccounts(p),
    'account.list': (p) => s.accounts.listAccounts(p),
    'account.get': (p) => s.accounts.getAccount(p),
    'account.skipped': (p) => s.accounts.skippedMessages(p),
    'account.start': (p) => s.accounts.startAccounts(p),
    'account.pause': (p) => s.accounts.pauseAccounts(p),
    'account.stop': (p) => s.accounts.stopAccounts(p),
    'account.reopen': (p) => s.accounts.reopenAccounts(p),
    'account.retry': (p) => s.accounts.retryAccounts(p),
    'account.credentials': (p) => s.accounts.setCredentials(p),
    'account.verify': (p) => s.verify.verifyAccounts(p),
    'account.fixMissing': (p) => s.verify.fixMissing(p),
    subscribe: (p) => {
      // Snapshot first: a job id that does not exist fails before the subscription is made.
      const snapshot = s.jobs.snapshot(p.jobId);
      connection.subscribe({ jobId: p.jobId, logs: p.logs, logLevel: p.logLevel });
      return snapshot;
    },
    unsubscribe: () => {
      connection.unsubscribe();
      return {};
    },
    'cutover.set': async ({ jobId, ...config }) => ({ cutover: await s.cutover.configure(jobId, config) }),
    'cutover.get': (p) => ({ cutover: s.cutover.get(p.jobId) }),
    'cutover.check': async (p) => ({ cutover: await s.cutover.check(p.jobId) }),
    'cutover.checklist': (p) => ({ cutover: s.cutover.setChecklist(p.jobId, p.item, p.done) }),
    'workers.list': () => s.workers(),
    'report.export': (p) => {
      const { filename, csv } = s.jobs.report(p.jobId, p.language);
      return { filename, csv, path: `/jobs/${p.jobId}/report.csv` };
    },
  };
}

/** Runs a request whose params were checked against REQUESTS[type].params. */
export async function dispatch<T extends DispatchedType>(handlers: RequestHandlers, type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
  const handler: (p: RequestParams<T>) => RequestResult<T> | Promise<RequestResult<T>> = handlers[type];
  return handler(params);
}
