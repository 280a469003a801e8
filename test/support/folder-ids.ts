import type { AccountResult } from '../../shared/migration';
import { snapshotMailbox } from '../harness/mailbox';
import type { AnyMailServer, MailUser } from '../harness/servers';

/** A pass's result in one line, for an assertion's message. */
export function passSummary(r: AccountResult): string {
  return JSON.stringify({ status: r.status, error: r.error, copied: r.messagesCopied, skipped: r.skipped, warnings: r.warnings.map((w) => w.message), folders: r.folders.map((f) => [f.source, f.target]) });
}

/** Message-IDs (their local part) per non-empty folder, sorted: duplicates show as repeats. */
export async function idsByFolder(server: AnyMailServer, user: MailUser): Promise<Record<string, string[]>> {
  const snap = await snapshotMailbox(server, user, { withRaw: true });
  const out: Record<string, string[]> = {};
  for (const [path, f] of Object.entries(snap.folders)) {
    if (f.messages.length === 0) continue;
    out[path] = f.messages.map((m) => /Message-ID: <([^@>]+)@/i.exec(m.raw!.toString('latin1'))?.[1] ?? '?').sort();
  }
  return out;
}
