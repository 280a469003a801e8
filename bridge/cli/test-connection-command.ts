/**
 * `mailmover-bridge test-connection URL --password-env NAME [...]`: the connection test (连接测试)
 * of one verification account from the command line. Exit status: 0 the test passed, 1 it
 * failed (the JSON's error has code, message and remedy), 2 usage error naming the option.
 * Passwords are read from the environment or a file and never printed.
 */
import { testConnection, type TestConnectionOptions } from '../diagnose/test-connection';
import type { Auth, Endpoint } from '../engine/endpoint';
import type { ConnectionReport } from '../../shared/providers';
import { findPreset } from '../../shared/providers';
import { unknownProviderText } from './provider-option';
import { UsageError, parseEndpointUrl } from './endpoint-url';
import { readSecret } from './secrets';
import { readCaFile } from './tls-options';

export interface TestConnectionCliOptions {
  user?: string;
  passwordEnv?: string;
  passwordFile?: string;
  authUser?: string;
  authForm?: 'authzid' | 'separator';
  oauthTokenEnv?: string;
  allowPlaintext?: boolean;
  insecureTls?: boolean;
  ca?: string;
  provider?: string;
  side?: string;
  pop3?: boolean;
  pop3Host?: string;
  pop3Port?: string;
  pop3Security?: 'tls' | 'starttls' | 'plain';
  detect?: boolean;
  timeout?: string;
  maxFolders?: string;
  json?: boolean;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function positiveInt(value: string | undefined, option: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`${option}: "${value}" is not a whole number between 1 and ${max}`);
  return Number(value);
}

