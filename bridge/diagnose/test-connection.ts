/**
 * Connection test (连接测试) of one verification account: DNS, TCP, TLS (certificate reported even
 * when self-signed), greeting and capabilities, login, folders with counts / sizes / oldest and
 * newest dates, quota, an optional POP3 STAT comparison, and warnings such as "only the last 30
 * days are visible". Every failure is classified with the engine's codes and a remedy for the
 * detected provider.
 *
 * Read-only: the IMAP session runs behind guardReadOnly (EXAMINE, STATUS, FETCH of UID and
 * INTERNALDATE, GETQUOTAROOT only); POP3 sends STAT and QUIT only. Never throws for a failing
 * server: the failure is the report's `error`.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { ImapFlow, type FetchMessageObject, type ListResponse } from 'imapflow';
import { REMEDIES, type ErrorCode } from '../../shared/errors';
import {
  beforeStartChecklist,
  matchResponse,
  presetById,
  presetForGreeting,
  remedyFor,
  toPitfallView,
  type ConnectionReport,
  type ConnectionStage,
  type ConnectionWarning,
  type FolderReport,
  type Pop3Report,
  type ProviderDetection,
  type ProviderPreset,
  type QuotaReport,
  type TlsInfo,
} from '../../shared/providers';
import { closeQuietly, imapFlowOptions } from '../engine/connect';
import type { Endpoint } from '../engine/endpoint';
import { MigrationError, classifyError } from '../engine/errors';
import { guardReadOnly } from '../engine/read-only-guard';
import { detectForServer, type DnsResolver } from './detect-provider';
import { pop3Stat, Pop3StatError } from './pop3-stat';
import { ProbeError, probeImapServer } from './probe';
import { detectRecentWindow } from './recent-window';

export interface Pop3Target {
  /** Default: the IMAP host. */
  host?: string;
  port: number;
  security: 'tls' | 'starttls' | 'plain';
}

export interface TestConnectionOptions {
  /** Provider chosen by the user (preset id or alias); otherwise it is detected. */
  provider?: string;
  /** Address used for MX detection; default: the login when it contains '@'. */
  email?: string;
  /** false: no DNS lookups for provider detection (MX, CNAME). Default true. */
  detect?: boolean;
  /** DNS for provider detection (MX, CNAME). Default: node's resolver. */
  resolver?: DnsResolver;
  /** Resolves the server name (A/AAAA). Default: the system resolver (getaddrinfo), as connections use. */
  lookup?: (host: string) => Promise<string[]>;
  /**
   * POP3 server for the inbox-count comparison. undefined: the detected provider's POP3 server when
   * the IMAP host is that provider's; false: no POP3 check.
   */
  pop3?: Pop3Target | false;
  /** Per network step (connect, TLS, greeting, login), default 20 s. */
  timeoutMs?: number;
  /** Folders examined in detail (STATUS, oldest/newest); the rest are listed only. Default 500. */
  maxFolders?: number;
  /** The clock, for the 30-day check and certificate validity. */
  now?: Date;
  /** Called after each step (progress for the CLI / UI). */
  onStep?: (step: ConnectionReport['steps'][number]) => void;
}

interface PendingError {
  code: ErrorCode;
  message: string;
  stage: ConnectionStage;
  serverText: string | null;
  pitfallIds: string[];
}

const IS_IP = /^[\d.]+$|:/;
const THROTTLE_TEXT = /maximum number of connections|too many (simultaneous |concurrent )?(connections|logins|sessions)|connection limit|rate limit|登录频繁|连接数/i;

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function iso(d: Date | string | undefined): string | null {
  if (d === undefined) return null;
  const x = d instanceof Date ? d : new Date(d);
  return Number.isNaN(x.getTime()) ? null : x.toISOString();
}

function ref(m: FetchMessageObject | false | undefined): FolderReport['oldest'] {
  if (!m || !m.uid) return null;
  const when = iso(m.internalDate);
  return when ? { uid: m.uid, internalDate: when } : null;
}

function serverTextOf(err: unknown): string | null {
  const t = (err as { responseText?: string })?.responseText;
  return typeof t === 'string' && t.trim() ? t.trim() : null;
}

