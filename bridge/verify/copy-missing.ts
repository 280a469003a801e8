import type { ImapFlow } from 'imapflow';
import type { VerifyAccount } from '../../shared/verify';
import type { AppendItem } from '../engine/append-batch';
import { appendMessages } from '../engine/append-messages';
import { copiedRecord } from '../engine/copy-chunk';
import { closeQuietly, connectImap } from '../engine/connect';
import { FINGERPRINT_HEADERS, fingerprint } from '../engine/fingerprint';
import { flagsForAppend } from '../engine/flags';
import { accountKey, type AccountJob } from '../engine/account-job';
import { recoverNulBytes } from '../engine/nul-bytes';
import { alreadyRunning } from '../engine/migrate';
import { acquirePairLock } from '../engine/pair-lock';
import { guardReadOnly } from '../engine/read-only-guard';
import type { MessageRecord, StateStore } from '../engine/state-store';

export interface CopyMissingResult {
  copied: number;
  /** messages the target refused, with its reason */
  refused: Array<{ folder: string; uid: number; reason: string }>;
}

/**
 * Copies exactly the messages a verify found missing, nothing else: bodies read with
 * BODY.PEEK[] on a read-only source connection, APPENDed with their flags and INTERNALDATE
 * as the migration would. A re-run of migrate cannot do this: its state says those
 * messages were copied, so it does not look at them again. The new target UIDs are
 * recorded in the state store, so the next migrate counts these copies as its own (where the
 * target says no UID, by the body hash the engine keeps for such rows: copiedRecord).
 */
export async function copyMissing(job: AccountJob, report: VerifyAccount, store: StateStore | undefined): Promise<CopyMissingResult> {
  const result: CopyMissingResult = { copied: 0, refused: [] };
  const todo = report.folders.filter((f) => f.missing.length > 0 && !f.error);
  if (todo.length === 0) return result;
  const account = accountKey(job);
  // APPENDs like a pass: a migration of the pair in another process meanwhile (a cron job, the
  // bridge beside a CLI verify --fix) would plan and copy the same new mail (pair-lock.ts).
  const attempt = await acquirePairLock(job.source, job.target);
  if (!attempt.ok) throw alreadyRunning(job, attempt.holder, attempt.file);
  let src: ImapFlow | undefined;
  let tgt: ImapFlow | undefined;
  try {
    src = guardReadOnly(await connectImap(job.source, { side: 'source', id: 'fix-src', stallTimeoutMs: job.options.stallTimeoutMs }));
    tgt = await connectImap(job.target, { side: 'target', id: 'fix-tgt', stallTimeoutMs: job.options.stallTimeoutMs });
    for (const folder of todo) {
      const box = await src.mailboxOpen(folder.source, { readOnly: true });
      const uidValidity = Number(box.uidValidity);
      const recorded = store?.getCheckpoint(account, folder.source)?.uidValidity === uidValidity;
      const uids = folder.missing.map((m) => m.uid).sort((a, b) => a - b);
      const sizes = new Map(folder.missing.map((m) => [m.uid, m.size]));
      // One chunk at a time, bounded like a migration's chunks, so a large gap does not fill memory.
      for (let i = 0; i < uids.length; ) {
        const chunk: number[] = [];
        let bytes = 0;
        while (i < uids.length && (chunk.length === 0 || bytes < job.options.chunkBytes) && chunk.length < job.options.chunkMessages) {
          const uid = uids[i++]!;
          chunk.push(uid);
          bytes += sizes.get(uid) ?? 0;
        }
        const metas = await src.fetchAll(chunk.join(','), { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS], source: true }, { uid: true });
        const bodies = new Map(metas.filter((m) => m.source).map((m) => [m.uid, m.source!]));
        await recoverNulBytes(src, bodies);
        const items: Array<{ uid: number; size: number; fp: string; item: AppendItem }> = [];
        for (const m of metas.sort((a, b) => a.uid - b.uid)) {
          const raw = bodies.get(m.uid);
          if (!raw) continue; // expunged on the source since the verify: nothing to copy
          const internalDate = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0);
          items.push({ uid: m.uid, size: m.size ?? raw.length, fp: fingerprint(m.headers, m.size ?? 0), item: { raw, flags: flagsForAppend(m.flags ?? [], job.options.deleted), internalDate } });
        }
        const outcomes = await appendMessages(tgt, folder.target, items.map((x) => x.item));
        const records: MessageRecord[] = [];
        items.forEach((x, k) => {
          const o = outcomes[k]!;
          if ('reason' in o) {
            result.refused.push({ folder: folder.source, uid: x.uid, reason: o.reason });
            return;
          }
          result.copied++;
          // The engine's row of a copy: on a target without UIDPLUS a later survey tells this copy
          // from a look-alike by its body, and the next pass carries flag changes made on the
          // source since this APPEND (the flags it was sent with are the baseline).
          records.push(copiedRecord({ uid: x.uid, fingerprint: x.fp, size: x.size, raw: x.item.raw, flags: x.item.flags }, o.targetUid));
        });
        if (store && recorded && records.length) store.recordMessages(account, folder.source, uidValidity, records);
      }
    }
  } finally {
    await closeQuietly(src);
    await closeQuietly(tgt);
    attempt.lock.release();
  }
  return result;
}
