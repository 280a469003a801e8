/**
 * A first, login-free look at an IMAP (or POP3) server over a raw socket: TCP connect, TLS
 * (implicit, or STARTTLS / STLS) with the certificate captured whether or not it verifies, the
 * greeting and the pre-login CAPABILITY (POP3: CAPA). Always uses rejectUnauthorized: false so a self-signed certificate can be
 * REPORTED; whether the test goes on is decided by the caller from `trusted` and --insecure-tls.
 * No credentials are sent on this connection.
 */
import { serviceOfLine, serviceWords, type ServiceFound } from '../../shared/wrong-service';
import { connect as netConnect, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { ErrorCode } from '../../shared/errors';
import type { ConnectionStage, TlsInfo } from '../../shared/providers';
import { foreignServiceKind, mailGreeting } from './mail-greeting';

export interface ProbeOptions {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'plain';
  /** Default 'imap'. */
  protocol?: 'imap' | 'pop3';
  /** Extra CA certificates (PEM) to trust, as the engine does (replaces the system store). */
  ca?: string;
  timeoutMs: number;
  now?: Date;
}

export type ProbeTls = Omit<TlsInfo, 'accepted'>;

export interface ProbeResult {
  tcpMs: number;
  tlsMs: number | null;
  greeting: string | null;
  preAuthCapabilities: string[] | null;
  tls: ProbeTls | null;
}

export class ProbeError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly stage: ConnectionStage,
    message: string,
    readonly serverText: string | null = null,
    readonly partial: Partial<ProbeResult> = {},
    options?: { cause?: unknown },
    /** The port answered as another service (wrong-service.ts): the remedy says which and what to check. */
    readonly wrongService?: WrongService,
  ) {
    super(message, options);
    this.name = 'ProbeError';
  }
}

/** What answered, and what the settings asked for. */
export interface WrongService {
  found: ServiceFound;
  expected: 'imap' | 'pop3';
}

const IS_IP = /^[\d.]+$|:/;

function nameOf(obj: unknown): string {
  if (!obj || typeof obj !== 'object') return '';
  return Object.entries(obj as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function describeTls(sock: TLSSocket, host: string, mode: 'tls' | 'starttls', now: Date): ProbeTls {
  const cert = sock.getPeerCertificate(true) as DetailedPeerCertificate;
  const has = !!cert && Object.keys(cert).length > 0;
  const authorizationError = sock.authorizationError ? String((sock.authorizationError as Error & { code?: string }).code ?? sock.authorizationError) : null;
  let hostnameError: string | null = null;
  if (has) {
    const err = checkServerIdentity(host, cert);
    if (err) hostnameError = err.message;
  } else {
    hostnameError = 'no certificate';
  }
  const selfSigned =
    authorizationError === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    (has && !!cert.issuerCertificate && cert.issuerCertificate.fingerprint256 === cert.fingerprint256);
  const validFrom = has ? new Date(cert.valid_from) : null;
  const validTo = has ? new Date(cert.valid_to) : null;
  const certificate =
    has && validFrom && validTo && !Number.isNaN(validFrom.getTime()) && !Number.isNaN(validTo.getTime())
      ? {
          subject: nameOf(cert.subject),
          issuer: nameOf(cert.issuer),
          subjectAltNames: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean),
          validFrom: validFrom.toISOString(),
          validTo: validTo.toISOString(),
          expired: validTo.getTime() < now.getTime(),
          notYetValid: validFrom.getTime() > now.getTime(),
          daysLeft: Math.floor((validTo.getTime() - now.getTime()) / 86_400_000),
          fingerprint256: cert.fingerprint256,
          serialNumber: cert.serialNumber,
        }
      : null;
  const cipher = sock.getCipher();
  return {
    mode,
    protocol: sock.getProtocol() ?? null,
    cipher: cipher ? cipher.standardName || cipher.name : null,
    certificate,
    selfSigned,
    trusted: sock.authorized && hostnameError === null,
    authorizationError,
    hostnameMatches: hostnameError === null,
    hostnameError,
  };
}

/** Line reader over a socket that can be swapped (STARTTLS). */
class Lines {
  private buf = '';
  private waiters: Array<() => void> = [];
  private failure: Error | null = null;
  private sock: Socket | TLSSocket | null = null;
  private readonly onData = (d: Buffer) => {
    this.buf += d.toString('latin1');
    this.wake();
  };
  private readonly onEnd = () => {
    this.failure ??= Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' });
    this.wake();
  };

  attach(sock: Socket | TLSSocket): void {
    this.detach();
    this.sock = sock;
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
  }

  detach(): void {
    if (!this.sock) return;
    this.sock.off('data', this.onData);
    this.sock.off('end', this.onEnd);
    this.sock.off('close', this.onEnd);
    this.sock = null;
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async line(): Promise<string> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        return Buffer.from(line, 'latin1').toString('utf8');
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Lines until the tagged response of `tag`; returns [untagged..., tagged]. */
  async until(tag: string): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      out.push(l);
      if (l.startsWith(`${tag} `)) return out;
    }
  }
}

