import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_STATUSES,
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
import { ACCOUNT_STATUS_LABELS } from '../../shared/status-labels';

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
        'ping',
        'provider.detect',
        'folders.preview',
        'account.get',
        'account.skipped',
        'account.reopen',
        'job.reopen',
        'cutover.set',
        'cutover.get',
        'cutover.check',
        'cutover.checklist',
      ]),
    );
    expect(Object.keys(EVENTS).sort()).toEqual(['account.progress', 'account.status', 'job.cutover', 'job.firstPassDone', 'job.status', 'log']);
  });

  it("names every account status as the providers' migration consoles do", () => {
    expect(ACCOUNT_STATUS_LABELS.not_enabled.zh).toBe('未开启搬家');
    expect(ACCOUNT_STATUS_LABELS.not_started.zh).toBe('未开始');
    expect(ACCOUNT_STATUS_LABELS.in_progress.zh).toBe('进行中');
    for (const s of ACCOUNT_STATUSES) expect(ACCOUNT_STATUS_LABELS[s].en.length).toBeGreaterThan(0);
    expect(ACCOUNT_STATUSES).not.toContain('done'); // Alibaba Mail's 邮箱搬家 has no "completed" status: it keeps syncing
  });

  it('fills job defaults: mapped storage, 30-day incremental window, per-account logins', () => {
    const spec = JobSpecSchema.parse({
      name: 'x',
      source: { host: 'imap.exmail.qq.com', port: 993, security: 'tls' },
      target: { host: 'imap.qiye.aliyun.com', port: 993, security: 'tls' },
    });
    expect(spec).toMatchObject({
      storage: 'mapped',
      incremental: { intervalMinutes: 5, windowDays: 30 },
      sourceLogin: { kind: 'per-account' },
      source: { protocol: 'imap', allowPlaintext: false, insecureTls: false },
      filters: { since: null, deleted: 'copy' },
    });
    expect(JobSpecSchema.safeParse({ ...spec, source: { ...spec.source, host: 'imaps://x' } }).success).toBe(false);
    expect(JobSpecSchema.safeParse({ ...spec, filters: { since: '2023-02-29' } }).success).toBe(false);
  });

  it('incremental sync: 5-minute default, sub-minute intervals and fractional windows within sane bounds', () => {
    const inc = JobSpecSchema.shape.incremental;
    expect(inc.parse(undefined)).toEqual({ intervalMinutes: 5, windowDays: 30 });
    expect(inc.parse({ intervalMinutes: 2 / 60, windowDays: 20 / 86_400 })).toEqual({ intervalMinutes: 2 / 60, windowDays: 20 / 86_400 });
    expect(inc.parse({ intervalMinutes: 0, windowDays: 30 }).intervalMinutes).toBe(0);
    for (const bad of [{ intervalMinutes: -1 }, { intervalMinutes: 0.001 }, { intervalMinutes: 8 * 24 * 60 }, { windowDays: 0 }, { windowDays: 366 }, { windowDays: 1e-9 }]) {
      expect(inc.safeParse({ intervalMinutes: 5, windowDays: 30, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('new requests: reopen with passwords for one account only, skipped paging, endpoint.test admin form', () => {
    const reopen = REQUESTS['account.reopen'].params;
    const typedFor = { host: 'imap.old.example', port: 993, security: 'tls' };
    expect(reopen.safeParse({ accountIds: ['acc_abcdef'], sourcePassword: 'pw', sourceServer: typedFor }).success).toBe(true);
    // A password names the server it was typed for.
    expect(reopen.safeParse({ accountIds: ['acc_abcdef'], sourcePassword: 'pw' }).success).toBe(false);
    expect(reopen.safeParse({ accountIds: ['acc_abcdef', 'acc_ghijkl'], sourcePassword: 'pw', sourceServer: typedFor }).success).toBe(false);
    expect(reopen.safeParse({ jobId: 'job_abcdef', statuses: ['closed'] }).success).toBe(true);
    expect(REQUESTS['account.skipped'].params.parse({ accountId: 'acc_abcdef' })).toEqual({ accountId: 'acc_abcdef', offset: 0, limit: 100 });
    expect(REQUESTS.ping.params.parse(undefined)).toEqual({});
    const test = REQUESTS['endpoint.test'].params.parse({ server: { host: 'h', port: 993, security: 'tls' }, user: 'a@b.c', password: 'p', adminUser: 'admin', adminForm: 'separator' });
    expect(test).toMatchObject({ adminForm: 'separator', detect: true, server: { protocol: 'imap' } });
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
    const typedFor = { host: 'imap.old.example', port: 993, security: 'tls' };
    expect(p.safeParse({ accountId: 'acc_abcdef', sourcePassword: 'pw', sourceServer: typedFor }).success).toBe(true);
    expect(p.safeParse({ jobId: 'job_abcdef', target: 'a@b.cn', sourceUser: 'a@old.cn', sourcePassword: 'pw', sourceServer: typedFor }).success).toBe(true);
    expect(p.safeParse({ accountId: 'acc_abcdef' }).success).toBe(false);
    // Each password names the server it was typed for.
    expect(p.safeParse({ accountId: 'acc_abcdef', sourcePassword: 'pw' }).success).toBe(false);
    expect(p.safeParse({ accountId: 'acc_abcdef', sourcePassword: 'pw', targetPassword: 'pw', sourceServer: typedFor }).success).toBe(false);
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
