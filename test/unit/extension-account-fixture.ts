/** Account and job views for the monitor's component tests (one place, so each test states only what differs). */
import type { JobView } from '../../shared/protocol';
import type { AccountRow } from '../../extension/db/schema';
import type { BridgeState } from '../../extension/lib/runtime-messages';

const server = { host: 'imap.exmail.qq.com', port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false };

export function makeJob(patch: Partial<JobView> = {}): JobView {
  return {
    id: 'job_abcdef',
    name: 'Exmail to Alibaba',
    status: 'active',
    source: { ...server, protocol: 'imap' },
    sourceLogin: { kind: 'per-account' },
    target: { ...server, host: 'imap.qiye.aliyun.com' },
    targetLogin: { kind: 'per-account' },
    storage: 'mapped',
    filters: { since: null, includeFolders: [], excludeFolders: [], deleted: 'copy' },
    incremental: { intervalMinutes: 5, windowDays: 30 },
    concurrency: 2,
    batchMessages: 200,
    provider: 'tencent',
    counts: {} as JobView['counts'],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...patch,
  };
}

export function makeAccount(patch: Partial<AccountRow> = {}): AccountRow {
  return {
    id: 'acc_abcdef',
    jobId: 'job_abcdef',
    source: 'zhang@old.example',
    target: 'zhang@new.example',
    mode: 'admin-with-passwords',
    status: 'failed',
    phase: null,
    hasSourcePassword: true,
    hasTargetPassword: true,
    sourceServer: null,
    counters: { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 },
    error: {
      code: 'AUTH_FAILED',
      message: 'Login failed for the source. The server said "NO [AUTHENTICATIONFAILED] Authentication failed." Check the password (or authorization code / app password) and that IMAP is enabled for this account.',
      remedy: { en: 'Check the password.', zh: '请检查密码。' },
      transient: false,
    },
    attempts: 1,
    nextRunAt: null,
    startedAt: null,
    firstPassDoneAt: null,
    lastSyncAt: null,
    syncEndsAt: null,
    warnings: [],
    warningsOmitted: 0,
    updatedAt: '2025-01-01T00:00:00.000Z',
    progress: null,
    syncedAt: '2025-01-01T00:00:00.000Z',
    ...patch,
  } as AccountRow;
}

/** A bridge the extension is paired with and connected to. */
export const connectedBridge: BridgeState = {
  phase: 'connected',
  port: 7878,
  version: '1.0.0',
  paired: true,
  tokenId: 'tok',
  origin: null,
  problem: null,
  lastConnectedAt: null,
  nextAttemptAt: null,
  updatedAt: '2025-01-01T00:00:00.000Z',
};
