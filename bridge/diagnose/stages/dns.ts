import { lookup as dnsLookup } from 'node:dns/promises';
import type { StageContext } from './context';

const IS_IP = /^[\d.]+$|:/;

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Resolves the server name (A/AAAA) as a connection would. false: the name does not resolve. */
export async function resolveServerName(ctx: StageContext): Promise<boolean> {
  const { endpoint, opts, timeoutMs, report } = ctx;
  if (IS_IP.test(endpoint.host)) {
    report.fields.dns = { addresses: [endpoint.host], ms: 0 };
    report.step('dns', 'skipped', 0, 'IP address');
    return true;
  }
  const t = performance.now();
  const lookup = opts.lookup ?? (async (h: string) => (await dnsLookup(h, { all: true })).map((a) => a.address));
  try {
    const addresses = await withTimeout(lookup(endpoint.host), timeoutMs, () => Object.assign(new Error(`no DNS answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' }));
    if (!addresses.length) throw Object.assign(new Error('no addresses'), { code: 'ENODATA' });
    report.fields.dns = { addresses, ms: Math.round(performance.now() - t) };
    report.step('dns', 'ok', performance.now() - t, addresses.join(', '));
    return true;
  } catch (err) {
    const code = String((err as { code?: string }).code ?? '');
    const why =
      code === 'ENOTFOUND' ? 'the name does not exist' : code === 'ETIMEOUT' || code === 'EAI_AGAIN' ? 'no answer from the DNS server' : code === 'ENODATA' ? 'the name has no address' : (err as Error).message;
    report.fail('DNS_FAILED', `The server name ${endpoint.host} cannot be resolved: ${why} (${code || 'error'}).`, 'dns');
    return false;
  }
}
