/**
 * `mailmover-bridge dns-check DOMAIN --target-provider ID [--old-provider ID] [--dkim-selector NAME]
 * [--dns-server HOST:PORT] [--json]`: the cut-over DNS check. Exit 0 when ready (MX, SPF, DKIM
 * ok), 1 when something needs fixing, the DNS server failed or the domain does not exist, 2 for
 * usage errors.
 */
import { z } from 'zod';
import { emailDomain } from '../../shared/providers/match';
import { dnsExpectationsFor } from '../../shared/providers/dns-expectations';
import type { DnsCheckReport } from '../../shared/protocol/dns-check';
import { dnsCheckFailure } from '../dns/dns-check-failure';
import { DnsQueryError, DomainNotFoundError, parseDnsServer } from '../dns/dns-client';
import { runDnsCheck } from '../dns/run-dns-check';
import { UsageError } from './endpoint-url';

const providerId = (option: string) =>
  z.string().superRefine((v, ctx) => {
    if (!dnsExpectationsFor(v)) {
      ctx.addIssue({ code: 'custom', message: `${option}: no DNS expectations for "${v}"; known: tencent (exmail), aliyun, netease, 263, outlook (m365), gmail (google-workspace)` });
    }
  });

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Why an (ASCII) domain cannot be queried, or null. The resolver refuses such names itself
 * (EBADNAME), but only after the check started and in words that blame the DNS server.
 */
function domainNameProblem(ascii: string): string | null {
  const labels = ascii.split('.');
  if (labels.some((l) => l === '')) return 'it has an empty label (a leading dot or "..")';
  if (ascii.length > 253) return 'it is longer than 253 characters';
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad) return `"${bad}" is not a DNS label (letters, digits and inner hyphens, at most 63)`;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'it is an IP address, not a domain';
  return null;
}

const OptionsSchema = z.object({
  domain: z.string().transform((v, ctx) => {
    const d = emailDomain(v);
    const problem = d && !v.includes('@') ? domainNameProblem(d) : 'expected a domain such as example.com';
    if (!d || problem) {
      ctx.addIssue({ code: 'custom', message: `DOMAIN: "${v}" is not a domain name: ${problem}` });
      return z.NEVER;
    }
    return d;
  }),
  targetProvider: providerId('--target-provider'),
  oldProvider: providerId('--old-provider').optional(),
  dkimSelector: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, '--dkim-selector: a DNS label such as "selector1" or "default"')
    .optional(),
  dnsServer: z
    .string()
    .transform((v, ctx) => {
      try {
        return parseDnsServer(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `--dns-server: ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .optional(),
  json: z.boolean().optional(),
});

export interface DnsCheckIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const STATUS_ZH: Record<string, string> = { ok: '正常', missing: '缺失', wrong: '错误', conflict: '冲突', warning: '警告' };

function printHuman(report: DnsCheckReport, out: (s: string) => void): void {
  out(`DNS check of ${report.domain} for ${report.targetProvider}${report.oldProvider ? ` (from ${report.oldProvider})` : ''}`);
  for (const r of report.records) {
    out(`\n[${r.status.toUpperCase()} ${STATUS_ZH[r.status]}] ${r.kind} ${r.name}`);
    out(`  found:    ${r.found.length ? r.found.join(' | ') : '(none)'}`);
    out(`  expected: ${r.expected.join(' | ')}`);
    if (r.status !== 'ok') {
      out(`  fix: ${r.fix.en}`);
      out(`  修改：${r.fix.zh}`);
    }
  }
  out(`\nMX on the target: ${report.mxOnTarget ? 'yes' : 'no'}; ready: ${report.ready ? 'yes (MX, SPF, DKIM ok)' : 'no'}`);
}

export async function runDnsCheckCommand(domain: string, raw: Record<string, unknown>, io: DnsCheckIo): Promise<number> {
  const parsed = OptionsSchema.safeParse({ ...raw, domain });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  let report: DnsCheckReport;
  try {
    report = await runDnsCheck({ domain: o.domain, targetProvider: o.targetProvider, oldProvider: o.oldProvider ?? null, dkimSelector: o.dkimSelector, dnsServer: o.dnsServer });
  } catch (err) {
    if (err instanceof DnsQueryError || err instanceof DomainNotFoundError) {
      const failure = dnsCheckFailure(err, { domain: o.domain, targetProvider: dnsExpectationsFor(o.targetProvider)!.providerId, oldProvider: o.oldProvider ? dnsExpectationsFor(o.oldProvider)!.providerId : null, dnsServer: o.dnsServer ?? null });
      // As test-connection --json: the document on stdout, the summary for a person on stderr.
      if (o.json) io.stdout.write(JSON.stringify(failure) + '\n');
      io.stderr.write(`mailmover-bridge: ${failure.error.message}\nWhat to do: ${failure.error.remedy.en}\n处理建议：${failure.error.remedy.zh}\n`);
      return 1;
    }
    throw err;
  }
  if (o.json) io.stdout.write(JSON.stringify(report) + '\n');
  else printHuman(report, (s) => io.stdout.write(s + '\n'));
  return report.ready ? 0 : 1;
}
