/**
 * A job's storage (mapped / unified) can change until mail is on the target, not after: the
 * engine knows each copied message whatever folder it went to, so after a change every account
 * would copy nothing into the new layout and fail on its next pass. job.update says so at once
 * (CONFLICT, what to do in both languages) and changes nothing. The pass runner is a stand-in
 * that reports what it is told to; the service's bookkeeping is real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { BridgeService } from '../../bridge/service/bridge-service';
import { ServiceError } from '../../bridge/service/service-error';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const held = new HeldServices();
afterEach(() => held.cleanup());

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });
const csv = (rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

function jobWithTwoAccounts(s: BridgeService, autoStart: boolean): string {
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'storage',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      accounts: [{ mode: 'admin-with-passwords', autoStart, csvBase64: csv(['a@old.test,pw-src-1,a@new.test,pw-tgt-1', 'b@old.test,pw-src-2,b@new.test,pw-tgt-2']) }],
    }) as never,
  );
  return r.job!.id;
}

const setStorage = (s: BridgeService, jobId: string, storage: 'mapped' | 'unified') => s.jobs.updateJob(paramsSchema('job.update').parse({ jobId, patch: { storage } }) as never);
const jobOf = (s: BridgeService, jobId: string) => s.jobs.listJobs().find((j) => j.id === jobId)!;
const storageOf = (s: BridgeService, jobId: string) => jobOf(s, jobId).storage;

describe('job.update of the storage', () => {
  it('is accepted while no account has mail on the target', () => {
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-storage-')), new HeldRunner());
    const jobId = jobWithTwoAccounts(s, false);
    setStorage(s, jobId, 'unified');
    expect(storageOf(s, jobId)).toBe('unified');
    setStorage(s, jobId, 'mapped');
    expect(storageOf(s, jobId)).toBe('mapped');
  });

  it('is refused once one account copied mail, naming the layout and the way on; nothing changes', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-storage-')), runner);
    const jobId = jobWithTwoAccounts(s, true);
    expect(await until(() => runner.calls.length >= 1)).toBe(true);
    runner.calls[0]!.finish({ messagesCopied: 5, bytesCopied: 5000 });
    expect(await until(() => s.accounts.listAccounts(paramsSchema('account.list').parse({ jobId }) as never).accounts.some((a) => a.counters.messagesCopied === 5))).toBe(true);

    let refused: unknown;
    try {
      setStorage(s, jobId, 'unified');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ServiceError);
    const e = refused as ServiceError;
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/1 account\(s\) of this job already have mail on the target in the original folders \(mapped\) layout \(first: a@old\.test\)/);
    expect(e.remedy?.en).toMatch(/create a new migration with that storage/);
    expect(e.remedy?.zh).toMatch(/已有 1 个账号的邮件按“文件夹映射模式”复制到新邮箱.*请用该存储方案新建一个迁移任务/);
    expect(storageOf(s, jobId)).toBe('mapped');
    // The same storage again (a form saved unchanged) and other fields still go through.
    s.jobs.updateJob(paramsSchema('job.update').parse({ jobId, patch: { storage: 'mapped', name: 'renamed' } }) as never);
    expect(jobOf(s, jobId)).toMatchObject({ name: 'renamed', storage: 'mapped' });
  });
});
