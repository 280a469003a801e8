/**
 * A mailbox pair that another open job migrates in another storage (mapped / unified) is refused
 * at import, by line, naming that job: its messages would go to other folders, none would be
 * found there, and the new mailbox would get a second copy of each. The same storage is allowed
 * (the two jobs take turns and find each other's copies), as are a closed account or job, another
 * target mailbox, and a re-import into the job that has the account. Reopening such an account,
 * and switching a job's storage into such a pair, are refused the same way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { BridgeService } from '../../bridge/service/bridge-service';
import { HeldRunner, HeldServices } from '../support/held-service';

const held = new HeldServices();
afterEach(() => held.cleanup());
const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });
const csv = (...rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

function createJob(s: BridgeService, name: string, storage: 'mapped' | 'unified', rows: string[]) {
  return s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name,
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      storage,
      accounts: [{ mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(...rows) }],
    }) as never,
  );
}

function service(): BridgeService {
  return held.start(mkdtempSync(join(tmpdir(), 'mailmover-other-layout-')), new HeldRunner());
}

describe('importing a mailbox pair another open job migrates', () => {
  it('in another storage: refused by line, naming the job, in English and Chinese; nothing is created', () => {
    const s = service();
    createJob(s, 'Mapped move', 'mapped', ['li@old.test,pw-1,li@new.test,pw-2']);
    const r = createJob(s, 'Archive', 'unified', ['wang@old.test,pw-3,wang@new.test,pw-4', 'LI@old.test,pw-1,li@new.test,pw-2']);
    expect(r.job).toBeNull();
    expect(r.imports[0]!.errors).toEqual([
      {
        line: 3,
        message:
          'LI@old.test → li@new.test is already being migrated by job "Mapped move" into original folders (mapped); this job would copy every message again into one folder named after the old address (unified). Close the account in "Mapped move" first, or migrate it in that job.',
        messageZh: 'LI@old.test → li@new.test 已在任务“Mapped move”中按文件夹映射模式搬家；此任务按统一存储模式会把每封邮件再复制一份。请先在“Mapped move”中关闭该账号，或在该任务中搬家。',
      },
    ]);
    expect(s.jobs.listJobs().map((j) => j.name)).toEqual(['Mapped move']);
  });

  it('into an existing job of another storage: refused the same way (accounts.import)', () => {
    const s = service();
    createJob(s, 'Archive', 'unified', ['li@old.test,pw-1,li@new.test,pw-2']);
    const mapped = createJob(s, 'Mapped move', 'mapped', ['wang@old.test,pw-3,wang@new.test,pw-4']).job!;
    const r = s.accounts.importAccounts(paramsSchema('accounts.import').parse({ jobId: mapped.id, mode: 'admin-with-passwords', autoStart: false, csvBase64: csv('li@old.test,pw-1,li@new.test,pw-2') }) as never);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(2);
    expect(r.errors[0]!.message).toContain('li@old.test → li@new.test is already being migrated by job "Archive" into one folder named after the old address (unified)');
    expect(s.accounts.listAccounts({ jobId: mapped.id } as never).accounts.map((a) => a.source)).toEqual(['wang@old.test']);
  });

  it('is accepted in the same storage, into another target, once the account or its job is closed, and as a re-import into its own job', async () => {
    const s = service();
    const first = createJob(s, 'Mapped move', 'mapped', ['li@old.test,pw-1,li@new.test,pw-2', 'zhao@old.test,pw-5,zhao@new.test,pw-6']).job!;
    expect(createJob(s, 'Mapped again', 'mapped', ['li@old.test,pw-1,li@new.test,pw-2']).imports[0]!.errors).toEqual([]);
    expect(createJob(s, 'Archive to another mailbox', 'unified', ['li@old.test,pw-1,li-archive@new.test,pw-2']).imports[0]!.errors).toEqual([]);
    const again = s.accounts.importAccounts(paramsSchema('accounts.import').parse({ jobId: first.id, mode: 'admin-with-passwords', autoStart: false, csvBase64: csv('li@old.test,pw-1b,li@new.test,pw-2b') }) as never);
    expect(again.errors).toEqual([]);
    // "Mapped again" still has li open: closed there and in the first job, li may go to the archive.
    for (const job of s.jobs.listJobs().filter((j) => j.name.startsWith('Mapped'))) {
      const li = s.accounts.listAccounts({ jobId: job.id } as never).accounts.find((a) => a.source === 'li@old.test')!;
      s.accounts.stopAccounts({ accountIds: [li.id] } as never);
    }
    expect(createJob(s, 'Archive', 'unified', ['li@old.test,pw-1,li@new.test,pw-2']).imports[0]!.errors).toEqual([]);
    // A closed job's accounts do not count either.
    await s.jobs.closeJob(first.id);
    expect(createJob(s, 'Archive of zhao', 'unified', ['zhao@old.test,pw-5,zhao@new.test,pw-6']).imports[0]!.errors).toEqual([]);
  });

  it('addresses in other letters than ASCII compare as the pair key compares them (case, Unicode forms)', () => {
    const s = service();
    createJob(s, 'Mapped move', 'mapped', ['jürgen@old.test,pw-1,zoë@new.test,pw-2']);
    // Upper case Ü, and ë written as e + combining diaeresis: the same mailboxes to the servers.
    const r = createJob(s, 'Archive', 'unified', ['JÜRGEN@old.test,pw-1,zoe\u0308@new.test,pw-2']);
    expect(r.job).toBeNull();
    expect(r.imports[0]!.errors.map((e) => e.line)).toEqual([2]);
  });

  it('reopening an account closed in one job while another job of the other storage migrates its pair: refused, naming that job', async () => {
    const s = service();
    const mapped = createJob(s, 'Mapped move', 'mapped', ['li@old.test,pw-1,li@new.test,pw-2']).job!;
    const li = () => s.accounts.listAccounts({ jobId: mapped.id } as never).accounts[0]!;
    s.accounts.stopAccounts({ accountIds: [li().id] } as never);
    expect(createJob(s, 'Archive', 'unified', ['li@old.test,pw-1,li@new.test,pw-2']).imports[0]!.errors).toEqual([]);
    const r = s.accounts.reopenAccounts({ accountIds: [li().id] } as never);
    expect(r.results).toEqual([
      expect.objectContaining({ ok: false, status: 'closed', otherLayoutJob: 'Archive', reason: expect.stringContaining('is already being migrated by job "Archive" into one folder named after the old address (unified)') }),
    ]);
    expect(li().status).toBe('closed');
  });

  it("switching a job's storage while another open job migrates one of its pairs in the new one: refused, nothing changed", () => {
    const s = service();
    createJob(s, 'Archive', 'unified', ['li@old.test,pw-1,li@new.test,pw-2']);
    // Both mapped for now: accepted. Then the second one is switched to unified: the first holds li in mapped.
    const first = createJob(s, 'Mapped move', 'mapped', ['wang@old.test,pw-3,wang@new.test,pw-4']).job!;
    const second = createJob(s, 'Mapped again', 'mapped', ['wang@old.test,pw-3,wang@new.test,pw-4']).job!;
    expect(() => s.jobs.updateJob({ jobId: second.id, patch: { storage: 'unified' } } as never)).toThrow(/wang@old\.test → wang@new\.test is already being migrated by job "Mapped move" into original folders \(mapped\)/);
    expect(s.jobs.listJobs().find((j) => j.id === second.id)!.storage).toBe('mapped');
    // With the pair closed in the first job, the switch goes through.
    const wang = s.accounts.listAccounts({ jobId: first.id } as never).accounts[0]!;
    s.accounts.stopAccounts({ accountIds: [wang.id] } as never);
    expect(s.jobs.updateJob({ jobId: second.id, patch: { storage: 'unified' } } as never).storage).toBe('unified');
  });
});
