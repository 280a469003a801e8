/**
 * The per-provider DNS expectations of the cut-over check (shared/providers/dns-expectations.ts):
 * the six providers the issue names are there, every value says how far it can be trusted and
 * where it comes from, the MX records to publish are recognised as the provider's own by its
 * host patterns (else a correct switch would read as "wrong"), and each points at a preset
 * whose IMAP/SMTP settings the after-switch page shows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { belongsTo } from '../../bridge/dns/check-mx';
import { DNS_EXPECTATIONS, dnsExpectationsFor, expandMxHost } from '../../shared/providers/dns-expectations';
import { presetById } from '../../shared/providers/match';
import { parseTtl } from '../../bridge/dns/rrset-ttl';

const CONFIDENCE = ['documented', 'observed', 'unverified'];

describe('DNS expectations per provider', () => {
  it('covers Tencent Exmail, Alibaba Mail, NetEase, 263, Microsoft 365 and Google Workspace, by id and alias', () => {
    expect(DNS_EXPECTATIONS.map((e) => e.providerId).sort()).toEqual(['263', 'aliyun', 'gmail', 'netease', 'outlook', 'tencent']);
    expect(dnsExpectationsFor('exmail')?.providerId).toBe('tencent');
    expect(dnsExpectationsFor('M365')?.providerId).toBe('outlook');
    expect(dnsExpectationsFor('google-workspace')?.providerId).toBe('gmail');
    expect(dnsExpectationsFor('网易企业邮')?.providerId).toBe('netease');
    expect(dnsExpectationsFor('yahoo')).toBeUndefined();
  });

  it('marks every value with a confidence and a source', () => {
    for (const e of DNS_EXPECTATIONS) {
      const values = [...e.mx.records, ...e.mx.hosts, e.spf, e.dkim, ...e.autoconfig];
      for (const v of values) {
        expect(CONFIDENCE, `${e.providerId}: ${JSON.stringify(v)}`).toContain(v.confidence);
        expect(v.source.length, `${e.providerId}: ${JSON.stringify(v)}`).toBeGreaterThan(5);
      }
      expect(e.spf.record).toMatch(new RegExp(`^v=spf1 include:${e.spf.includes[0]!.replace(/\./g, '\\.')} [~-]all$`));
    }
  });

  it('recognises its own MX records to publish, and not the other providers\'', () => {
    for (const e of DNS_EXPECTATIONS) {
      for (const r of e.mx.records) {
        const host = expandMxHost(r.host, 'example.com');
        expect(belongsTo(host, e), `${e.providerId} ${host}`).toBe(true);
        for (const other of DNS_EXPECTATIONS.filter((o) => o !== e)) expect(belongsTo(host, other), `${host} also ${other.providerId}`).toBe(false);
      }
    }
    expect(expandMxHost('{dashed}.mail.protection.outlook.com', 'Contoso.co.uk')).toBe('contoso-co-uk.mail.protection.outlook.com');
  });

  it('points at presets with IMAP and SMTP settings for the client set-up list', () => {
    for (const e of DNS_EXPECTATIONS) {
      const preset = presetById(e.providerId);
      expect(preset, e.providerId).toBeDefined();
      expect(preset!.imap.length && preset!.smtp.length, e.providerId).toBeTruthy();
    }
  });

  it('names no internal document as a source (sources are the providers\' pages or observations)', () => {
    const files = [
      'shared/providers/dns-expectations.ts',
      'shared/protocol/dns-check.ts',
      'shared/protocol/cutover.ts',
      ...readdirSync('bridge/dns').map((f) => join('bridge/dns', f)),
      ...readdirSync('extension/dashboard/cutover').map((f) => join('extension/dashboard/cutover', f)),
    ];
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/\bseeds?\b/i);
  });
});

describe('TTL from a DNS answer', () => {
  // example.com MX answer: header, question, two answers (TTL 300 and 120) with name compression.
  const answer = (id: number, rcode = 0) =>
    Buffer.concat([
      Buffer.from([id >> 8, id & 0xff, 0x81, 0x80 | rcode, 0, 1, 0, 2, 0, 0, 0, 0]),
      Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 15, 0, 1]),
      Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 44, 0, 4, 0, 5, 0xc0, 12]),
      Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 120, 0, 4, 0, 10, 0xc0, 12]),
    ]);
  it('is the smallest TTL of the answers of the asked type', () => {
    expect(parseTtl(answer(0x1234), 0x1234, 15)).toBe(120);
    expect(parseTtl(answer(0x1234), 0x1234, 16)).toBeNull();
  });
  it('is null for another query id or an error answer', () => {
    expect(parseTtl(answer(0x1234), 0x4321, 15)).toBeNull();
    expect(parseTtl(answer(0x1234, 3), 0x1234, 15)).toBeNull();
  });
});
