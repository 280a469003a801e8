import { z } from 'zod';

/**
 * The result of a DNS check for the cut-over (切换): what `dns-check --json` prints and what the
 * bridge sends to the extension (request `job.dnsCheck`). The checks themselves are in bridge/dns.
 */
export const DnsRecordKindSchema = z.enum(['MX', 'SPF', 'DKIM', 'DMARC', 'AUTOCONFIG']);
export type DnsRecordKind = z.infer<typeof DnsRecordKindSchema>;

export const DnsRecordStatusSchema = z.enum(['ok', 'missing', 'wrong', 'conflict', 'warning']);
export type DnsRecordStatus = z.infer<typeof DnsRecordStatusSchema>;

export const DnsRecordCheckSchema = z.object({
  kind: DnsRecordKindSchema,
  /** The DNS name that was queried (selector._domainkey.example.com, _dmarc.example.com, ...). */
  name: z.string(),
  status: DnsRecordStatusSchema,
  found: z.array(z.string()),
  expected: z.array(z.string()),
  /**
   * TTL in seconds of what was found (MX and SPF rows, read by a plain DNS query since node:dns
   * reports TTLs only for A/AAAA); null for the other rows or when it could not be read.
   */
  ttl: z.number().int().nonnegative().nullable(),
  /** What to do, in the DNS host's terms (主机记录, 记录类型, 记录值, 优先级, TTL). */
  fix: z.object({ zh: z.string(), en: z.string() }),
  /**
   * The records to add, one per line as the DNS host asks for them, for the copy buttons.
   * Empty when nothing is to be added.
   */
  add: z
    .array(z.object({ host: z.string(), type: z.enum(['MX', 'TXT', 'CNAME', 'SRV']), value: z.string(), priority: z.number().int().nullable(), ttl: z.number().int() }))
    .default([]),
});
export type DnsRecordCheck = z.infer<typeof DnsRecordCheckSchema>;

export const DnsCheckReportSchema = z.object({
  domain: z.string(),
  targetProvider: z.string(),
  oldProvider: z.string().nullable(),
  records: z.array(DnsRecordCheckSchema),
  /** Every MX host belongs to the target provider. */
  mxOnTarget: z.boolean(),
  /** MX, SPF and DKIM are ok. */
  ready: z.boolean(),
  /** When the check ran (ISO). */
  checkedAt: z.string(),
});
export type DnsCheckReport = z.infer<typeof DnsCheckReportSchema>;
