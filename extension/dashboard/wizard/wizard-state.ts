/**
 * The wizard's state (steps: 原邮箱系统验证 → 存储方案 → 目标 → 搬家账号 → 开始).
 * Passwords live only in this in-memory state and are sent to the bridge once; nothing here is
 * written to Dexie or chrome.storage.
 */
import type { ImportMode, Server } from '../../../shared/protocol';
import type { ConnectionReport } from '../../../shared/providers';
import type { CheckedImport } from '../../lib/csv-import';

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
  | { status: 'failed'; message: string };

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
  jobName: '',
};

export type WizardAction = { type: 'patch'; patch: Partial<WizardState> } | { type: 'reset' };

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  if (action.type === 'reset') return INITIAL_WIZARD;
  return { ...state, ...action.patch };
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

export function serverValid(d: ServerDraft): boolean {
  const port = Number(d.port);
  return /^[A-Za-z0-9.\-:[\]]+$/.test(d.host.trim()) && Number.isInteger(port) && port > 0 && port < 65536;
}

/** What a connection test was run with: a later change of these makes the result stale. */
export function testKey(d: ServerDraft, protocol: string, user: string): string {
  return JSON.stringify([d.host.trim(), d.port, d.security, d.insecureTls, protocol, user.trim().toLowerCase()]);
}

export const ADDRESS_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function accountCount(imports: readonly CheckedImport[]): number {
  const set = new Set<string>();
  for (const i of imports) if (!i.errors.length) for (const r of i.rows) set.add(r.source.toLowerCase());
  return set.size;
}