function capsFrom(text: string): string[] | null {
  const m = /\[CAPABILITY ([^\]]*)\]/i.exec(text) ?? /^\* CAPABILITY (.*)$/im.exec(text);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : null;
}

function socketErrorCode(err: unknown): string {
  return String((err as { code?: string })?.code ?? '');
}

/** Classifies a failure of the raw connection by the stage it happened in. */
function classifySocketError(err: unknown, stage: ConnectionStage, where: string, protocol: 'imap' | 'pop3'): ProbeError {
  const code = socketErrorCode(err);
  const msg = (err as Error)?.message ?? String(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new ProbeError('DNS_FAILED', 'dns', `The server name of ${where} cannot be resolved (${code}).`, null, {}, { cause: err });
  }
  if (code === 'ECONNREFUSED') {
    return new ProbeError('CONNECT_FAILED', 'tcp', `Connection to ${where} refused: nothing listens on this port (${code}).`, null, {}, { cause: err });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return new ProbeError('CONNECT_FAILED', 'tcp', `${where} is unreachable from this computer (${code}).`, null, {}, { cause: err });
  }
  if (stage === 'tls' || /ssl|tls|certificate|wrong version|handshake/i.test(`${code} ${msg}`)) {
    const plainPort = /wrong version number|packet length too long|unknown protocol|http request/i.test(msg);
    return new ProbeError(
      'TLS_FAILED',
      'tls',
      plainPort
        ? `TLS could not be negotiated with ${where}: the port does not speak implicit TLS (${msg}). ${protocol === 'pop3' ? 'Use pop3:// (STLS) for port 110, pop3s:// for 995.' : 'Use imap:// (STARTTLS) for port 143, imaps:// for 993.'}`
        : `TLS could not be negotiated with ${where}: ${msg}`,
      null,
      {},
      { cause: err },
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new ProbeError('CONNECT_FAILED', stage, `${where} closed the connection during the ${stage} step (${code}).`, null, {}, { cause: err });
  }
  return new ProbeError('CONNECT_FAILED', stage, `Connection to ${where} failed during the ${stage} step: ${msg}`, null, {}, { cause: err });
}

function classifyGreeting(greeting: string, where: string, protocol: 'imap' | 'pop3'): ProbeError | null {
  if (protocol === 'imap' ? /^\* (OK|PREAUTH)\b/i.test(greeting) : /^\+OK\b/.test(greeting)) return null;
  const refusal = protocol === 'imap' ? /^\* BYE\b\s*/i : /^-ERR\b\s*/;
  if (refusal.test(greeting)) {
    const text = (mailGreeting(greeting) ?? '').replace(refusal, '');
    const throttled = /too many|maximum number|connection limit|limit exceeded|try again|rate|frequen|频繁|超过/i.test(text);
    return new ProbeError(
      throttled ? 'THROTTLED' : 'CONNECT_FAILED',
      'greeting',
      `${where} refused the session in its greeting: "${text}".`,
      text,
    );
  }
  // A settings error, not a server's fault: nothing to retry.
  const wrong = { found: serviceOfLine(greeting), expected: protocol };
  const mail = mailGreeting(greeting);
  if (mail) {
    const what = serviceWords(wrong.found, 'en');
    return new ProbeError('CONFIG_INVALID', 'greeting', `${where} is ${what}: it greeted with "${mail.slice(0, 120)}". Check the port.`, mail, {}, undefined, wrong);
  }
  // Another service's banner is not repeated (see mail-greeting.ts), only what it looks like.
  const kind = foreignServiceKind(greeting);
  return new ProbeError('CONFIG_INVALID', 'greeting', `${where} is ${kind === 'not a mail server' ? kind : `${kind}, not ${protocol === 'imap' ? 'an IMAP' : 'a POP3'} server`}. Check the port.`, null, {}, undefined, wrong);
}

/**
 * Connects, negotiates TLS as configured, reads the greeting and the pre-login capabilities, and
 * logs out. Rejects with a ProbeError carrying the code and stage of the failure; `partial` holds
 * what was learned before it (e.g. the certificate when the greeting failed).
 */
export async function probeImapServer(opts: ProbeOptions): Promise<ProbeResult> {
  const where = `${(opts.protocol ?? 'imap') === 'pop3' ? 'POP3 ' : ''}${opts.host}:${opts.port}`;
  const now = opts.now ?? new Date();
  const lines = new Lines();
  const sockets: Socket[] = [];
  let stage: ConnectionStage = 'tcp';
  const partial: Partial<ProbeResult> = {};
  let timer: NodeJS.Timeout | undefined;
  const servername = IS_IP.test(opts.host) ? undefined : opts.host;

  const protocol = opts.protocol ?? 'imap';

  const finishPop3 = async (first: Socket | TLSSocket, raw: Socket, greeting: string): Promise<ProbeResult> => {
    let sock = first;
    if (opts.security === 'starttls') {
      stage = 'tls';
      raw.write('STLS\r\n');
      const l = await lines.line();
      if (!l.startsWith('+OK')) throw new ProbeError('TLS_FAILED', 'tls', `${where} refused STLS: "${l}". Use pop3s:// (port 995), or --allow-plaintext on a trusted network.`, l);
      sock = await upgrade('starttls');
    }
    stage = 'greeting';
    let caps: string[] | null = null;
    try {
      sock.write('CAPA\r\n');
      const first = await lines.line();
      if (first.startsWith('+OK')) {
        caps = [];
        for (let l = await lines.line(); l !== '.'; l = await lines.line()) caps.push(l.trim());
      }
    } catch {
      caps = null;
    }
    partial.preAuthCapabilities = caps;
    try {
      sock.write('QUIT\r\n');
      await lines.line();
    } catch {
      // closed
    }
    return { tcpMs: partial.tcpMs ?? 0, tlsMs: partial.tlsMs ?? null, greeting, preAuthCapabilities: caps, tls: partial.tls ?? null };
  };

  let upgrade: (mode: 'tls' | 'starttls') => Promise<TLSSocket> = () => Promise.reject(new Error('not connected'));

  const work = async (): Promise<ProbeResult> => {
    const t0 = performance.now();
    const raw = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: opts.host, port: opts.port });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    raw.on('error', (e) => lines.fail(e));
    partial.tcpMs = Math.round(performance.now() - t0);
    upgrade = async (mode: 'tls' | 'starttls'): Promise<TLSSocket> => {
      stage = 'tls';
      const t1 = performance.now();
      lines.detach();
      const sec = await new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ socket: raw, servername, rejectUnauthorized: false, ...(opts.ca ? { ca: opts.ca } : {}) });
        sockets.push(s);
        s.once('secureConnect', () => resolve(s));
        s.once('error', reject);
      });
      sec.on('error', (e) => lines.fail(e));
      partial.tlsMs = Math.round(performance.now() - t1);
      partial.tls = describeTls(sec, opts.host, mode, now);
      lines.attach(sec);
      return sec;
    };

    let sock: Socket | TLSSocket = raw;
    lines.attach(raw);
    if (opts.security === 'tls') sock = await upgrade('tls');
    stage = 'greeting';
    const greeting = await lines.line();
    // Kept for the report only when it is a mail greeting (another service's banner is not repeated).
    partial.greeting = mailGreeting(greeting);
    const bad = classifyGreeting(greeting, where, protocol);
    if (bad) throw bad;
    if (protocol === 'pop3') return finishPop3(sock, raw, greeting);
    let caps = capsFrom(greeting);
    if (opts.security === 'starttls') {
      if (caps && !caps.some((c) => c.toUpperCase() === 'STARTTLS')) {
        throw new ProbeError('TLS_FAILED', 'tls', `${where} does not offer STARTTLS, so imap:// cannot be encrypted. Use imaps:// (port 993), or --allow-plaintext on a trusted network.`);
      }
      raw.write('P1 STARTTLS\r\n');
      const resp = await lines.until('P1');
      const tagged = resp[resp.length - 1]!;
      if (!/^P1 OK\b/i.test(tagged)) {
        throw new ProbeError('TLS_FAILED', 'tls', `${where} refused STARTTLS: "${tagged.slice(3)}".`, tagged.slice(3));
      }
      sock = await upgrade('starttls');
      caps = null; // capabilities change after STARTTLS
    }
    stage = 'greeting';
    if (!caps) {
      try {
        sock.write('P2 CAPABILITY\r\n');
        caps = capsFrom((await lines.until('P2')).join('\n'));
      } catch {
        caps = null;
      }
    }
    partial.preAuthCapabilities = caps;
    try {
      sock.write('P3 LOGOUT\r\n');
      await lines.until('P3');
    } catch {
      // the server may just close
    }
    return {
      tcpMs: partial.tcpMs ?? 0,
      tlsMs: partial.tlsMs ?? null,
      greeting,
      preAuthCapabilities: caps,
      tls: partial.tls ?? null,
    };
  };

  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const msg =
        stage === 'tcp'
          ? `No TCP connection to ${where} within ${opts.timeoutMs} ms (a firewall may drop the packets).`
          : `${where} did not answer within ${opts.timeoutMs} ms during the ${stage} step.`;
      reject(new ProbeError('TIMEOUT', stage, msg));
    }, opts.timeoutMs);
  });
  const running = work();
  running.catch(() => undefined); // when the timeout wins, the abandoned work must not reject unhandled
  try {
    return await Promise.race([running, timeout]);
  } catch (err) {
    const e = err instanceof ProbeError ? err : classifySocketError(err, stage, where, protocol);
    Object.assign(e.partial, partial);
    throw e;
  } finally {
    clearTimeout(timer);
    lines.fail(new Error('probe finished'));
    lines.detach();
    for (const s of sockets.reverse()) s.destroy();
  }
}
