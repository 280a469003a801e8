/**
 * The folder mapping preview: the verification account's folders when the bridge's diagnosis
 * listed them, otherwise a typical folder set of the chosen provider (marked as an example),
 * mapped with the same rules the engine uses (shared/folders).
 */
import { mapFolders, type FolderMapping, type SourceFolder } from '../../../shared/folders';
import type { SpecialUse } from '../../../shared/folders';
import type { ConnectionReport } from '../../../shared/providers';

const EXAMPLE_ZH: SourceFolder[] = [
  { path: 'INBOX', delimiter: '/', flags: [] },
  { path: '已发送', delimiter: '/', flags: [] },
  { path: '草稿箱', delimiter: '/', flags: [] },
  { path: '已删除', delimiter: '/', flags: [] },
  { path: '垃圾邮件', delimiter: '/', flags: [] },
  { path: '客户', delimiter: '/', flags: [] },
  { path: '客户/2024', delimiter: '/', flags: [] },
  { path: '项目 A+B', delimiter: '/', flags: [] },
];

const EXAMPLE_EN: SourceFolder[] = [
  { path: 'INBOX', delimiter: '/', flags: [] },
  { path: 'Sent Messages', delimiter: '/', flags: [] },
  { path: 'Drafts', delimiter: '/', flags: [] },
  { path: 'Deleted Messages', delimiter: '/', flags: [] },
  { path: 'Junk', delimiter: '/', flags: [] },
  { path: 'Clients', delimiter: '/', flags: [] },
  { path: 'Clients/2024', delimiter: '/', flags: [] },
];

export interface FolderPreview {
  example: boolean;
  mappings: FolderMapping[];
}

export function previewFolders(
  report: ConnectionReport | null,
  opts: { mode: 'mapped' | 'unified'; sourceAddress: string; providerHint?: string; chineseExample: boolean },
): FolderPreview {
  const fromReport: SourceFolder[] | null =
    report?.folders?.map((f) => ({
      path: f.path,
      delimiter: f.delimiter,
      flags: f.flags,
      ...(f.specialUse ? { specialUse: f.specialUse as SpecialUse } : {}),
    })) ?? null;
  const sources = fromReport && fromReport.length ? fromReport : opts.chineseExample ? EXAMPLE_ZH : EXAMPLE_EN;
  const mappings = mapFolders(
    sources,
    { delimiter: '/', prefix: '', specialUse: {}, existing: [] },
    {
      mode: opts.mode,
      sourceAddress: opts.sourceAddress.trim() || 'zhangsan@example.com',
      sourcePrefix: '',
      ...(opts.providerHint ? { providerHint: opts.providerHint } : {}),
    },
  );
  return { example: !(fromReport && fromReport.length), mappings };
}
