import { connect } from 'node:net';
import type { ErrorInfo } from '../../shared/errors';
import type { AccountJob } from '../engine/account-job';

/** How long one server gets to accept a TCP connection before the run says it cannot be reached. */
export const REACH_TIMEOUT_MS = 10_000;

interface Server {
  side: 'source' | 'target' | 'source and target';
  host: string;
  port: number;
}

/** Answers that say the server is not there, as opposed to a link that may be better in a moment. */
const NOT_THERE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
/** A refusal seen once may be a server restarting: it is asked again after this pause. */
const SECOND_TRY_MS = 2000;

const key = (s: { host: string; port: number }): string => `${s.host.toLowerCase()}:${s.port}`;

/** null when the server accepted a TCP connection, else what went wrong (an errno code, or that it did not answer in time). */
export function reach(s: { host: string; port: number }, timeoutMs: number): Promise<string | null> {
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
 * 1,000 accounts on a mistyped port took hours to say so. Only answers that say the server
 * is not there (refused twice, unknown name, no route) stop its accounts; a timeout, a reset
 * or a temporary DNS failure is left to the accounts' own retries. Returns the error for each
 * account whose source or target server is not there, and says so once per server through
 * `say`. A server that answers is left to the run (logins, TLS).
 */
export async function unreachableAccounts(
  jobs: readonly AccountJob[],
  say: (line: string) => void,
  { timeoutMs = REACH_TIMEOUT_MS, secondTryMs = SECOND_TRY_MS, probe = reach }: { timeoutMs?: number; secondTryMs?: number; probe?: typeof reach } = {},
): Promise<Map<AccountJob, ErrorInfo>> {
  const servers = new Map<string, Server & { jobs: Set<AccountJob> }>();
  for (const j of jobs) {
    for (const [side, ep] of [['source', j.source], ['target', j.target]] as const) {
      const s = servers.get(key(ep)) ?? { side, host: ep.host, port: ep.port, jobs: new Set<AccountJob>() };
      if (s.side !== side) s.side = 'source and target';
      s.jobs.add(j);
      servers.set(key(ep), s);
    }
  }
  const problems = new Map<string, ErrorInfo>();
  await Promise.all(
    [...servers].map(async ([k, s]) => {
      let problem = await probe(s, timeoutMs);
      if (problem === 'ECONNREFUSED') problem = await new Promise<void>((r) => setTimeout(r, secondTryMs)).then(() => probe(s, timeoutMs));
      if (problem === null || !NOT_THERE.has(problem)) return;
      const dns = problem === 'ENOTFOUND';
      problems.set(k, {
        code: dns ? 'DNS_FAILED' : 'CONNECT_FAILED',
        ...(s.side === 'source and target' ? {} : { side: s.side }),
        message: `The ${s.side} server ${s.host}:${s.port} cannot be reached (${problem}), so no account on it was started. ${dns ? 'Check the server name.' : 'Check the host name and port, the network and the firewall.'} Then run the same command again.`,
      });
      say(`Cannot reach the ${s.side} server ${s.host}:${s.port} (${problem}): its ${s.jobs.size} account(s) are not started.`);
    }),
  );
  const out = new Map<AccountJob, ErrorInfo>();
  for (const j of jobs) {
    const problem = problems.get(key(j.source)) ?? problems.get(key(j.target));
    if (problem) out.set(j, problem);
  }
  return out;
}
