import { z } from 'zod';

/**
 * Where an account's source folders land on the target: the settings of a run that decide it.
 * mapped: each folder to its counterpart (INBOX to INBOX, 已发送 to Sent, the tree kept).
 * unified: everything under one folder named after `folder` (the source address).
 * The filters (--include-folder, --since, …) decide which mail is copied, not where: not part of it.
 */
export const FolderLayoutSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('mapped') }),
  z.object({ mode: z.literal('unified'), folder: z.string() }),
]);
export type FolderLayout = z.infer<typeof FolderLayoutSchema>;

/** The layout a run with this mode and source address makes. */
export function folderLayout(mode: 'mapped' | 'unified', sourceAddress: string): FolderLayout {
  // mapFolders names the unified folder after the address as trimmed.
  return mode === 'unified' ? { mode, folder: sourceAddress.trim() } : { mode };
}

export function sameLayout(a: FolderLayout, b: FolderLayout): boolean {
  if (a.mode === 'mapped' || b.mode === 'mapped') return a.mode === b.mode;
  return a.folder === b.folder;
}

/** A layout in words: `--mode mapped`, or `--mode unified` and its folder. */
export function layoutWords(l: FolderLayout, lang: 'en' | 'zh'): string {
  if (lang === 'zh') return l.mode === 'mapped' ? '文件夹映射模式' : `统一存储模式（文件夹“${l.folder}”）`;
  return l.mode === 'mapped' ? 'mapped mode' : `unified mode (folder "${l.folder}")`;
}
