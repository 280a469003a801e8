import { readFileSync } from 'node:fs';
import { COLUMN_NAMES, parseAccountsCsv } from '../../shared/csv/accounts-csv';
import { sameMailboxConflicts } from '../../shared/csv/same-mailbox';
import { isSameServer } from '../engine/same-server-address';
import { MigrationOptionsSchema, type MigrationOptions } from '../../shared/migration';
import type { Auth, Endpoint } from '../engine/endpoint';
import type { AccountJob } from '../engine/account-job';
import { UsageError, parseEndpointUrl, type ParsedEndpointUrl } from './endpoint-url';
import type { MigrateCliOptions } from './migrate-options';
import { readSecret } from './secrets';
import { readCaFile } from './tls-options';

type Side = 'source' | 'target';

interface SideConfig {
  url: ParsedEndpointUrl;
  user?: string;
  password?: string;
  authUser?: string;
  authForm: 'authzid' | 'separator';
  token?: string;
  /** The certificate is not checked: --insecure-tls or --<side>-insecure-tls. */
  insecureTls: boolean;
  /** PEM certificates to trust for this side (--<side>-ca). */
  ca?: string;
}

function sideConfig(o: MigrateCliOptions, side: Side): SideConfig {
  // POP3 (pop3://, pop3s://) can be read from, never written to: only the source may be one.
  const url = parseEndpointUrl(side === 'source' ? o.source : o.target, `--${side}`, { allowPop3: side === 'source' });
  const user = side === 'source' ? o.sourceUser : o.targetUser;
  if (user && url.user && user !== url.user) {
    throw new UsageError(`--${side}-user "${user}" differs from the user in --${side} "${url.user}"; give it once`);
  }
  const password = readSecret(
    side === 'source' ? { env: o.sourcePasswordEnv, file: o.sourcePasswordFile } : { env: o.targetPasswordEnv, file: o.targetPasswordFile },
    `--${side}-password`,
  );
  const tokenEnv = side === 'source' ? o.sourceOauthTokenEnv : o.targetOauthTokenEnv;
  const token = tokenEnv ? readSecret({ env: tokenEnv }, `--${side}-oauth-token`) : undefined;
  if (token && password) throw new UsageError(`--${side}-oauth-token-env and --${side}-password-*: give one way to log in, not both`);
  // Each side opts out of the certificate check on its own; --insecure-tls is both at once.
  const insecureTls = o.insecureTls || (side === 'source' ? o.sourceInsecureTls : o.targetInsecureTls);
  const caFile = side === 'source' ? o.sourceCa : o.targetCa;
  if (caFile && insecureTls) {
    throw new UsageError(`--${side}-ca and ${o.insecureTls ? '--insecure-tls' : `--${side}-insecure-tls`}: give one; with --${side}-ca the certificate is checked against that file, with the other it is not checked at all`);
  }
  const ca = caFile ? readCaFile(caFile, `--${side}-ca`) : undefined;
  return {
    url,
    user: user ?? url.user,
    password,
    token,
    authUser: side === 'source' ? o.sourceAuthUser : o.targetAuthUser,
    authForm: side === 'source' ? o.sourceAuthForm : o.targetAuthForm,
    insecureTls,
    ...(ca ? { ca } : {}),
  };
}

/** Why this account cannot log in on `side` with what the command and its row give (undefined: it can). */
function passwordProblem(o: MigrateCliOptions, side: Side, cfg: SideConfig, user: string, rowPassword: string | undefined): string | undefined {
  if (cfg.token || cfg.authUser || rowPassword || cfg.password) return undefined;
  const column = COLUMN_NAMES[side === 'source' ? 'sourcePassword' : 'targetPassword'];
  // The admin login is the other way a batch goes without per-account passwords.
  const orColumn = o.accounts ? `, a ${column.en} (${column.zh}) column with this row's cell filled in, or --${side}-auth-user ADMIN with the admin's password` : '';
  return `no ${side} password for ${user}; give --${side}-password-env NAME or --${side}-password-file FILE${orColumn}`;
}

function endpoint(o: MigrateCliOptions, side: Side, cfg: SideConfig, user: string | undefined, rowPassword: string | undefined, where: string): Endpoint {
  if (!user) throw new UsageError(`${where}: no ${side} user; put it in --${side} (${cfg.url.protocol}://user@host) or --${side}-user`);
  const problem = passwordProblem(o, side, cfg, user, rowPassword);
  if (problem) throw new UsageError(`${where}: ${problem}`);
  let auth: Auth;
  if (cfg.token) {
    auth = { kind: 'oauth2', accessToken: cfg.token };
  } else if (cfg.authUser) {
    // The admin's password logs in on behalf of every account; a per-row password is not needed.
    if (!cfg.password) throw new UsageError(`--${side}-auth-user ${cfg.authUser}: give the admin's password with --${side}-password-env or --${side}-password-file`);
    auth = { kind: 'master', adminUser: cfg.authUser, password: cfg.password, form: cfg.authForm, separator: '*' };
  } else {
    auth = { kind: 'password', password: (rowPassword ?? cfg.password)! };
  }
  // imap:// means STARTTLS (pop3:// STLS), required: a server that cannot upgrade fails
  // rather than leak the password. Only --allow-plaintext turns it into a cleartext session.
  return {
    protocol: cfg.url.protocol,
    host: cfg.url.host,
    port: cfg.url.port,
    security: cfg.url.security === 'starttls' && o.allowPlaintext ? 'plain' : cfg.url.security,
    user,
    auth,
    allowPlaintext: o.allowPlaintext,
    insecureTls: cfg.insecureTls,
    ...(cfg.ca ? { ca: cfg.ca } : {}),
  };
}

