import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifiesCertificate, type Endpoint } from '../engine/endpoint';
import { parseEndpointUrl } from './endpoint-url';
import { UsageError } from './usage-error';

type Side = 'source' | 'target';

/**
 * A `--source-ca` / `--target-ca` / `--ca` file: one or more PEM certificates (the server's own
 * self-signed certificate, or the private CA that signed it). Checked here, so that a wrong
 * file is a usage error naming the option instead of a TLS failure on every account.
 */
export function readCaFile(file: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${file}: ${(err as Error).message}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${option}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const pem of blocks) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new UsageError(`${option}: ${file} holds a certificate that cannot be read: ${(err as Error).message}`);
    }
  }
  return blocks.join('\n') + '\n';
}

/** Whether a side's certificate goes unchecked, and the option that made it so. */
function optOut(ep: Pick<Endpoint, 'security' | 'insecureTls'>, side: Side, bothSides: boolean): string | undefined {
  if (verifiesCertificate(ep)) return undefined;
  if (ep.insecureTls) return bothSides ? '--insecure-tls' : `--${side}-insecure-tls`;
  // --allow-plaintext with imap:// / pop3://: STARTTLS when offered, with any certificate.
  return '--allow-plaintext';
}

/**
 * The one line a run prints on stderr when it did not check a server's TLS certificate
 * (--insecure-tls, --source-insecure-tls / --target-insecure-tls, or --allow-plaintext on
 * imap:// / pop3://): which side(s), and by which option. Undefined when every certificate was checked.
 */
export function tlsOptOutWarning(
  jobs: ReadonlyArray<{ source: Pick<Endpoint, 'security' | 'insecureTls'>; target: Pick<Endpoint, 'security' | 'insecureTls'> }>,
  flags: { insecureTls?: boolean } = {},
): string | undefined {
  const both = flags.insecureTls === true;
  const parts: Array<{ side: Side; reasons: string[] }> = [];
  for (const side of ['source', 'target'] as const) {
    const reasons = [...new Set(jobs.map((j) => optOut(j[side], side, both)).filter((r): r is string => r !== undefined))];
    if (reasons.length) parts.push({ side, reasons });
  }
  if (parts.length === 0) return undefined;
  // One option for both sides: named once, after them.
  const same = parts.length === 2 && parts[0]!.reasons.join() === parts[1]!.reasons.join();
  const where = same
    ? `the source and the target (${parts[0]!.reasons.join(', ')})`
    : parts.map((p) => `the ${p.side} (${p.reasons.join(', ')})`).join(' and ');
  const whose = parts.length === 2 ? "the servers' identity was" : "the server's identity was";
  return `Warning: TLS certificates were NOT checked on ${where}: ${whose} not verified.`;
}

/**
 * tlsOptOutWarning from the migrate options alone (`migrate --queue`, whose accounts run on
 * the workers): the endpoints as buildJobs makes them, as far as the certificate check goes.
 */
export function tlsOptOutWarningForOptions(o: {
  source: string;
  target: string;
  allowPlaintext: boolean;
  insecureTls: boolean;
  sourceInsecureTls: boolean;
  targetInsecureTls: boolean;
}): string | undefined {
  const side = (url: string, insecure: boolean): Pick<Endpoint, 'security' | 'insecureTls'> => {
    const security = parseEndpointUrl(url, '--source', { allowPop3: true }).security;
    return { security: security === 'starttls' && o.allowPlaintext ? 'plain' : security, insecureTls: o.insecureTls || insecure };
  };
  return tlsOptOutWarning([{ source: side(o.source, o.sourceInsecureTls), target: side(o.target, o.targetInsecureTls) }], o);
}
