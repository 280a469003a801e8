import { mapFolders, type FolderMapping, type SourceFolder } from '../../shared/folders/map-folders';
import { folderNameForbidden } from '../../shared/folders/target-rules';
import { detectRoleByName } from '../../shared/folders/localized-names';
import { isSpecialUse } from '../../shared/folders/special-use';
import { folderMatcher } from '../../shared/glob';
import type { AccountJob } from './account-job';
import type { MailboxLayout } from './discover';

/** The list of folders to create and copy, with folders the user filtered out left out. */
export function planMappings(source: MailboxLayout, target: MailboxLayout, job: AccountJob): FolderMapping[] {
  const matches = folderMatcher(job.options.includeFolders, job.options.excludeFolders);
  const explicit = job.options.includeFolders.length > 0;
  const sources: SourceFolder[] = source.folders
    .filter((f) => matches(f.path, f.delimiter ?? source.delimiter, source.prefix))
    // Virtual views (Gmail's All Mail, Starred) hold copies of messages that live in other
    // folders: copying them doubles the mailbox. Only an explicit --include-folder takes them.
    .filter((f) => explicit || !isVirtualView(f, source))
    .map((f) => ({
      path: f.path,
      delimiter: f.delimiter,
      specialUse: f.specialUse && isSpecialUse(f.specialUse) ? f.specialUse : undefined,
      flags: f.flags,
    }));
  const targetSpecial: Partial<Record<string, string>> = {};
  for (const f of target.folders) if (f.specialUse && !targetSpecial[f.specialUse]) targetSpecial[f.specialUse] = f.path;
  return mapFolders(
    sources,
    { delimiter: target.delimiter, prefix: target.prefix, specialUse: targetSpecial, existing: target.folders.map((f) => f.path) },
    {
      mode: job.options.mode,
      sourceAddress: job.source.user,
      sourcePrefix: source.prefix,
      providerHint: job.options.providerHint,
      extraForbidden: folderNameForbidden(job.options.targetProviderHint),
    },
  );
}

function isVirtualView(f: { path: string; delimiter: string | null; specialUse?: string }, layout: MailboxLayout): boolean {
  const role = f.specialUse ?? detectRoleByName(f.path, f.delimiter, layout.prefix);
  return role === '\\All' || role === '\\Flagged';
}
