import type { RequestParams, RequestResult, RequestType } from '../../shared/protocol/requests';
import type { BridgeService } from '../service/bridge-service';
import type { Subscription } from './ws-session';

export interface DispatchContext {
  service: BridgeService;
  subscribe(s: Subscription): void;
  unsubscribe(): void;
}

/** Params already checked against REQUESTS[type].params by the session. */
export async function dispatch(type: Exclude<RequestType, 'hello'>, params: unknown, ctx: DispatchContext): Promise<RequestResult<RequestType>> {
  const s = ctx.service;
  const p = params as never;
  switch (type) {
    case 'ping':
      return { pong: true, time: new Date().toISOString() };
    case 'provider.detect':
      return s.detectProvider((p as RequestParams<'provider.detect'>).address);
    case 'folders.preview':
      return s.previewFolders(p);
    case 'job.reopen':
      return s.reopenJob(p);
    case 'account.reopen':
      return s.reopenAccounts(p);
    case 'account.get':
      return s.getAccount((p as RequestParams<'account.get'>).accountId);
    case 'account.skipped':
      return s.skippedMessages(p);
    case 'endpoint.test':
      return s.testEndpoint(p);
    case 'job.create':
      return { job: s.createJob(p) };
    case 'job.update':
      return { job: s.updateJob(p) };
    case 'job.pause':
      return { job: await s.pauseJob((p as RequestParams<'job.pause'>).jobId) };
    case 'job.resume':
      return { job: s.resumeJob((p as RequestParams<'job.resume'>).jobId) };
    case 'job.close':
      return { job: await s.closeJob((p as RequestParams<'job.close'>).jobId) };
    case 'job.list':
      return { jobs: s.listJobs() };
    case 'accounts.import':
      return s.importAccounts(p);
    case 'account.list':
      return s.listAccounts(p);
    case 'account.start':
      return s.startAccounts(p);
    case 'account.pause':
      return s.pauseAccounts(p);
    case 'account.stop':
      return s.stopAccounts(p);
    case 'account.retry':
      return s.retryAccounts(p);
    case 'account.verify':
      return s.verifyAccounts(p);
    case 'account.fixMissing':
      return s.fixMissing(p);
    case 'account.credentials':
      return s.setCredentials(p);
    case 'server.change':
      return s.changeServer(p);
    case 'subscribe': {
      const sp = p as RequestParams<'subscribe'>;
      // Snapshot first: a job id that does not exist fails before the subscription is made.
      const snapshot = s.snapshot(sp.jobId);
      ctx.subscribe({ jobId: sp.jobId, logs: sp.logs, logLevel: sp.logLevel });
      return snapshot;
    }
    case 'unsubscribe':
      ctx.unsubscribe();
      return {};
    case 'cutover.set': {
      const { jobId, ...config } = p as RequestParams<'cutover.set'>;
      return { cutover: await s.cutover.configure(jobId, config) };
    }
    case 'cutover.get':
      return { cutover: s.cutover.get((p as RequestParams<'cutover.get'>).jobId) };
    case 'cutover.check':
      return { cutover: await s.cutover.check((p as RequestParams<'cutover.check'>).jobId) };
    case 'cutover.checklist': {
      const c = p as RequestParams<'cutover.checklist'>;
      return { cutover: s.cutover.setChecklist(c.jobId, c.item, c.done) };
    }
    case 'report.export': {
      const jobId = (p as RequestParams<'report.export'>).jobId;
      const { filename, csv } = s.report(jobId);
      return { filename, csv, path: `/jobs/${jobId}/report.csv` };
    }
  }
}