/** The endpoint and test options from the command line; UsageError names the offending option. */
export function buildTestConnectionInput(url: string, o: TestConnectionCliOptions): { endpoint: Endpoint; options: TestConnectionOptions } {
  const scheme = /^([a-z0-9]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme && !['imap', 'imaps', 'pop3', 'pop3s'].includes(scheme)) {
    throw new UsageError(`URL: unsupported scheme "${scheme}://"; expected imap://, imaps://, pop3:// or pop3s://[user@]host[:port]`);
  }
  const parsed = parseEndpointUrl(url, 'URL', { allowPop3: true });
  const protocol = (parsed as { protocol?: 'imap' | 'pop3' }).protocol ?? 'imap';
  if (o.user && parsed.user && o.user !== parsed.user) throw new UsageError(`--user "${o.user}" differs from the user in the URL "${parsed.user}"; give it once`);
  const user = o.user ?? parsed.user;
  if (!user) throw new UsageError('--user: no user to test; put it in the URL (imaps://user%40example.com@host) or give --user');

  const password = readSecret({ env: o.passwordEnv, file: o.passwordFile }, '--password');
  const token = o.oauthTokenEnv ? readSecret({ env: o.oauthTokenEnv }, '--oauth-token') : undefined;
  if (token && password) throw new UsageError('--oauth-token-env and --password-*: give one way to log in, not both');
  if (token && o.authUser) throw new UsageError('--auth-user: an admin login needs the admin\'s password (--password-env), not an OAuth2 token');
  let auth: Auth;
  if (token) auth = { kind: 'oauth2', accessToken: token };
  else if (!password) throw new UsageError('--password-env: required (or --password-file, or --oauth-token-env); the password is never taken from the command line');
  else if (o.authUser) auth = { kind: 'master', adminUser: o.authUser, password, form: o.authForm ?? 'authzid', separator: '*' };
  else auth = { kind: 'password', password };

  if (o.side !== undefined && o.side !== 'source' && o.side !== 'target') throw new UsageError(`--side: must be source or target (given: "${o.side}")`);
  if (o.provider && !findPreset(o.provider)) {
    throw new UsageError(`--provider: ${unknownProviderText(o.provider)}`);
  }
  const timeoutSec = o.timeout === undefined ? undefined : Number(o.timeout);
  if (timeoutSec !== undefined && !(Number.isFinite(timeoutSec) && timeoutSec > 0 && timeoutSec <= 600)) {
    throw new UsageError(`--timeout: "${o.timeout}" is not a number of seconds between 0 and 600`);
  }
  const maxFolders = positiveInt(o.maxFolders, '--max-folders', 100_000);

  let pop3: TestConnectionOptions['pop3'];
  const pop3Port = positiveInt(o.pop3Port, '--pop3-port', 65535);
  if (o.pop3 === false) {
    if (pop3Port || o.pop3Host || o.pop3Security) throw new UsageError('--no-pop3: cannot be combined with --pop3-port, --pop3-host or --pop3-security');
    pop3 = false;
  } else if (pop3Port) {
    const security = o.pop3Security ?? (pop3Port === 995 ? 'tls' : o.allowPlaintext ? 'plain' : 'starttls');
    pop3 = { port: pop3Port, security, ...(o.pop3Host ? { host: o.pop3Host } : {}) };
  } else if (o.pop3Host || o.pop3Security) {
    throw new UsageError('--pop3-port: required with --pop3-host / --pop3-security');
  }
  if (protocol === 'pop3' && pop3) throw new UsageError('--pop3-port: the URL is already a POP3 server');

  if (o.ca !== undefined && o.insecureTls) throw new UsageError('--ca and --insecure-tls: give one; with --ca the certificate is checked against that file, with --insecure-tls it is not checked at all');
  const ca = o.ca !== undefined ? readCaFile(o.ca, '--ca') : undefined;

  const endpoint: Endpoint = {
    ...(protocol === 'pop3' ? { protocol } : {}),
    host: parsed.host,
    port: parsed.port,
    // imap:// means STARTTLS, required; only --allow-plaintext makes it a cleartext session (as migrate).
    security: parsed.security === 'starttls' && o.allowPlaintext ? 'plain' : parsed.security,
    user,
    auth,
    allowPlaintext: !!o.allowPlaintext,
    insecureTls: !!o.insecureTls,
    ...(ca ? { ca } : {}),
  };
  const options: TestConnectionOptions = {
    // The report is read on the command line: advice names the flags (--insecure-tls).
    surface: 'cli',
    ...(o.side === 'target' ? { side: 'target' as const } : {}),
    ...(o.provider ? { provider: o.provider } : {}),
    ...(o.detect === false ? { detect: false } : {}),
    ...(pop3 !== undefined ? { pop3 } : {}),
    ...(timeoutSec ? { timeoutMs: Math.round(timeoutSec * 1000) } : {}),
    ...(maxFolders ? { maxFolders } : {}),
  };
  return { endpoint, options };
}

