/**
 * A tiny POP3 client for one purpose: STAT of the inbox, to compare with the IMAP INBOX count
 * (providers that show IMAP clients only the last 30 days). It logs in, sends STAT and QUIT —
 * never RETR, TOP, DELE or UIDL — so nothing in the mailbox changes. Independent of the POP3
 * migration client (bridge/engine/pop3/).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ErrorCode } from '../../shared/errors';
import { foreignServiceKind, mailGreeting } from './mail-greeting';

export interface Pop3StatOptions {
  host: string;
  port: number;
  /** 'tls' = implicit TLS (995), 'starttls' = STLS on 110, 'plain' = no TLS (only with allowPlaintext). */
  security: 'tls' | 'starttls' | 'plain';
  user: string;
  password: string;
  /**
   * Log in as an admin on behalf of `user`: 'authzid' sends AUTH PLAIN with authzid=user,
   * 'separator' sends USER user<separator>admin.
   */
  admin?: { user: string; form: 'authzid' | 'separator'; separator: string };
  allowPlaintext?: boolean;
  insecureTls?: boolean;
  ca?: string;
  timeoutMs: number;
}

export interface Pop3Stat {
  messages: number;
  octets: number;
  greeting: string;
}

export class Pop3StatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly serverText: string | null = null,
  ) {
    super(message);
    this.name = 'Pop3StatError';
  }
}

const IS_IP = /^[\d.]+$|:/;

class Reader {
  private buf = '';
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private sock: Socket | TLSSocket | null = null;
  private readonly onData = (d: Buffer) => {
    this.buf += d.toString('latin1');
    this.wake();
  };
  private readonly onClose = () => this.fail(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));

  attach(sock: Socket | TLSSocket): void {
    this.detach();
    this.sock = sock;
    sock.on('data', this.onData);
    sock.on('close', this.onClose);
    sock.on('error', (e) => this.fail(e));
  }

  detach(): void {
    this.sock?.off('data', this.onData);
    this.sock?.off('close', this.onClose);
    this.sock = null;
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async line(): Promise<string> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const l = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        return l;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }
}

/** STAT of the POP3 mailbox. Rejects with a Pop3StatError (code as the engine's); the password is never in a message. */
export async function pop3Stat(opts: Pop3StatOptions): Promise<Pop3Stat> {
  const where = `POP3 ${opts.host}:${opts.port}`;
  if (opts.security === 'plain' && !opts.allowPlaintext) {
    throw new Pop3StatError('PLAINTEXT_REFUSED', `Refusing to send the password unencrypted to ${where}; use pop3s (995) or STLS, or allow plaintext.`);
  }
  const reader = new Reader();
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const tlsOptions = {
    servername: IS_IP.test(opts.host) ? undefined : opts.host,
    rejectUnauthorized: !opts.insecureTls,
    ...(opts.ca ? { ca: opts.ca } : {}),
  };

  const expectOk = async (what: string): Promise<string> => {
    const l = await reader.line();
    if (!l.startsWith('+OK')) throw Object.assign(new Error(`${what}: ${l}`), { pop3Err: l.replace(/^-ERR\s*/, '') });
    return l;
  };

  const work = async (): Promise<Pop3Stat> => {
    let sock: Socket | TLSSocket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s =
        opts.security === 'tls'
          ? tlsConnect({ host: opts.host, port: opts.port, ...tlsOptions })
          : netConnect({ host: opts.host, port: opts.port });
      sockets.push(s);
      s.once(opts.security === 'tls' ? 'secureConnect' : 'connect', () => resolve(s));
      s.once('error', reject);
    });
    reader.attach(sock);
    const greeting = await reader.line();
    if (!greeting.startsWith('+OK')) {
      // A mail greeting is repeated (it says what answers); another service's banner is not (see mail-greeting.ts).
      const mail = mailGreeting(greeting);
      throw new Pop3StatError('PROTOCOL_ERROR', mail ? `${where} is not a POP3 server (greeting "${mail.slice(0, 80)}").` : `${where} is ${foreignServiceKind(greeting)}, not a POP3 server.`, mail);
    }
    if (opts.security === 'starttls') {
      sock.write('STLS\r\n');
      await expectOk('STLS');
      reader.detach();
      const raw = sock;
      sock = await new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ socket: raw, ...tlsOptions });
        sockets.push(s);
        s.once('secureConnect', () => resolve(s));
        s.once('error', reject);
      });
      reader.attach(sock);
    }
    try {
      if (opts.admin?.form === 'authzid') {
        const sasl = Buffer.from(`${opts.user}\0${opts.admin.user}\0${opts.password}`, 'utf8').toString('base64');
        sock.write(`AUTH PLAIN ${sasl}\r\n`);
        await expectOk('AUTH');
      } else {
        const login = opts.admin ? `${opts.user}${opts.admin.separator}${opts.admin.user}` : opts.user;
        sock.write(`USER ${login}\r\n`);
        await expectOk('USER');
        sock.write(`PASS ${opts.password}\r\n`);
        await expectOk('PASS');
      }
    } catch (err) {
      const said = (err as { pop3Err?: string }).pop3Err;
      if (said !== undefined) {
        const throttled = /\[IN-USE\]|\[SYS\/TEMP\]|too many|try again|频繁/i.test(said);
        throw new Pop3StatError(throttled ? 'THROTTLED' : 'AUTH_FAILED', `POP3 login failed for ${opts.user} at ${where}: "${said}".`, said);
      }
      throw err;
    }
    sock.write('STAT\r\n');
    const stat = await expectOk('STAT');
    const m = /^\+OK\s+(\d+)\s+(\d+)/.exec(stat);
    if (!m) throw new Pop3StatError('PROTOCOL_ERROR', `${where} sent an unreadable STAT reply "${stat.slice(0, 80)}".`, stat.slice(0, 200));
    sock.write('QUIT\r\n');
    await reader.line().catch(() => '');
    return { messages: Number(m[1]), octets: Number(m[2]), greeting };
  };

  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Pop3StatError('TIMEOUT', `${where} did not answer within ${opts.timeoutMs} ms.`)), opts.timeoutMs);
  });
  const running = work();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, timeout]);
  } catch (err) {
    if (err instanceof Pop3StatError) throw err;
    const code = String((err as { code?: string }).code ?? '');
    const msg = (err as Error).message ?? String(err);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new Pop3StatError('DNS_FAILED', `${where}: the name cannot be resolved (${code}).`);
    if (code === 'ECONNREFUSED') throw new Pop3StatError('CONNECT_FAILED', `${where}: connection refused (${code}).`);
    if (/cert|ssl|tls|self.signed/i.test(`${code} ${msg}`)) throw new Pop3StatError('TLS_FAILED', `${where}: TLS failed (${code || msg}).`);
    if ((err as { pop3Err?: string }).pop3Err !== undefined) throw new Pop3StatError('PROTOCOL_ERROR', `${where}: ${msg}`);
    throw new Pop3StatError('CONNECT_FAILED', `${where}: ${msg}`);
  } finally {
    clearTimeout(timer);
    reader.fail(new Error('done'));
    reader.detach();
    for (const s of sockets.reverse()) s.destroy();
  }
}
