/**
 * One pass per mailbox pair at a time (bridge/service/mailbox-pair.ts, the scheduler's
 * exclusiveKey): what makes two accounts the same pair, and how the scheduler holds one back
 * without giving it a place, host connections, or a first pass stopped for it.
 */
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../bridge/service/accounts-repo';
import type { JobRecord } from '../../bridge/service/jobs-repo';
import { mailboxPairKey } from '../../bridge/service/mailbox-pair';
import { Scheduler, type Candidate } from '../../bridge/service/scheduler';
import { accountRecord, jobRecord } from '../support/service-records';

const server = (host: string, port = 993) => ({ host, port, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

const job = (id: string, over: Partial<JobRecord['spec']> = {}): JobRecord => jobRecord(id, over);

const account = (id: string, over: Partial<AccountRecord> = {}): AccountRecord => accountRecord({ id, jobId: 'job_a', source: 'li@old.cn', target: 'li@new.cn', ...over });

describe('mailbox pair key', () => {
  const base = mailboxPairKey(job('job_a'), account('a1'));

  it('is the same for the pair in another job, with hosts and logins in other letters or Unicode forms', () => {
    expect(mailboxPairKey(job('job_b', { source: { protocol: 'imap', ...server('IMAP.Old.CN') }, target: server('Imap.New.Cn') }), account('b1', { source: 'LI@old.cn', target: 'Li@New.cn' }))).toBe(base);
    const composed = mailboxPairKey(job('job_a'), account('a1', { source: 'zoë@old.cn' }));
    expect(mailboxPairKey(job('job_b'), account('b1', { source: 'zoe\u0308@old.cn' }))).toBe(composed);
  });

  it('differs for another source or target mailbox, server or port, and follows an account kept on its own source server', () => {
    expect(mailboxPairKey(job('job_a'), account('a2', { source: 'wang@old.cn' }))).not.toBe(base);
    // Two sources into one target (a merge, unified storage) do not double each other: not one key.
    expect(mailboxPairKey(job('job_a'), account('a2', { source: 'wang@old.cn', target: 'li@new.cn' }))).not.toBe(base);
    expect(mailboxPairKey(job('job_a'), account('a2', { target: 'li2@new.cn' }))).not.toBe(base);
    expect(mailboxPairKey(job('job_b', { target: server('imap.new.cn', 1143) }), account('b1'))).not.toBe(base);
    // The same server's other standard mail port (a second job set up with STARTTLS): the same mailbox.
    expect(mailboxPairKey(job('job_b', { target: server('imap.new.cn', 143) }), account('b1'))).toBe(base);
    expect(mailboxPairKey(job('job_b', { source: { protocol: 'imap', ...server('imap.other.cn') } }), account('b1'))).not.toBe(base);
    const kept = account('b1', { sourceServer: server('imap.old.cn') });
    expect(mailboxPairKey(job('job_b', { source: { protocol: 'imap', ...server('imap.moved.cn') } }), kept)).toBe(base);
  });
});

describe('scheduler: one running account per exclusive key', () => {
  const mk = (id: string, key: string | undefined, firstPass = true, host = 'h'): Candidate => ({ account: account(id), firstPass, host, connections: 2, ...(key ? { exclusiveKey: key } : {}) });

  it('starts one of two candidates with a key in the same look for work, the other when it ended; keyless and other keys run beside', async () => {
    const list = [mk('a', 'k1'), mk('b', 'k1'), mk('c', 'k2'), mk('d', undefined)];
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const held: Array<[string, string]> = [];
    const s = new Scheduler({
      limits: { maxAccounts: 4, maxConnectionsPerHost: 8 },
      candidates: () => list.filter((c) => !started.includes(c.account.id)),
      run: (c) => {
        started.push(c.account.id);
        return new Promise<void>((r) => release.set(c.account.id, r));
      },
      onHeldBack: (c, holder) => held.push([c.account.id, holder]),
      tickMs: 60_000,
    });
    s.tick();
    expect(started).toEqual(['a', 'c', 'd']);
    expect(held).toEqual([['b', 'a']]);
    // While a runs, b stays out, however many looks for work; it took none of the host's connections.
    s.tick();
    expect(started).toEqual(['a', 'c', 'd']);
    expect(held).toEqual([['b', 'a'], ['b', 'a']]);
    expect(s.hostLoad().get('h')).toBe(6);
    expect(s.holderOf('k1')).toBe('a');
    release.get('a')!();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual(['a', 'c', 'd', 'b']);
    expect(s.holderOf('k1')).toBe('b');
    for (const r of release.values()) r();
    await s.stop();
  });

  it('a sync held back by its key stops no first pass to make room, and lets the next candidate have the place', async () => {
    const list = [mk('first', 'k1', true), mk('other', 'k2', true)];
    const started: string[] = [];
    const stopped: string[] = [];
    const s = new Scheduler({
      limits: { maxAccounts: 2, maxConnectionsPerHost: 8 },
      candidates: () => list.filter((c) => !started.includes(c.account.id) || stopped.includes(c.account.id)),
      nextSyncAt: () => null,
      run: (c, _n, signal) => {
        started.push(c.account.id);
        return new Promise<void>((r) => signal.addEventListener('abort', () => (stopped.push(c.account.id), r())));
      },
      tickMs: 60_000,
    });
    // No sync due: both places go to first passes.
    s.tick();
    expect(started).toEqual(['first', 'other']);
    // A sync over the pair the first pass copies falls due: it could not run before that pass ends, so nothing is stopped for it.
    list.unshift(mk('sync', 'k1', false));
    s.tick();
    await new Promise((r) => setImmediate(r));
    expect(stopped).toEqual([]);
    await s.stop();
  });
});