export function migrationOptions(o: MigrateCliOptions): MigrationOptions {
  return MigrationOptionsSchema.parse({
    mode: o.mode,
    since: o.since,
    includeFolders: o.includeFolder,
    excludeFolders: o.excludeFolder,
    // Given: that many connections per side; not given: up to 4, fewer for a small mailbox.
    concurrency: o.concurrency ?? 4,
    fixedConcurrency: o.concurrency !== undefined,
    dryRun: o.dryRun,
    deleted: o.deleted,
    providerHint: o.provider,
    targetProviderHint: o.targetProvider,
    maxAttempts: o.retries,
    chunkMessages: o.batchMessages,
    pop3Retr: o.pop3Retr,
    compress: o.compress,
  });
}

/** With source and target on one server, a mailbox may not be on both sides (same-mailbox.ts); `lines` names each job's row. */
async function refuseSameMailbox(jobs: AccountJob[], lines: string[]): Promise<void> {
  const [first] = jobs;
  if (!first || !(await isSameServer(first.source, first.target))) return;
  const server = `${first.target.host}:${first.target.port}`;
  // Every conflict at once: one run to learn them all, not one per fix.
  const problems = sameMailboxConflicts(jobs.map((j) => ({ source: j.source.user, target: j.target.user }))).map((c) => {
    const j = jobs[c.index]!;
    if (c.kind === 'self') {
      return `${lines[c.index]}: ${j.target.user} is both the source and the target on ${server}: copied onto itself, a mailbox gains copies of its own mail (in unified mode, on every run); give the new mailbox as the target`;
    }
    return `${lines[c.index]} copies into ${j.target.user}, which ${lines[c.sourceIndex]} copies from, on the same server ${server}: what it receives would be copied on into ${jobs[c.sourceIndex]!.target.user}. Pair each source with a mailbox that is not a source; to move mailboxes along a chain on purpose, run ${lines[c.sourceIndex]} alone first, then ${lines[c.index]}`;
  });
  if (problems.length === 1) throw new UsageError(problems[0]!);
  if (problems.length > 1) throw new UsageError(`--accounts: ${problems.length} rows cannot run; nothing was started:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** One job per account: a single pair from the URLs, or one per CSV row. */
export async function buildJobs(o: MigrateCliOptions): Promise<AccountJob[]> {
  const src = sideConfig(o, 'source');
  const tgt = sideConfig(o, 'target');
  const options = migrationOptions(o);
  if (!o.accounts) {
    const jobs = [{ source: endpoint(o, 'source', src, src.user, undefined, '--source'), target: endpoint(o, 'target', tgt, tgt.user, undefined, '--target'), options }];
    await refuseSameMailbox(jobs, ['--source and --target']);
    return jobs;
  }
  if (src.user || tgt.user) {
    throw new UsageError('--accounts: the users come from the CSV file; give only host and port in --source and --target');
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(o.accounts);
  } catch (err) {
    throw new UsageError(`--accounts: cannot read ${o.accounts}: ${(err as Error).message}`);
  }
  // A row without a way to log in is reported with the file's other errors, every row at once.
  const parsed = parseAccountsCsv(bytes, {
    rowCheck: (row) =>
      (['source', 'target'] as const).flatMap((side) => {
        const problem = passwordProblem(o, side, side === 'source' ? src : tgt, side === 'source' ? row.source : row.target, side === 'source' ? row.sourcePassword : row.targetPassword);
        return problem ? [{ message: problem, messageZh: problem }] : [];
      }),
  });
  if (parsed.errors.length) {
    const lines = parsed.errors.map((e) => `  line ${e.line}: ${e.message}`).join('\n');
    // The list is capped (its last line then says how many more there are), so it is not counted here.
    throw new UsageError(`--accounts: ${o.accounts} cannot be imported; nothing was started:\n${lines}`);
  }
  if (parsed.rows.length === 0) throw new UsageError(`--accounts: ${o.accounts} has no account rows`);
  const jobs = parsed.rows.map((row) => ({
    source: endpoint(o, 'source', src, row.source, row.sourcePassword, `--accounts line ${row.line}`),
    target: endpoint(o, 'target', tgt, row.target, row.targetPassword, `--accounts line ${row.line}`),
    options,
  }));
  await refuseSameMailbox(jobs, parsed.rows.map((row) => `--accounts line ${row.line}`));
  return jobs;
}
