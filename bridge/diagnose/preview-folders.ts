import type { ErrorInfo } from '../../shared/errors';
import { MigrationOptionsSchema } from '../../shared/migration';
import { closeQuietly, connectImap } from '../engine/connect';
import { discoverLayout, type MailboxLayout } from '../engine/discover';
import type { Endpoint } from '../engine/endpoint';
import { classifyError } from '../engine/errors';
import type { AccountJob } from '../engine/migrate';
import { planMappings } from '../engine/migrate-account';
import { guardReadOnly } from '../engine/read-only-guard';

export interface PreviewOptions {
  storage: 'mapped' | 'unified';
  includeFolders: string[];
  excludeFolders: string[];
  provider?: string;
}

export interface FolderPreview {
  ok: boolean;
  error: ErrorInfo | null;
  targetChecked: boolean;
  mappings: Array<{ source: string; target: string; reason: string; role: string | null; sanitized: boolean }>;
}

/**
 * The folder mapping a migration would use, from one account's folders on the source (and the
 * target's, when given; else a plain target: "/" delimiter, no special-use folders yet). Both
 * sides are behind the read-only guard: a preview writes nothing anywhere.
 */
export async function previewFolders(source: Endpoint, target: Endpoint | undefined, options: PreviewOptions): Promise<FolderPreview> {
  let src;
  let tgt;
  let sideNow: 'source' | 'target' = 'source';
  try {
    src = guardReadOnly(await connectImap(source, { side: 'source', id: 'preview-src' }));
    const srcLayout = await discoverLayout(src);
    let tgtLayout: MailboxLayout = { delimiter: '/', prefix: '', folders: [], capabilities: [] };
    if (target) {
      sideNow = 'target';
      tgt = guardReadOnly(await connectImap(target, { side: 'target', id: 'preview-tgt' }));
      tgtLayout = await discoverLayout(tgt);
    }
    const job: AccountJob = {
      source,
      target: target ?? source,
      options: MigrationOptionsSchema.parse({ mode: options.storage, includeFolders: options.includeFolders, excludeFolders: options.excludeFolders, providerHint: options.provider }),
    };
    const mappings = planMappings(srcLayout, tgtLayout, job).map((m) => ({ source: m.source, target: m.target, reason: m.reason, role: m.role ?? null, sanitized: m.sanitized.length > 0 }));
    return { ok: true, error: null, targetChecked: Boolean(target), mappings };
  } catch (err) {
    const side = sideNow === 'source' ? source : target!;
    const e = classifyError(err, { side: sideNow, account: side.user, host: side.host, port: side.port });
    return { ok: false, error: e.toInfo(), targetChecked: false, mappings: [] };
  } finally {
    await closeQuietly(src);
    await closeQuietly(tgt);
  }
}
