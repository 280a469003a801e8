/**
 * The cut-over state of each job in the service's SQLite file, in its own table (svc_cutover),
 * as one JSON document checked with zod when read back.
 */
import { z } from 'zod';
import { CutoverConfigSchema, type CutoverConfig } from '../../shared/protocol/cutover';
import { DnsCheckReportSchema } from '../../shared/protocol/dns-check';
import type { ServiceDb } from '../service/db';

export const CutoverStateSchema = z.object({
  config: CutoverConfigSchema,
  reports: z.array(DnsCheckReportSchema).default([]),
  lastCheckedAt: z.string().nullable().default(null),
  checkError: z.string().nullable().default(null),
  mxOnTargetAt: z.string().nullable().default(null),
  /** Largest MX TTL seen while MX was not on the target yet (the old MX). */
  oldMxTtl: z.number().int().nullable().default(null),
  /** Each account's messagesSyncedSinceFirstPass when the switch was seen. */
  baseline: z.record(z.string(), z.number().int()).default({}),
  /** Each account's count of messages after the switch at the last check, and when it last grew. */
  arrivals: z.record(z.string(), z.object({ count: z.number().int(), at: z.string().nullable() })).default({}),
  checklist: z.record(z.string(), z.string().nullable()).default({}),
});
export type CutoverState = z.infer<typeof CutoverStateSchema>;

export class CutoverStore {
  constructor(private readonly db: ServiceDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS svc_cutover (job_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  }

  get(jobId: string): CutoverState | undefined {
    const row = this.db.prepare(`SELECT state FROM svc_cutover WHERE job_id = ?`).get(jobId) as { state: string } | undefined;
    return row ? CutoverStateSchema.parse(JSON.parse(row.state)) : undefined;
  }

  jobIds(): string[] {
    return (this.db.prepare(`SELECT job_id FROM svc_cutover ORDER BY job_id`).all() as { job_id: string }[]).map((r) => r.job_id);
  }

  put(jobId: string, state: CutoverState): void {
    this.db
      .prepare(`INSERT INTO svc_cutover (job_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(job_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`)
      .run(jobId, JSON.stringify(CutoverStateSchema.parse(state)), new Date().toISOString());
  }

  /** A new configuration keeps what was seen so far (switch time, arrivals, checklist). */
  configure(jobId: string, config: CutoverConfig): CutoverState {
    const prev = this.get(jobId);
    const next = CutoverStateSchema.parse({ ...(prev ?? {}), config });
    this.put(jobId, next);
    return next;
  }
}
