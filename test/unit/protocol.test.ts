import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_STATUSES,
  ACCOUNT_STATUS_LABELS,
  AccountViewSchema,
  EVENTS,
  JobSpecSchema,
  PairingCodeSchema,
  PROTOCOL_VERSION,
  REQUESTS,
  REQUEST_TYPES,
  RequestEnvelopeSchema,
  ServerMessageSchema,
  encodeRequest,
  errorResponse,
  eventMessage,
  okResponse,
  parseResult,
} from '../../shared/protocol';

describe('wire protocol schemas', () => {
  it('covers every request the issue names', () => {
    expect(REQUEST_TYPES).toEqual(
      expect.arrayContaining([
        'hello',
        'endpoint.test',
        'job.create',
        'job.update',
        'job.pause',
        'job.resume',
        'job.close',
        'job.list',
        'accounts.import',
        'account.list',
        'account.start',
        'account.pause',
        'account.stop',
        'account.retry',
        'account.credentials',
        'server.change',
        'subscribe',
        'report.export',
      ]),
    );
    expect(Object.keys(EVENTS).sort()).toEqual(['account.progress', 'account.status', 'job.status', 'log']);
  });

  it('names every account status as the seeds do', () => {
    expect(ACCOUNT_STATUS_LABELS.not_enabled.zh).toBe('未开启搬家');
    expect(ACCOUNT_STATUS_LABELS.not_started.zh).toBe('未开始');
    expect(ACCOUNT_STATUS_LABELS.in_progress.zh).toBe('进行中');
    for (const s of ACCOUNT_STATUSES) expect(ACCOUNT_STATUS_LABELS[s].en.length).toBeGreaterThan(0);
    expect(ACCOUNT_STATUSES).not.toContain('done'); // seed 001: there is no "completed" status
  });

  it('fills job defaults: mapped storage, 30-day incremental window, per-account logins', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      source: { host: 'imap.exmail.qq.com', port: 993, security: 'tls' },
      target: { host: 'imap.qiye.aliyun.com', port: 993, security: 'tls' },
    });
    expect(spec).toMatchObject({
      storage: 'mapped',
      incremental: { intervalMinutes: 60, windowDays: 30 },
      sourceLogin: { kind: 'per-account' },
      source: { protocol: 'imap', allowPlaintext: false, insecureTls: false },
      filters: { since: null, deleted: 'copy' },
    });
    expect(JobSpecSchema.safeParse({ ...spec, source: { ...spec.source, host: 'imaps://x' } }).success).toBe(false);
    expect(JobSpecSchema.safeParse({ ...spec, filters: { since: '2023-02-29' } }).success).toBe(false);
  });

  it('accepts single and batch account selections, not both or neither', () => {
    const start = REQUESTS['account.start'].params;
    expect(start.safeParse({ accountIds: ['acc_abcdef'] }).success).toBe(true);
    expect(start.safeParse({ jobId: 'job_abcdef', statuses: ['failed'] }).success).toBe(true);
    expect(start.safeParse({}).success).toBe(false);
    expect(start.safeParse({ accountIds: [] }).success).toBe(false);
    expect(start.safeParse({ accountIds: Array.from({ length: 1001 }, (_, i) => `acc_${i}xxxxx`) }).success).toBe(false);
    expect(start.safeParse({ accountIds: ['acc_abcdef'], jobId: 'job_abcdef' }).success).toBe(false);
  });

  it('takes employee credentials by account or by job and new address', () => {
    const p = REQUESTS['account.credentials'].params;
    expect(p.safeParse({ accountId: 'acc_abcdef', sourcePassword: 'pw' }).success).toBe(true);
    expect(p.safeParse({ jobId: 'job_abcdef', target: 'a@b.cn', sourceUser: 'a@old.cn', sourcePassword: 'pw' }).success).toBe(true);
    expect(p.safeParse({ accountId: 'acc_abcdef' }).success).toBe(false);
  });

  it('normalises typed pairing codes', () => {
    expect(PairingCodeSchema.parse(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(PairingCodeSchema.safeParse('ABCD-EFG0').success).toBe(false); // 0 is not in the alphabet
    expect(PairingCodeSchema.safeParse('ABCD').success).toBe(false);
  });

  it('round-trips envelopes: request, responses and events', () => {
    const frame = JSON.parse(encodeRequest('r1', 'job.list', {}));
    expect(RequestEnvelopeSchema.parse(frame)).toEqual({ v: PROTOCOL_VERSION, id: 'r1', type: 'job.list', params: {} });
    const ok = okResponse('r1', 'job.list', { jobs: [] });
    expect(ServerMessageSchema.parse(JSON.parse(JSON.stringify(ok)))).toMatchObject({ kind: 'response', ok: true });
    expect(parseResult('job.list', ok.result)).toEqual({ jobs: [] });
    const err = errorResponse(null, { code: 'BAD_JSON', message: 'x' });
    expect(ServerMessageSchema.parse(err)).toMatchObject({ ok: false, id: null });
    const ev = eventMessage('log', { time: new Date().toISOString(), level: 'info', msg: 'hi' });
    expect(ServerMessageSchema.parse(ev)).toMatchObject({ kind: 'event', event: 'log' });
    expect(ServerMessageSchema.safeParse({ v: 2, kind: 'event', event: 'log', data: {} }).success).toBe(false);
  });

  it('never has a password field in an account view', () => {
    expect(Object.keys(AccountViewSchema.shape).filter((k) => /password|secret|token/i.test(k) && !k.startsWith('has'))).toEqual([]);
  });
});
