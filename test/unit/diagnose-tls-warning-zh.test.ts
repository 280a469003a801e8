import { describe, expect, it, vi } from 'vitest';
import type { ProbeTls } from '../../bridge/diagnose/probe';
import { ReportBuilder } from '../../bridge/diagnose/report-builder';
import type { StageContext } from '../../bridge/diagnose/stages/context';
import type { Endpoint } from '../../bridge/engine/endpoint';

/**
 * The warning after a self-signed certificate was accepted: its Chinese text said only "不受信任
 * (自签名证书)", without the SHA-256 fingerprint the English one gives, which is what an admin
 * compares with the one the server's administrator gives before trusting the server.
 */
// The warning itself, not the probe: unit files share one module cache, where a mock of the
// probe module would not reach a stages/tls.ts another file loaded first.
import { warnAboutCertificate } from '../../bridge/diagnose/stages/tls';

const FINGERPRINT = '3A:7F:12:C4:9B:00:5E:D1:88:2A:6C:F0:44:19:BB:E7:05:93:AD:61:7C:2E:D8:3F:90:14:56:AB:CD:EF:01:23';
const NOW = new Date('2026-12-07T09:00:00Z');

function certificateTls(over: Partial<ProbeTls> = {}): ProbeTls {
  return {
    mode: 'tls',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    certificate: {
      subject: 'CN=mail.hxkj.cn',
      issuer: 'CN=mail.hxkj.cn',
      subjectAltNames: ['DNS:mail.hxkj.cn'],
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
      expired: false,
      notYetValid: false,
      daysLeft: 25,
      fingerprint256: FINGERPRINT,
      serialNumber: '01',
    },
    selfSigned: true,
    trusted: false,
    authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    hostnameMatches: true,
    hostnameError: null,
    ...over,
  };
}

async function acceptedWarning(tls: ProbeTls, surface?: 'cli' | 'ui') {
  const endpoint: Endpoint = { host: 'mail.hxkj.cn', port: 993, security: 'tls', user: 'it@hxkj.cn', auth: { kind: 'password', password: 'pw' }, allowPlaintext: false, insecureTls: true };
  const report = new ReportBuilder(endpoint, NOW, 'source');
  const warn = vi.spyOn(report, 'warn');
  const ctx = { endpoint, protocol: 'imap', where: 'mail.hxkj.cn:993', account: 'it@hxkj.cn', side: 'source', opts: surface ? { surface } : {}, timeoutMs: 1000, now: NOW, report } as StageContext;
  warnAboutCertificate(ctx, tls, 'insecure-accepted');
  const warning = warn.mock.calls.flat().find((w) => w.code === 'TLS_NOT_VERIFIED');
  expect(warning).toBeDefined();
  return warning!.message;
}

describe('connection test: an accepted self-signed certificate', () => {
  it('the Chinese warning gives the SHA-256 fingerprint, subject and issuer, as the English one does', async () => {
    const message = await acceptedWarning(certificateTls());
    expect(message.en).toContain(`SHA-256 ${FINGERPRINT}`);
    expect(message.zh).toContain(`SHA-256 指纹：${FINGERPRINT}`);
    expect(message.zh).toContain('证书：CN=mail.hxkj.cn；颁发者：CN=mail.hxkj.cn');
    expect(message.zh).toBe(
      `mail.hxkj.cn:993 的 TLS 证书不受信任：证书为自签名证书。证书：CN=mail.hxkj.cn；颁发者：CN=mail.hxkj.cn；SHA-256 指纹：${FINGERPRINT}。` +
        '因已选择信任该服务器的证书而被接受。请将上面的 SHA-256 指纹与该服务器管理员提供的指纹核对，确认您信任该服务器。',
    );
  });

  it('the Chinese warning gives every reason the English one does (expired, name mismatch), and the command line its flag', async () => {
    const expired = certificateTls({ hostnameMatches: false, hostnameError: "Hostname/IP does not match certificate's altnames" });
    expired.certificate = { ...expired.certificate!, expired: true, validTo: '2026-11-30T00:00:00.000Z', daysLeft: -7 };
    const message = await acceptedWarning(expired, 'cli');
    expect(message.en).toMatch(/self-signed, it expired on 2026-11-30, it does not match the server name/);
    expect(message.zh).toContain('证书为自签名证书，证书已于 2026-11-30 过期，证书与服务器名称不符。');
    expect(message.zh).toContain(FINGERPRINT);
    expect(message.zh).toContain('（--insecure-tls）');
  });
});
