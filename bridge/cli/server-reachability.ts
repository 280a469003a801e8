import { connect } from 'node:net';
import type { ErrorInfo } from '../../shared/errors';
import type { AccountJob } from '../engine/account-job';

/** How long one server gets to accept a TCP connection before the run says it cannot be reached. */
export const REACH_TIMEOUT_MS = 10_000;

interface Server {
  side: 'source' | 'target';
  host: string;
  port: number;
}

const key = (s: { host: string; port: number }): string => `${s.host.toLowerCase()}:${s.port}`;

function reach(s: Server, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: s.host, port: s.port });
    const done = (problem: string | null): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/**
 * Before a batch starts, one TCP connection to each distinct server it uses. Each account
 * otherwise finds a dead server on its own, after its retries (about 15 s each): a batch of
 * 1,000 accounts on a mistyped port took hours to say so. Returns the error for each
 * account whose source or target server did not accept a connection, and says so once per
 * server through `say`. A server that answers is left to the run (logins, TLS).
 */
export async function unreachableAccounts(jobs: readonly AccountJob[], say: (line: string) => void, timeoutMs = REACH_TIMEOUT_MS): Promise<Map<AccountJob, ErrorInfo>> {
  const servers = new Map<string, Server & { accounts: number }>();
  for (const j of jobs) {
    for (const [side, ep] of [['source', j.source], ['target', j.target]] as const) {
      const s = servers.get(key(ep)) ?? { side, host: ep.host, port: ep.port, accounts: 0 };
      s.accounts++;
      servers.set(key(ep), s);
    }
  }
  const problems = new Map<string, ErrorInfo>();
  await Promise.all(
    [...servers].map(async ([k, s]) => {
      const problem = await reach(s, timeoutMs);
      if (problem === null) return;
      const dns = problem === 'ENOTFOUND' || problem === 'EAI_AGAIN';
      problems.set(k, {
        code: dns ? 'DNS_FAILED' : 'CONNECT_FAILED',
        side: s.side,
        message: `The ${s.side} server ${s.host}:${s.port} cannot be reached (${problem}), so no account on it was started. ${dns ? 'Check the server name.' : 'Check the host name and port, the network and the firewall.'} Then run the same command again.`,
      });
      say(`Cannot reach the ${s.side} server ${s.host}:${s.port} (${problem}): its ${s.accounts} account(s) are not started.`);
    }),
  );
  const out = new Map<AccountJob, ErrorInfo>();
  for (const j of jobs) {
    const problem = problems.get(key(j.source)) ?? problems.get(key(j.target));
    if (problem) out.set(j, problem);
  }
  return out;
}
