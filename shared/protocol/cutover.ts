import { z } from 'zod';
import { IdSchema } from './common';
import { DnsCheckReportSchema } from './dns-check';

/**
 * The cut-over (切换) of a job: its mail domain(s), the DNS check against the target provider,
 * when the bridge first saw MX on the target, what still reached the old servers after that, and
 * the after-switch checklist. Kept by the bridge per job (bridge/dns/cutover-*.ts).
 */

/** The after-switch checklist: tested by hand, ticked by the admin, kept in the job. */
export const CUTOVER_CHECKLIST_ITEMS = [
  'test-send-internal',
  'test-send-external',
  'test-receive-external',
  'clients-updated',
  'aliases-rebuilt',
  'groups-rebuilt',
  'mailing-lists-rebuilt',
  'old-domain-unbound',
] as const;
export const CutoverChecklistItemSchema = z.enum(CUTOVER_CHECKLIST_ITEMS);
export type CutoverChecklistItem = z.infer<typeof CutoverChecklistItemSchema>;

const DomainSchema = z
  .string()
  .min(3)
  .max(253)
  .transform((d) => d.trim().toLowerCase().replace(/\.$/, ''))
  .refine((d) => /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d), 'a domain name such as example.com');

export const CutoverConfigSchema = z.object({
  domains: z.array(DomainSchema).min(1).max(20),
  targetProvider: z.string().min(1).max(64),
  oldProvider: z.string().min(1).max(64).nullable().default(null),
  dkimSelector: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/i).nullable().default(null),
  /** Hours without anything reaching the old servers after the switch before closing the sync window is proposed. */
  quietHours: z.number().min(1 / 3600).max(24 * 60).default(72),
});
export type CutoverConfig = z.infer<typeof CutoverConfigSchema>;

export const CutoverStageSchema = z.enum(['prepare', 'ready-to-switch', 'switched', 'quiet']);
export type CutoverStage = z.infer<typeof CutoverStageSchema>;

export const CutoverViewSchema = z.object({
  jobId: IdSchema,
  config: CutoverConfigSchema,
  /** One per domain, from the last check (empty before the first). */
  reports: z.array(DnsCheckReportSchema),
  lastCheckedAt: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  /** Why the last check could not run (DNS server failing), else null. */
  checkError: z.string().nullable(),
  /** Every domain's MX is on the target now. */
  mxOnTarget: z.boolean(),
  /** When the bridge first saw MX on the target for every domain. */
  mxOnTargetAt: z.string().nullable(),
  /**
   * TTL (s) of the old MX records as last seen before the switch: resolvers may deliver to the old
   * servers for at least this long after it. null when unknown.
   */
  oldMxTtl: z.number().int().nullable(),
  /** Accounts whose first pass is not done yet (not started ones included). */
  pendingFirstPass: z.number().int(),
  /** MX is on the target while first passes are still pending: mail is split between two systems. */
  earlyMx: z.boolean(),
  stage: CutoverStageSchema,
  /** Per account: messages that reached the old server after the switch (copied by incremental passes). */
  accounts: z.array(z.object({ accountId: IdSchema, source: z.string(), arrivedAfterSwitch: z.number().int(), lastArrivalAt: z.string().nullable() })),
  /** Nothing reached the old servers for `quietHours` after the switch: the sync window can be closed. */
  closeProposed: z.boolean(),
  checklist: z.record(z.string(), z.string().nullable()),
});
export type CutoverView = z.infer<typeof CutoverViewSchema>;

export const CUTOVER_REQUESTS = {
  /** Sets the job's domain(s) and providers for the cut-over, and runs the DNS check. */
  'cutover.set': { params: CutoverConfigSchema.extend({ jobId: IdSchema }), result: z.object({ cutover: CutoverViewSchema }) },
  'cutover.get': { params: z.object({ jobId: IdSchema }), result: z.object({ cutover: CutoverViewSchema.nullable() }) },
  /** Runs the DNS check of the job's domains now (besides the periodic one). */
  'cutover.check': { params: z.object({ jobId: IdSchema }), result: z.object({ cutover: CutoverViewSchema }) },
  /** Ticks (or unticks) an item of the after-switch checklist. */
  'cutover.checklist': { params: z.object({ jobId: IdSchema, item: CutoverChecklistItemSchema, done: z.boolean() }), result: z.object({ cutover: CutoverViewSchema }) },
} as const;
