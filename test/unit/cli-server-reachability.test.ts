import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreachableAccounts } from '../../bridge/cli/server-reachability';
import { EndpointSchema } from '../../bridge/engine/endpoint';
import { MigrationOptionsSchema } from '../../shared/migration';
import type { AccountJob } from '../../bridge/engine/account-job';
import { getFreePort } from '../harness/free-port';

const options = MigrationOptionsSchema.parse({});
const ep = (host: string, port: number, user: string) => EndpointSchema.parse({ host, port, security: 'tls', user, auth: { kind: 'password', password: 'x' } });
const job = (src: [string, number], tgt: [string, number], n: number): AccountJob => ({ source: ep(src[0], src[1], `u${n}@old.example.com`), target: ep(tgt[0], tgt[1], `u${n}@new.example.com`), options });

describe('the batch pre-check of its servers', () => {
  let listening: Server;
  let open: number;
  beforeAll(async () => {
    listening = createServer((s) => s.destroy());
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    open = (listening.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => listening.close(() => r())));

  it('a refused port stops its accounts (asked twice), counted once each; the server that answers is left to the run', async () => {
    const dead = await getFreePort();
    const jobs = [1, 2, 3].map((n) => job(['127.0.0.1', open], ['127.0.0.1', dead], n));
    const said: string[] = [];
    const out = await unreachableAccounts(jobs, (l) => said.push(l), { timeoutMs: 2000, secondTryMs: 50 });
    expect(said).toEqual([`Cannot reach the target server 127.0.0.1:${dead} (ECONNREFUSED): its 3 account(s) are not started.`]);
    expect([...out.keys()]).toEqual(jobs);
    expect(out.get(jobs[0]!)).toMatchObject({ code: 'CONNECT_FAILED', side: 'target' });
  });

  it('one server on both sides is named so, and its accounts counted once', async () => {
    const dead = await getFreePort();
    const jobs = [1, 2].map((n) => job(['127.0.0.1', dead], ['127.0.0.1', dead], n));
    const said: string[] = [];
    const out = await unreachableAccounts(jobs, (l) => said.push(l), { timeoutMs: 2000, secondTryMs: 50 });
    expect(said).toEqual([`Cannot reach the source and target server 127.0.0.1:${dead} (ECONNREFUSED): its 2 account(s) are not started.`]);
    expect(out.get(jobs[1]!)?.side).toBeUndefined();
  });

  it('an unknown name is DNS_FAILED', async () => {
    const jobs = [job(['imap.no-such-host.invalid', 993], ['127.0.0.1', open], 1), job(['imap.no-such-host.invalid', 993], ['127.0.0.1', open], 2)];
    const out = await unreachableAccounts(jobs, () => undefined, { timeoutMs: 5000, secondTryMs: 50 });
    expect(out.get(jobs[0]!)).toMatchObject({ code: 'DNS_FAILED', side: 'source' });
  });

  it('no answer in time, a reset or a temporary DNS failure is not taken for a dead server: the accounts keep their own retries', async () => {
    for (const answer of ['no answer within 10 s', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT']) {
      const jobs = [job(['imap.old.example.com', 993], ['127.0.0.1', open], 1), job(['imap.old.example.com', 993], ['127.0.0.1', open], 2)];
      const said: string[] = [];
      const out = await unreachableAccounts(jobs, (l) => said.push(l), { secondTryMs: 0, probe: async (s) => (s.port === open ? null : answer) });
      expect({ answer, said, stopped: out.size }).toEqual({ answer, said: [], stopped: 0 });
    }
  });

  it('a refusal that is gone on the second try (a server restarting) stops nothing', async () => {
    let asked = 0;
    const jobs = [job(['imap.old.example.com', 993], ['127.0.0.1', open], 1), job(['imap.old.example.com', 993], ['127.0.0.1', open], 2)];
    const out = await unreachableAccounts(jobs, () => undefined, { secondTryMs: 0, probe: async (s) => (s.port === open ? null : asked++ === 0 ? 'ECONNREFUSED' : null) });
    expect(asked).toBe(2);
    expect(out.size).toBe(0);
  });
});
