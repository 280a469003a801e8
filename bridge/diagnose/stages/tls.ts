import type { TlsInfo } from '../../../shared/providers';
import { ProbeError, probeImapServer } from '../probe';
import type { TestConnectionOptions } from '../options';
import type { StageContext } from './context';

type ProbedTls = Omit<TlsInfo, 'accepted'>;

function acceptance(tls: ProbedTls, insecureTls: boolean): TlsInfo['accepted'] {
  return tls.trusted ? 'verified' : insecureTls ? 'insecure-accepted' : 'rejected';
}

/** Why the certificate is not trusted and what identifies it: the subject, the issuer and the SHA-256 fingerprint. */
function whyUntrusted(tls: ProbedTls, where: string): string {
  const c = tls.certificate;
  const reasons: string[] = [];
  if (tls.selfSigned) reasons.push('the certificate is self-signed');
  else if (tls.authorizationError) reasons.push(`the certificate chain does not verify (${tls.authorizationError})`);
  if (c?.expired) reasons.push(`it expired on ${c.validTo.slice(0, 10)}`);
  if (c?.notYetValid) reasons.push(`it is valid only from ${c.validFrom.slice(0, 10)}`);
  if (!tls.hostnameMatches) reasons.push(`it does not match the server name (${tls.hostnameError ?? 'no match'})`);
  const subject = c ? ` Certificate: ${c.subject}; issuer: ${c.issuer}; SHA-256 ${c.fingerprint256}.` : '';
  return `The TLS certificate of ${where} is not trusted: ${reasons.join(', ') || 'unknown reason'}.${subject}`;
}

/**
 * whyUntrusted in Chinese: the same reasons, and the same subject, issuer and SHA-256
 * fingerprint, since the fingerprint is what an admin compares with the one the server's
 * administrator gives before trusting a self-signed server, whichever language they read.
 */
function whyUntrustedZh(tls: ProbedTls, where: string): string {
  const c = tls.certificate;
  const reasons: string[] = [];
  if (tls.selfSigned) reasons.push('证书为自签名证书');
  else if (tls.authorizationError) reasons.push(`证书链无法验证（${tls.authorizationError}）`);
  if (c?.expired) reasons.push(`证书已于 ${c.validTo.slice(0, 10)} 过期`);
  if (c?.notYetValid) reasons.push(`证书自 ${c.validFrom.slice(0, 10)} 起才生效`);
  // Node's hostnameError is an English sentence: the fact is said, and the subject below names the certificate.
  if (!tls.hostnameMatches) reasons.push('证书与服务器名称不符');
  const subject = c ? `证书：${c.subject}；颁发者：${c.issuer}；SHA-256 指纹：${c.fingerprint256}。` : '';
  return `${where} 的 TLS 证书不受信任：${reasons.join('，') || '原因未知'}。${subject}`;
}

/** The warning when an untrusted certificate was accepted because the user chose to, in both languages. */
function certificateAcceptedMessage(tls: ProbedTls, where: string, surface?: TestConnectionOptions['surface']): { en: string; zh: string } {
  const check = tls.certificate ? '请将上面的 SHA-256 指纹与该服务器管理员提供的指纹核对，确认您信任该服务器。' : '请确认您信任该服务器。';
  return {
    en: `${whyUntrusted(tls, where)} It was accepted because you chose to ${acceptSelfSigned(surface)}; make sure you trust it.`,
    zh: `${whyUntrustedZh(tls, where)}因已选择信任该服务器的证书${surface === 'cli' ? '（--insecure-tls）' : ''}而被接受。${check}`,
  };
}

/**
 * The choice is a checkbox in the extension and --insecure-tls on the command line: the words fit
 * both, and only the command line is shown its flag.
 */
function acceptSelfSigned(surface: TestConnectionOptions['surface']): string {
  return `accept a self-signed certificate for this server${surface === 'cli' ? ' (--insecure-tls)' : ''}`;
}

