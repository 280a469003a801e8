import { z } from 'zod';
import { ServerSchema, SourceServerSchema } from '../../shared/protocol/common';
import { FiltersSchema, IncrementalSchema, type JobStatus } from '../../shared/protocol/job';
import { newId, nowIso, type ServiceDb } from './db';

/** A login as stored: the admin password itself lives in the credential vault. */
export const StoredLoginSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('per-account') }),
  z.object({ kind: z.literal('admin'), adminUser: z.string(), form: z.enum(['authzid', 'separator']) }),
]);
export type StoredLogin = z.infer<typeof StoredLoginSchema>;

/** The job's settings as stored in svc_jobs.spec (checked again when read back). */
export const StoredJobSpecSchema = z.object({
  name: z.string(),
  source: SourceServerSchema,
  sourceLogin: StoredLoginSchema,
  target: ServerSchema,
  targetLogin: StoredLoginSchema,
  storage: z.enum(['mapped', 'unified']),
  filters: FiltersSchema,
  incremental: IncrementalSchema,
  concurrency: z.number().int(),
  batchMessages: z.number().int(),
  provider: z.string().nullable(),
  /**
   * How many times the target server was changed (job.update): part of the engine's state key,
   * so that after a change the accounts' next pass copies everything to the new server
   * instead of resuming what was copied to the old one. 0 (and absent in older records) keeps
   * the key it always had.
   */
  targetEpoch: z.number().int().min(0).default(0),
});
export type StoredJobSpec = z.infer<typeof StoredJobSpecSchema>;

export interface JobRecord {
  id: string;
  spec: StoredJobSpec;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
}

interface JobRow {
  id: string;
  spec: string;
  status: JobStatus;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  spec: StoredJobSpecSchema.parse(JSON.parse(r.spec)),
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class JobsRepo {
  constructor(private readonly db: ServiceDb) {}

  create(spec: StoredJobSpec): JobRecord {
    const id = newId('job');
    const now = nowIso();
    this.db.prepare(`INSERT INTO svc_jobs (id, spec, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`).run(id, JSON.stringify(spec), now, now);
    return this.get(id)!;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): JobRecord[] {
    return (this.db.prepare(`SELECT * FROM svc_jobs ORDER BY created_at`).all() as JobRow[]).map(toRecord);
  }

  updateSpec(id: string, spec: StoredJobSpec): JobRecord {
    this.db.prepare(`UPDATE svc_jobs SET spec = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(spec), nowIso(), id);
    return this.get(id)!;
  }

  /** When the job.firstPassDone event was last sent (null: not since accounts last entered a first pass). */
  firstPassDoneAt(id: string): string | null {
    const row = this.db.prepare(`SELECT first_pass_done_at AS at FROM svc_jobs WHERE id = ?`).get(id) as { at: string | null } | undefined;
    return row?.at ?? null;
  }

  setFirstPassDoneAt(id: string, at: string | null): void {
    this.db.prepare(`UPDATE svc_jobs SET first_pass_done_at = ? WHERE id = ?`).run(at, id);
  }

  setStatus(id: string, status: JobStatus): JobRecord {
    this.db.prepare(`UPDATE svc_jobs SET status = ?, updated_at = ? WHERE id = ?`).run(status, nowIso(), id);
    return this.get(id)!;
  }
}