function tlsRejection(tls: Omit<TlsInfo, 'accepted'>, where: string): string {
  const c = tls.certificate;
  const reasons: string[] = [];
  if (tls.selfSigned) reasons.push('the certificate is self-signed');
  else if (tls.authorizationError) reasons.push(`the certificate chain does not verify (${tls.authorizationError})`);
  if (c?.expired) reasons.push(`it expired on ${c.validTo.slice(0, 10)}`);
  if (c?.notYetValid) reasons.push(`it is valid only from ${c.validFrom.slice(0, 10)}`);
  if (!tls.hostnameMatches) reasons.push(`it does not match the server name (${tls.hostnameError ?? 'no match'})`);
  const subject = c ? ` Certificate: ${c.subject}; issuer: ${c.issuer}; SHA-256 ${c.fingerprint256}.` : '';
  return `The TLS certificate of ${where} is not trusted: ${reasons.join(', ') || 'unknown reason'}.${subject} Accept it only if you trust this server (--insecure-tls).`;
}

/** Runs the connection test. Resolves with the report in every case (ok or not). */
export async function testConnection(endpoint: Endpoint, opts: TestConnectionOptions = {}): Promise<ConnectionReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxFolders = opts.maxFolders ?? 500;
  const where = `${endpoint.host}:${endpoint.port}`;
  const account = endpoint.user;

  const steps: ConnectionReport['steps'] = [];
  const warnings: ConnectionWarning[] = [];
  let pending: PendingError | null = null;
  const step = (stage: ConnectionStage, status: 'ok' | 'failed' | 'skipped' | 'warning', ms: number | null, detail: string | null = null) => {
    const s = { stage, status, ms: ms === null ? null : Math.max(0, Math.round(ms)), detail };
    steps.push(s);
    opts.onStep?.(s);
  };
  const fail = (code: ErrorCode, message: string, stage: ConnectionStage, serverText: string | null = null, pitfallIds: string[] = []) => {
    pending = { code, message, stage, serverText, pitfallIds };
    step(stage, 'failed', null, `${code}: ${message}`);
  };

  const report: Omit<ConnectionReport, 'ok' | 'durationMs' | 'error' | 'checklist' | 'warnings' | 'steps'> = {
    testedAt: now.toISOString(),
    server: {
      host: endpoint.host,
      port: endpoint.port,
      security: endpoint.security,
      user: endpoint.user,
      authUser: endpoint.auth.kind === 'master' ? endpoint.auth.adminUser : null,
      authKind: endpoint.auth.kind,
    },
    provider: null,
    dns: null,
    tls: null,
    greeting: null,
    serverId: null,
    capabilities: { preAuth: null, postAuth: null },
    authenticated: false,
    folders: null,
    totals: null,
    statusSize: null,
    datesMethod: 'internaldate-of-lowest-and-highest-uid',
    quota: null,
    pop3: null,
  };

  let preset: ProviderPreset | undefined;
  // Endpoint.protocol is optional (undefined = IMAP), as bridge/engine/endpoint.ts defines it.
  const protocol: 'imap' | 'pop3' = (endpoint as { protocol?: 'imap' | 'pop3' }).protocol === 'pop3' ? 'pop3' : 'imap';

  /** A POP3 source: login and STAT are the whole test (POP3 has no folders, dates or quota). */
  const loginPop3 = async (): Promise<void> => {
    if (endpoint.auth.kind === 'oauth2') return;
    const t = performance.now();
    const admin = endpoint.auth.kind === 'master' ? { user: endpoint.auth.adminUser, form: endpoint.auth.form, separator: endpoint.auth.separator } : undefined;
    try {
      const st = await pop3Stat({
        host: endpoint.host,
        port: endpoint.port,
        security: endpoint.security,
        user: account,
        password: endpoint.auth.password,
        ...(admin ? { admin } : {}),
        allowPlaintext: endpoint.allowPlaintext,
        insecureTls: endpoint.insecureTls,
        ...(endpoint.ca ? { ca: endpoint.ca } : {}),
        timeoutMs,
      });
      report.authenticated = true;
      step('auth', 'ok', performance.now() - t, account);
      report.folders = [
        { path: 'INBOX', delimiter: null, specialUse: null, flags: [], selectable: true, messages: st.messages, size: st.octets, uidValidity: null, uidNext: null, oldest: null, newest: null, skipped: false, error: null },
      ];
      report.totals = { folders: 1, messages: st.messages, size: st.octets, oldest: null, newest: null };
      step('folders', 'ok', null, `POP3 STAT: ${st.messages} messages, ${st.octets} octets (POP3 shows the inbox only)`);
      report.quota = { available: false, reason: 'not-advertised', detail: 'POP3 has no quota command' };
    } catch (err) {
      const e = err instanceof Pop3StatError ? err : new Pop3StatError('INTERNAL', (err as Error).message);
      const known = matchResponse(preset, e.serverText);
      fail(known?.code ?? e.code, known ? `${e.message} ${known.meaning.en}` : e.message, e.code === 'AUTH_FAILED' || e.code === 'THROTTLED' ? 'auth' : 'greeting', e.serverText, known?.pitfalls ?? []);
    }
  };

  const run = async (): Promise<void> => {
    // ---- config: the engine's own policy (plaintext only when allowed)
    let flowOptions: ReturnType<typeof imapFlowOptions> | undefined;
    if (protocol === 'pop3') {
      if (endpoint.security === 'plain' && !endpoint.allowPlaintext) {
        fail('PLAINTEXT_REFUSED', `Refusing to send the password for ${account} unencrypted to POP3 ${where}. Use pop3s:// or STLS (pop3://), or allow plaintext for a trusted network.`, 'config');
        return;
      }
      if (endpoint.auth.kind === 'oauth2') {
        fail('UNSUPPORTED', `OAuth2 logins over POP3 are not supported by the connection test; test ${account} over IMAP.`, 'config');
        return;
      }
    } else {
      try {
        flowOptions = imapFlowOptions(endpoint, { side: 'source', id: 'connection-test' });
      } catch (err) {
        const e = err instanceof MigrationError ? err : classifyError(err, { side: 'source', account, host: endpoint.host, port: endpoint.port });
        fail(e.code, e.message, 'config');
        return;
      }
    }
    if (endpoint.security === 'plain') {
      warnings.push({
        code: 'PLAINTEXT',
        severity: 'warning',
        message: {
          en: `The password goes unencrypted to ${where} (--allow-plaintext). Use this only on a trusted network.`,
          zh: `密码将以明文发送到 ${where}(--allow-plaintext),仅可在可信网络中使用。`,
        },
        hints: [],
      });
    }

    // ---- provider (never fails the test)
    const email = opts.email ?? (endpoint.user.includes('@') ? endpoint.user : undefined);
    const detection: ProviderDetection = await detectForServer(endpoint.host, email, {
      ...(opts.provider ? { provider: opts.provider } : {}),
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
      dns: opts.detect !== false,
      timeoutMs: Math.min(timeoutMs, 4000),
    });
    report.provider = detection;
    preset = detection.presetId ? presetById(detection.presetId) : undefined;
    if (detection.via === 'mx') {
      warnings.push({
        code: 'PROVIDER_FROM_MX',
        severity: 'info',
        message: {
          en: `Provider recognised from the MX records of ${detection.domain} (${detection.matchedMx}). If the domain already points to the new system, choose the old provider by hand.`,
          zh: `根据 ${detection.domain} 的 MX 记录(${detection.matchedMx})识别服务商。如域名解析已指向新邮箱,请手动选择原服务商。`,
        },
        hints: [],
      });
    }

    // ---- DNS of the server name
    if (IS_IP.test(endpoint.host)) {
      report.dns = { addresses: [endpoint.host], ms: 0 };
      step('dns', 'skipped', 0, 'IP address');
    } else {
      const t = performance.now();
      const lookup = opts.lookup ?? (async (h: string) => (await dnsLookup(h, { all: true })).map((a) => a.address));
      try {
        const addresses = await withTimeout(lookup(endpoint.host), timeoutMs, () => Object.assign(new Error(`no DNS answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' }));
        if (!addresses.length) throw Object.assign(new Error('no addresses'), { code: 'ENODATA' });
        report.dns = { addresses, ms: Math.round(performance.now() - t) };
        step('dns', 'ok', performance.now() - t, addresses.join(', '));
      } catch (err) {
        const code = String((err as { code?: string }).code ?? '');
        const why =
          code === 'ENOTFOUND' ? 'the name does not exist' : code === 'ETIMEOUT' || code === 'EAI_AGAIN' ? 'no answer from the DNS server' : code === 'ENODATA' ? 'the name has no address' : (err as Error).message;
        fail('DNS_FAILED', `The server name ${endpoint.host} cannot be resolved: ${why} (${code || 'error'}).`, 'dns');
        return;
      }
    }

    // ---- TCP, TLS, greeting, pre-login capabilities (raw probe, no credentials)
    try {
      const probe = await probeImapServer({ host: endpoint.host, port: endpoint.port, security: endpoint.security, protocol, ...(endpoint.ca ? { ca: endpoint.ca } : {}), timeoutMs, now });
      step('tcp', 'ok', probe.tcpMs);
      report.greeting = probe.greeting;
      report.capabilities.preAuth = probe.preAuthCapabilities;
      if (probe.tls) {
        const accepted = probe.tls.trusted ? 'verified' : endpoint.insecureTls ? 'insecure-accepted' : 'rejected';
        report.tls = { ...probe.tls, accepted };
        if (accepted === 'rejected') {
          fail('TLS_FAILED', tlsRejection(probe.tls, where), 'tls');
          return;
        }
        step('tls', accepted === 'verified' ? 'ok' : 'warning', probe.tlsMs, `${probe.tls.protocol ?? '?'} ${probe.tls.cipher ?? ''}`.trim());
        if (accepted === 'insecure-accepted') {
          warnings.push({
            code: 'TLS_NOT_VERIFIED',
            severity: 'warning',
            message: {
              en: `${tlsRejection(probe.tls, where).replace(/ Accept it only.*$/, '')} It was accepted because of --insecure-tls.`,
              zh: `${where} 的 TLS 证书不受信任(${probe.tls.selfSigned ? '自签名证书' : probe.tls.authorizationError ?? '证书与服务器名称不符'}),因 --insecure-tls 而被接受。请确认您信任该服务器。`,
            },
            evidence: { selfSigned: probe.tls.selfSigned, authorizationError: probe.tls.authorizationError, hostnameMatches: probe.tls.hostnameMatches },
            hints: [],
          });
        }
        const c = probe.tls.certificate;
        if (c && !c.expired && c.daysLeft < 14) {
          warnings.push({
            code: 'TLS_CERT_EXPIRING',
            severity: 'warning',
            message: { en: `The server certificate expires in ${c.daysLeft} days (${c.validTo}).`, zh: `服务器证书将在 ${c.daysLeft} 天后过期(${c.validTo})。` },
            hints: [],
          });
        }
      } else {
        step('tls', 'skipped', null, 'plaintext (no TLS)');
      }
      step('greeting', 'ok', null, probe.greeting);
    } catch (err) {
      const e = err instanceof ProbeError ? err : new ProbeError('INTERNAL', 'tcp', (err as Error).message);
      if (e.partial.tcpMs !== undefined) step('tcp', 'ok', e.partial.tcpMs);
      if (e.partial.greeting) report.greeting = e.partial.greeting;
      if (e.partial.tls) {
        const accepted = e.partial.tls.trusted ? 'verified' : endpoint.insecureTls ? 'insecure-accepted' : 'rejected';
        report.tls = { ...e.partial.tls, accepted };
      }
      fail(e.code, e.message, e.stage, e.serverText);
      return;
    }
    if (!preset) {
      const byGreeting = presetForGreeting(report.greeting);
      if (byGreeting && byGreeting.id !== 'generic' && report.provider) {
        preset = byGreeting;
        report.provider = { ...report.provider, presetId: byGreeting.id, provider: byGreeting.provider, label: byGreeting.label, via: 'greeting', hostHint: byGreeting.hostHint ?? null };
      }
    }

    if (protocol === 'pop3' || !flowOptions) {
      await loginPop3();
      return;
    }

    // ---- login (imapflow, the engine's TLS policy), read-only guard on every command
    const client = guardReadOnly(
      new ImapFlow({
        ...flowOptions,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: Math.max(timeoutMs * 3, 60_000),
      }),
    );
    client.on('error', () => undefined);
    const tLogin = performance.now();
    try {
      await client.connect();
    } catch (err) {
      client.close();
      const text = serverTextOf(err);
      const e = classifyError(err, { side: 'source', account, host: endpoint.host, port: endpoint.port });
      const known = matchResponse(preset, text);
      let code: ErrorCode = e.code;
      let message = e.message;
      if (known) {
        code = known.code;
        message = `${e.message} ${known.meaning.en}`;
      } else if (THROTTLE_TEXT.test(`${text ?? ''} ${(err as Error).message ?? ''}`)) {
        code = 'THROTTLED';
        message = `The server ${where} refused more sessions for ${account}${text ? `: "${text}"` : ''}. Close other mail clients of this account or wait, then try again.`;
      }
      const stage: ConnectionStage = code === 'TLS_FAILED' ? 'tls' : code === 'CONNECT_FAILED' || code === 'TIMEOUT' ? 'greeting' : 'auth';
      fail(code, message, stage, text, known?.pitfalls ?? []);
      return;
    }
    try {
      report.authenticated = true;
      step('auth', 'ok', performance.now() - tLogin, endpoint.auth.kind === 'master' ? `as ${endpoint.auth.adminUser} for ${account}` : account);
      report.capabilities.postAuth = [...client.capabilities.keys()];
      const info = client.serverInfo;
      if (info) {
        const id: Record<string, string> = {};
        for (const [k, v] of Object.entries(info)) if (typeof v === 'string') id[k] = v;
        report.serverId = Object.keys(id).length ? id : null;
        if (!preset) {
          const byId = presetForGreeting(Object.values(id).join(' '));
          if (byId && byId.id !== 'generic' && report.provider) {
            preset = byId;
            report.provider = { ...report.provider, presetId: byId.id, provider: byId.provider, label: byId.label, via: 'greeting', hostHint: byId.hostHint ?? null };
          }
        }
      }
      const statusSize = client.capabilities.has('STATUS=SIZE') || client.capabilities.has('IMAP4rev2');
      report.statusSize = statusSize;

      // ---- folders
      const tFolders = performance.now();
      let list: ListResponse[];
      try {
        list = await client.list();
      } catch (err) {
        const e = classifyError(err, { side: 'source', account, host: endpoint.host, port: endpoint.port });
        fail(e.code === 'INTERNAL' ? 'PROTOCOL_ERROR' : e.code, `LIST failed: ${e.message}`, 'folders', serverTextOf(err));
        return;
      }
      const folders: FolderReport[] = [];
      let examined = 0;
      for (const f of list) {
        const flags = [...(f.flags ?? [])];
        const selectable = !flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x));
        const entry: FolderReport = {
          path: f.path,
          delimiter: f.delimiter || null,
          specialUse: f.specialUse && f.specialUseSource !== 'name' ? f.specialUse : null,
          flags,
          selectable,
          messages: null,
          size: null,
          uidValidity: null,
          uidNext: null,
          oldest: null,
          newest: null,
          skipped: false,
          error: null,
        };
        folders.push(entry);
        if (!selectable) continue;
        if (examined >= maxFolders) {
          entry.skipped = true;
          continue;
        }
        examined++;
        try {
          const st = await client.status(f.path, { messages: true, uidNext: true, uidValidity: true, ...(statusSize ? { size: true } : {}) });
          if (!st) throw new Error('STATUS was refused');
          entry.messages = st.messages ?? null;
          entry.size = statusSize ? (st.size ?? null) : null;
          entry.uidValidity = st.uidValidity !== undefined ? String(st.uidValidity) : null;
          entry.uidNext = st.uidNext ?? null;
          if ((st.messages ?? 0) > 0) {
            const box = await client.mailboxOpen(f.path, { readOnly: true }); // EXAMINE
            if (box.exists > 0) {
              const first = await client.fetchOne('1', { uid: true, internalDate: true });
              const last = box.exists === 1 ? first : await client.fetchOne('*', { uid: true, internalDate: true });
              entry.oldest = ref(first);
              entry.newest = ref(last);
            }
          }
        } catch (err) {
          if (!client.usable) throw err;
          entry.error = serverTextOf(err) ?? (err as Error).message ?? String(err);
        }
      }
      report.folders = folders;
      // Virtual views (Gmail's All Mail, Starred) repeat mail of other folders: not in the totals.
      const counted = folders.filter((f) => f.messages !== null && f.specialUse !== '\\All' && f.specialUse !== '\\Flagged');
      const dates = folders.flatMap((f) => [f.oldest?.internalDate, f.newest?.internalDate]).filter((d): d is string => !!d).sort();
      report.totals = {
        folders: folders.length,
        messages: counted.reduce((s, f) => s + (f.messages ?? 0), 0),
        size: statusSize && counted.every((f) => f.size !== null) ? counted.reduce((s, f) => s + (f.size ?? 0), 0) : null,
        oldest: dates[0] ?? null,
        newest: dates[dates.length - 1] ?? null,
      };
      step('folders', 'ok', performance.now() - tFolders, `${folders.length} folders, ${report.totals.messages} messages`);
      const skipped = folders.filter((f) => f.skipped).length;
      if (skipped) {
        warnings.push({
          code: 'FOLDER_LIMIT',
          severity: 'info',
          message: { en: `${skipped} more folders were listed without counts (the test examines ${maxFolders}).`, zh: `另有 ${skipped} 个文件夹仅列出、未统计(测试最多检查 ${maxFolders} 个)。` },
          evidence: { examined: maxFolders, skipped },
          hints: [],
        });
      }
      const broken = folders.filter((f) => f.error);
      if (broken.length) {
        warnings.push({
          code: 'FOLDER_ERROR',
          severity: 'warning',
          message: {
            en: `${broken.length} folder(s) could not be examined: ${broken.slice(0, 5).map((f) => `${f.path} (${f.error})`).join('; ')}. Locked or restricted folders would be left out of the migration.`,
            zh: `${broken.length} 个文件夹无法检查:${broken.slice(0, 5).map((f) => `${f.path}(${f.error})`).join(';')}。被锁定或受限的文件夹将无法搬家。`,
          },
          evidence: { folders: broken.map((f) => f.path) },
          hints: [],
        });
      }
      if (!statusSize) {
        warnings.push({
          code: 'NO_STATUS_SIZE',
          severity: 'info',
          message: { en: 'The server does not support STATUS=SIZE: folder sizes are unknown (message counts are exact).', zh: '服务器不支持 STATUS=SIZE:文件夹大小未知(邮件数量准确)。' },
          hints: [],
        });
      }

      // ---- quota
      const tQuota = performance.now();
      report.quota = await readQuota(client);
      step('quota', report.quota.available ? 'ok' : 'skipped', performance.now() - tQuota, report.quota.available ? report.quota.root : report.quota.reason);
    } catch (err) {
      const e = classifyError(err, { side: 'source', account, host: endpoint.host, port: endpoint.port });
      fail(e.code, e.message, 'folders', serverTextOf(err));
    } finally {
      await closeQuietly(client);
    }
  };

  try {
    await run();
  } catch (err) {
    // A bug, not a server answer: still a report.
    fail('INTERNAL', `Connection test failed unexpectedly: ${(err as Error).message ?? String(err)}`, 'config');
  }

  // ---- POP3 inbox count (only after a successful IMAP login with a password)
  report.pop3 = protocol === 'pop3' ? null : await checkPop3(endpoint, opts, preset, report.provider, pending === null && report.authenticated, timeoutMs);
  if (report.pop3) {
    step('pop3', report.pop3.status === 'ok' ? 'ok' : report.pop3.status === 'failed' ? 'warning' : 'skipped', null, report.pop3.status === 'ok' ? `STAT ${report.pop3.messages} messages` : report.pop3.detail);
    if (report.pop3.status === 'failed') {
      warnings.push({
        code: 'POP3_CHECK_FAILED',
        severity: 'info',
        message: {
          en: `The POP3 comparison could not be made: ${report.pop3.error?.message ?? report.pop3.detail ?? 'unknown error'}`,
          zh: `无法进行 POP3 数量对比:${report.pop3.error?.message ?? report.pop3.detail ?? '未知错误'}`,
        },
        hints: [],
      });
    }
  }

  // ---- 30-day window and POP3/IMAP disagreement
  if (report.folders && protocol === 'imap') {
    const inbox = report.folders.find((f) => f.path.toUpperCase() === 'INBOX');
    warnings.push(
      ...detectRecentWindow({
        now,
        preset: preset ?? null,
        folders: report.folders,
        imapInboxMessages: inbox?.messages ?? null,
        pop3Messages: report.pop3?.status === 'ok' ? report.pop3.messages : null,
      }),
    );
  }

  const p = pending as PendingError | null;
  let error: ConnectionReport['error'] = null;
  if (p) {
    const remedy = remedyFor(p.code, preset, p.pitfallIds);
    error = {
      code: p.code,
      message: p.message,
      remedy: { en: remedy.en, zh: remedy.zh },
      transient: REMEDIES[p.code].transient,
      stage: p.stage,
      serverText: p.serverText,
      hints: remedy.pitfalls.map(toPitfallView),
    };
  }
  return {
    ok: error === null,
    ...report,
    durationMs: Math.max(0, Date.now() - started),
    steps,
    warnings,
    checklist: beforeStartChecklist(preset).map(toPitfallView),
    error,
  };
}

async function readQuota(client: ImapFlow): Promise<QuotaReport> {
  const caps = [...client.capabilities.keys()];
  if (!caps.some((c) => c === 'QUOTA' || c.startsWith('QUOTA='))) {
    return { available: false, reason: 'not-advertised', detail: 'the server does not advertise QUOTA' };
  }
  const q = await client.getQuota('INBOX');
  if (!q) return { available: false, reason: 'error', detail: 'GETQUOTAROOT failed' };
  if (!q.quotaRoot) return { available: false, reason: 'no-quota-root', detail: 'GETQUOTAROOT INBOX named no quota root (no limit set)' };
  const resources: Extract<QuotaReport, { available: true }>['resources'] = [];
  for (const [key, value] of Object.entries(q)) {
    if (key === 'path' || key === 'quotaRoot' || !value || typeof value !== 'object') continue;
    const r = value as { usage?: number; limit?: number };
    resources.push({ name: key.toUpperCase(), usage: r.usage ?? 0, limit: r.limit ?? null });
  }
  return { available: true, root: q.quotaRoot, resources };
}

async function checkPop3(
  endpoint: Endpoint,
  opts: TestConnectionOptions,
  preset: ProviderPreset | undefined,
  detection: ProviderDetection | null,
  imapOk: boolean,
  timeoutMs: number,
): Promise<Pop3Report | null> {
  if (opts.pop3 === false) return null;
  let target: Pop3Target | undefined = opts.pop3;
  if (!target && preset && (detection?.via === 'host' || detection?.via === 'cname' || detection?.via === 'manual') && preset.pop3[0]) {
    // Only when the IMAP server is the provider's own: then its POP3 server is the same mailbox.
    if (preset.imap.some((s) => s.host === endpoint.host.toLowerCase()) || detection?.via === 'cname') {
      const s = preset.pop3[0];
      target = { host: s.host, port: s.port, security: s.security };
    }
  }
  if (!target) return null;
  const host = target.host ?? endpoint.host;
  const base = { host, port: target.port, security: target.security };
  if (!imapOk) return { ...base, status: 'skipped', messages: null, octets: null, error: null, detail: 'not checked: the IMAP test failed' };
  if (endpoint.auth.kind === 'oauth2') return { ...base, status: 'skipped', messages: null, octets: null, error: null, detail: 'not checked: OAuth2 login' };
  const admin =
    endpoint.auth.kind === 'master' ? { user: endpoint.auth.adminUser, form: endpoint.auth.form, separator: endpoint.auth.separator } : undefined;
  try {
    const st = await pop3Stat({
      host,
      port: target.port,
      security: target.security,
      user: endpoint.user,
      password: endpoint.auth.password,
      ...(admin ? { admin } : {}),
      allowPlaintext: endpoint.allowPlaintext,
      insecureTls: endpoint.insecureTls,
      ...(endpoint.ca ? { ca: endpoint.ca } : {}),
      // a supplementary check: a wrong POP3 transport (STLS on a TLS port) must not hold the test long
      timeoutMs: Math.min(timeoutMs, 10_000),
    });
    return { ...base, status: 'ok', messages: st.messages, octets: st.octets, error: null, detail: null };
  } catch (err) {
    const e = err instanceof Pop3StatError ? err : new Pop3StatError('INTERNAL', (err as Error).message);
    return { ...base, status: 'failed', messages: null, octets: null, error: { code: e.code, message: e.message }, detail: e.serverText };
  }
}