function mb(n: number | null | undefined): string {
  return n === null || n === undefined ? '?' : n < 10_240 ? `${n} B` : n < 10 * 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

/** The report for a person (English; the JSON carries both languages). */
export function formatReport(r: ConnectionReport): string {
  const out: string[] = [];
  const s = r.server;
  out.push(`${r.ok ? 'OK' : 'FAILED'}: connection test of ${s.user}${s.authUser ? ` (as admin ${s.authUser})` : ''} at ${s.host}:${s.port} (${s.security}) in ${r.durationMs} ms`);
  if (r.provider?.label) out.push(`Provider: ${r.provider.label.en} / ${r.provider.label.zh} (recognised by ${r.provider.via})`);
  else if (r.provider) out.push(`Provider: not recognised${r.provider.dns !== 'skipped' ? ` (DNS: ${r.provider.dns})` : ''}`);
  if (r.dns) out.push(`DNS: ${r.dns.addresses.join(', ')}`);
  if (r.tls) {
    const c = r.tls.certificate;
    out.push(
      `TLS: ${r.tls.protocol ?? '?'} ${r.tls.cipher ?? ''} — certificate ${c ? `${c.subject}, issuer ${c.issuer}, valid ${c.validFrom.slice(0, 10)} … ${c.validTo.slice(0, 10)}` : 'none'}` +
        `${r.tls.selfSigned ? ', SELF-SIGNED' : ''}; ${r.tls.accepted}${r.tls.authorizationError ? ` (${r.tls.authorizationError})` : ''}`,
    );
  }
  if (r.greeting) out.push(`Greeting: ${r.greeting}`);
  if (r.capabilities.postAuth) out.push(`Capabilities: ${r.capabilities.postAuth.join(' ')}`);
  else if (r.capabilities.preAuth) out.push(`Capabilities (before login): ${r.capabilities.preAuth.join(' ')}`);
  if (r.folders) {
    // What the dates are, only where there are any: a POP3 mailbox has neither UIDs nor INTERNALDATE.
    const dated = r.folders.some((f) => f.oldest);
    out.push(`Folders (${r.folders.length}${dated ? '; dates = INTERNALDATE of the lowest / highest UID' : ''}):`);
    for (const f of r.folders) {
      const dates = f.oldest ? ` ${f.oldest.internalDate.slice(0, 10)} … ${f.newest?.internalDate.slice(0, 10) ?? '?'}` : '';
      const what = !f.selectable ? 'not selectable' : f.skipped ? 'not examined' : f.error ? `error: ${f.error}` : `${f.messages ?? '?'} messages, ${mb(f.size)}${dates}`;
      out.push(`  ${f.path}${f.specialUse ? ` ${f.specialUse}` : ''}: ${what}`);
    }
    if (r.totals) out.push(`Total: ${r.totals.messages} messages, ${mb(r.totals.size)}${r.totals.oldest ? `, ${r.totals.oldest.slice(0, 10)} … ${r.totals.newest?.slice(0, 10)}` : ''}`);
  }
  if (r.quota) {
    out.push(
      r.quota.available
        ? `Quota (${r.quota.root}): ${r.quota.resources.map((q) => `${q.name} ${q.name === 'STORAGE' ? mb(q.usage) : q.usage} of ${q.limit === null ? 'unlimited' : q.name === 'STORAGE' ? mb(q.limit) : q.limit}`).join(', ')}`
        : `Quota: not available (${r.quota.reason}${r.quota.detail ? `: ${r.quota.detail}` : ''})`,
    );
  }
  if (r.pop3) out.push(`POP3 ${r.pop3.host}:${r.pop3.port}: ${r.pop3.status === 'ok' ? `${r.pop3.messages} messages in the inbox` : `${r.pop3.status}${r.pop3.error ? ` — ${r.pop3.error.message}` : r.pop3.detail ? ` — ${r.pop3.detail}` : ''}`}`);
  for (const w of r.warnings) {
    out.push(`${w.severity === 'warning' ? 'Warning' : 'Note'} [${w.code}]: ${w.message.en}`);
    for (const h of w.hints.slice(0, 4)) out.push(`  - ${h.what.en}${h.where ? ` (${h.where.en})` : ''}`);
  }
  if (r.error) {
    out.push(`Error [${r.error.code}] at ${r.error.stage}: ${r.error.message}`);
    out.push(`What to do: ${r.error.remedy.en}`);
    out.push(`处理建议：${r.error.remedy.zh}`);
  }
  return out.join('\n') + '\n';
}

/** Runs the command; resolves with the exit status (never throws for usage errors). */
export async function runTestConnection(url: string, raw: TestConnectionCliOptions, io: CliIo): Promise<0 | 1 | 2> {
  let input: ReturnType<typeof buildTestConnectionInput>;
  try {
    input = buildTestConnectionInput(url, raw);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`mailmover-bridge test-connection: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const report = await testConnection(input.endpoint, {
    ...input.options,
    onStep: (s) => {
      if (raw.json) io.stderr.write(`[${s.stage}] ${s.status}${s.detail && s.status !== 'ok' ? `: ${s.detail}` : ''}\n`);
    },
  });
  if (raw.json) {
    io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    io.stderr.write(formatReport(report));
  } else {
    io.stdout.write(formatReport(report));
  }
  return report.ok ? 0 : 1;
}

