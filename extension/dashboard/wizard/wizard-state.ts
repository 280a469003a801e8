/**
 * The wizard's state (steps: 原邮箱系统验证 → 存储方案 → 目标 → 搬家账号 → 开始).
 * Passwords live only in this in-memory state and are sent to the bridge once; nothing here is
 * written to Dexie or chrome.storage.
 */
import type { ImportMode, Server } from '../../../shared/protocol';
import type { ConnectionReport } from '../../../shared/providers';
import { checkImport, type CheckedImport, type ImportRules } from '../../lib/csv-import';
import type { RequestFailureInfo } from '../monitor/request-failure';

export const STEPS = ['source', 'storage', 'target', 'accounts', 'review'] as const;
export type StepId = (typeof STEPS)[number];

export interface ServerDraft {
  host: string;
  port: string;
  security: Server['security'];
  insecureTls: boolean;
  allowPlaintext: boolean;
}

export interface EndpointTestView {
  ok: boolean;
  error: { code: string; message: string; remedy: { en: string; zh: string }; transient: boolean } | null;
  folders: number | null;
  ms: number;
  /** The bridge's full diagnosis, when it sends one (protocol gap: not in endpoint.test yet). */
  report: ConnectionReport | null;
}

export type TestState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; result: EndpointTestView; testedKey: string }
  | { status: 'failed'; failure: RequestFailureInfo };

export interface WizardState {
  step: number;
  providerId: string;
  protocol: 'imap' | 'pop3';
  source: ServerDraft;
  verifyUser: string;
  verifyPassword: string;
  sourceTest: TestState;
  storage: 'mapped' | 'unified';
  targetPresetId: string;
  target: ServerDraft;
  targetLogin: 'per-account' | 'admin';
  targetAdminUser: string;
  targetAdminPassword: string;
  targetAdminForm: 'authzid' | 'separator';
  targetTestUser: string;
  targetTest: TestState;
  importMode: ImportMode;
  imports: CheckedImport[];
  /** 全部邮件 / 近 N 个月邮件: the job's `since` filter, counted back from the start. */
  mailRange: 'all' | 'recent';
  recentMonths: string;
  /** 全部文件夹 / 指定文件夹 / all but some: the job's include/exclude folder filters. */
  folderScope: 'all' | 'include' | 'exclude';
  /** One folder name per line. */
  folderList: string;
  jobName: string;
}

export const EMPTY_SERVER: ServerDraft = { host: '', port: '993', security: 'tls', insecureTls: false, allowPlaintext: false };

export const INITIAL_WIZARD: WizardState = {
  step: 0,
  providerId: '',
  protocol: 'imap',
  source: EMPTY_SERVER,
  verifyUser: '',
  verifyPassword: '',
  sourceTest: { status: 'idle' },
  storage: 'mapped',
  targetPresetId: '',
  target: EMPTY_SERVER,
  targetLogin: 'per-account',
  targetAdminUser: '',
  targetAdminPassword: '',
  targetAdminForm: 'authzid',
  targetTestUser: '',
  targetTest: { status: 'idle' },
  importMode: 'admin-with-passwords',
  imports: [],
  mailRange: 'all',
  recentMonths: '6',
  folderScope: 'all',
  folderList: '',
  jobName: '',
};

export type WizardAction = { type: 'patch'; patch: Partial<WizardState> } | { type: 'reset' };

/** What the account files are checked against: the import mode and how the job logs in to the target. */
export function importRules(state: Pick<WizardState, 'importMode' | 'targetLogin'>): ImportRules {
  return { mode: state.importMode, sourceAdmin: false, targetAdmin: state.targetLogin === 'admin' };
}

/** Each file checked again under new rules, in order (a later file's duplicates are of the earlier good ones). */
export function recheckImports(imports: readonly CheckedImport[], rules: ImportRules): CheckedImport[] {
  const out: CheckedImport[] = [];
  for (const imp of imports) out.push(checkImport(imp.id, imp.fileName, imp.bytes, rules, out.filter((i) => !i.errors.length)));
  return out;
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  if (action.type === 'reset') return INITIAL_WIZARD;
  const next = { ...state, ...action.patch };
  // The target's login (a step before the files) decides whether a row needs the new password:
  // the files already read are checked again, so the old mode's errors go without a new upload.
  if (next.targetLogin !== state.targetLogin && next.imports.length && !('imports' in action.patch)) {
    next.imports = recheckImports(next.imports, importRules(next));
  }
  return next;
}

export function toServer(d: ServerDraft): Server {
  return {
    host: d.host.trim(),
    port: Number(d.port),
    security: d.security,
    allowPlaintext: d.security === 'plain' ? true : d.allowPlaintext,
    insecureTls: d.insecureTls,
  };
}

/**
 * The draft with another address. Accepting a self-signed certificate is an opt-out given for one
 * server: a draft that now names another host starts verified again, or the tick given for server
 * A would silently apply to server B. The same host typed with other case or spaces keeps it.
 */
export function withServerAddress(d: ServerDraft, patch: Partial<ServerDraft>): ServerDraft {
  const next = { ...d, ...patch };
  const sameHost = next.host.trim().toLowerCase() === d.host.trim().toLowerCase();
  return sameHost || 'insecureTls' in patch ? next : { ...next, insecureTls: false };
}

export function serverValid(d: ServerDraft): boolean {
  const port = Number(d.port);
  // Number() reads "993\u3000" (an ideographic space) as 993: the port's characters are checked too.
  return /^[A-Za-z0-9.\-:[\]]+$/.test(d.host.trim()) && /^[0-9]+$/.test(d.port) && Number.isInteger(port) && port > 0 && port < 65536;
}

/**
 * Why a server cannot be used yet, as a dictionary key: nothing typed, or something typed that
 * is not a host and port (full-width characters, a path), which the fields name; "enter the server
 * address" under a filled-in field read as if the typing had not been taken.
 */
export function serverProblem(d: ServerDraft): 'needServer' | 'fixServer' | null {
  if (serverValid(d)) return null;
  return d.host.trim() && d.port ? 'fixServer' : 'needServer';
}

/** What a connection test was run with: a later change of these makes the result stale. */
export function testKey(d: ServerDraft, protocol: string, user: string): string {
  return JSON.stringify([d.host.trim(), d.port, d.security, d.insecureTls, protocol, user.trim().toLowerCase()]);
}

export const ADDRESS_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The file's data rows: the good ones and those with errors (a row refused by the parser is not
 * among `rows`), each line once. Line 1 is the header.
 */
export function dataRowCount(imp: Pick<CheckedImport, 'rows' | 'errors'>): number {
  return new Set([...imp.rows.map((r) => r.line), ...imp.errors.filter((e) => e.line > 1).map((e) => e.line)]).size;
}

export function accountCount(imports: readonly CheckedImport[]): number {
  const set = new Set<string>();
  for (const i of imports) if (!i.errors.length) for (const r of i.rows) set.add(r.source.toLowerCase());
  return set.size;
}
