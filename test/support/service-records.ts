import { EMPTY_COUNTERS, type AccountRecord } from '../../bridge/service/accounts-repo';
import type { JobRecord } from '../../bridge/service/jobs-repo';

const server = (host: string, port = 993) => ({ host, port, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

/** A service job record as the store holds it: Tencent-like IMAPS in, Alibaba-like IMAPS out, hourly syncs for 30 days; `spec` overrides. */
export function jobRecord(id: string, spec: Partial<JobRecord['spec']> = {}): JobRecord {
  return {
    id,
    status: 'active',
    createdAt: '',
    updatedAt: '',
    spec: {
      name: id,
      source: { protocol: 'imap', ...server('imap.old.cn') },
      sourceLogin: { kind: 'per-account' },
      target: server('imap.new.cn'),
      targetLogin: { kind: 'per-account' },
      storage: 'mapped',
      filters: { since: null, includeFolders: [], excludeFolders: [], deleted: 'copy' },
      incremental: { intervalMinutes: 60, windowDays: 30 },
      concurrency: 2,
      batchMessages: 200,
      provider: null,
      targetEpoch: 0,
      ...spec,
    },
  };
}

/** A service account record in a first pass, nothing counted; `over` overrides. */
export function accountRecord(over: Partial<AccountRecord> & Pick<AccountRecord, 'id' | 'jobId' | 'source' | 'target'>): AccountRecord {
  return {
    mode: 'admin-with-passwords',
    status: 'in_progress',
    phase: 'queued',
    sourceServer: null,
    counters: EMPTY_COUNTERS,
    error: null,
    attempts: 0,
    failures: 0,
    nextRunAt: null,
    startedAt: null,
    firstPassDoneAt: null,
    lastSyncAt: null,
    syncUntil: null,
    mailboxEpoch: 0,
    warnings: null,
    createdAt: '',
    updatedAt: '',
    ...over,
  };
}