/** Why the certificate is not trusted, with what identifies it, so the user can decide. */
export function tlsRejection(tls: ProbedTls, where: string, surface?: TestConnectionOptions['surface']): string {
  const check = tls.certificate ? ': compare the SHA-256 fingerprint with the one its administrator gives' : '';
  // The command line can trust this one certificate (--ca FILE, still checked in full) rather than switch checking off.
  if (surface === 'cli') {
    return `${whyUntrusted(tls, where)} Only if you trust it${check}: pass its PEM certificate (or the CA that signed it) with --ca FILE, or, without checking it at all, --insecure-tls.`;
  }
  return `${whyUntrusted(tls, where)} To connect anyway, choose to ${acceptSelfSigned(surface)}, but only if you trust it${check}.`;
}

export function warnAboutCertificate(ctx: StageContext, tls: ProbedTls, accepted: TlsInfo['accepted']): void {
  const { where, report } = ctx;
  if (accepted === 'insecure-accepted') {
    report.warn({
      code: 'TLS_NOT_VERIFIED',
      severity: 'warning',
      message: certificateAcceptedMessage(tls, where, ctx.opts.surface),
      evidence: { selfSigned: tls.selfSigned, authorizationError: tls.authorizationError, hostnameMatches: tls.hostnameMatches },
      hints: [],
    });
  }
  const c = tls.certificate;
  if (c && !c.expired && c.daysLeft < 14) {
    report.warn({
      code: 'TLS_CERT_EXPIRING',
      severity: 'warning',
      message: { en: `The server certificate expires in ${c.daysLeft} days (${c.validTo}).`, zh: `服务器证书将在 ${c.daysLeft} 天后过期（${c.validTo}）。` },
      hints: [],
    });
  }
}

/**
 * TCP, TLS (the certificate is reported even when it is not trusted), the greeting and the
 * capabilities before login: a raw probe that sends no credentials. false: the test stops here.
 */
export async function probeTransport(ctx: StageContext): Promise<boolean> {
  const { endpoint, where, report } = ctx;
  try {
    const probe = await probeImapServer({
      host: endpoint.host,
      port: endpoint.port,
      security: endpoint.security,
      protocol: ctx.protocol,
      ...(endpoint.ca ? { ca: endpoint.ca } : {}),
      timeoutMs: ctx.timeoutMs,
      now: ctx.now,
    });
    report.step('tcp', 'ok', probe.tcpMs);
    report.fields.greeting = probe.greeting;
    report.fields.capabilities.preAuth = probe.preAuthCapabilities;
    if (probe.tls) {
      const accepted = acceptance(probe.tls, endpoint.insecureTls);
      report.fields.tls = { ...probe.tls, accepted };
      if (accepted === 'rejected') {
        report.fail('TLS_FAILED', tlsRejection(probe.tls, where, ctx.opts.surface), 'tls');
        return false;
      }
      report.step('tls', accepted === 'verified' ? 'ok' : 'warning', probe.tlsMs, `${probe.tls.protocol ?? '?'} ${probe.tls.cipher ?? ''}`.trim());
      warnAboutCertificate(ctx, probe.tls, accepted);
    } else {
      report.step('tls', 'skipped', null, 'plaintext (no TLS)');
    }
    report.step('greeting', 'ok', null, probe.greeting);
  } catch (err) {
    const e = err instanceof ProbeError ? err : new ProbeError('INTERNAL', 'tcp', (err as Error).message);
    if (e.partial.tcpMs !== undefined) report.step('tcp', 'ok', e.partial.tcpMs);
    if (e.partial.greeting) report.fields.greeting = e.partial.greeting;
    if (e.partial.tls) report.fields.tls = { ...e.partial.tls, accepted: acceptance(e.partial.tls, endpoint.insecureTls) };
    report.fail(e.code, e.message, e.stage, e.serverText, [], e.wrongService);
    return false;
  }
  report.recognizeFromServerText(report.fields.greeting);
  return true;
}
