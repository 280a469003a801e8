/**
 * The wizard's 搬家范围 as the job spec's filters, the same ones the CLI's --since,
 * --include-folder and --exclude-folder set: 全部邮件 or 近 N 个月邮件 (a `since` date counted back
 * from the day the job starts), and all folders, only some (指定文件夹) or all but some.
 */
import type { Filters } from '../../../shared/protocol';
import type { WizardState } from './wizard-state';

export type WizardFilters = Pick<WizardState, 'mailRange' | 'recentMonths' | 'folderScope' | 'folderList'>;

export function monthsValid(months: string): boolean {
  const n = Number(months);
  return /^\d+$/.test(months.trim()) && n >= 1 && n <= 240;
}

export function folderNames(list: string): string[] {
  return [...new Set(list.split(/\r?\n/).map((f) => f.trim()).filter(Boolean))];
}

/** The first day of the window: today minus N calendar months (YYYY-MM-DD, UTC). */
export function sinceDate(months: number, today: Date = new Date()): string {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - months, today.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

export function filtersValid(f: WizardFilters): boolean {
  if (f.mailRange === 'recent' && !monthsValid(f.recentMonths)) return false;
  if (f.folderScope !== 'all' && folderNames(f.folderList).length === 0) return false;
  return true;
}

export function jobFilters(f: WizardFilters, today: Date = new Date()): Pick<Filters, 'since' | 'includeFolders' | 'excludeFolders'> {
  const folders = folderNames(f.folderList);
  return {
    since: f.mailRange === 'recent' && monthsValid(f.recentMonths) ? sinceDate(Number(f.recentMonths), today) : null,
    includeFolders: f.folderScope === 'include' ? folders : [],
    excludeFolders: f.folderScope === 'exclude' ? folders : [],
  };
}
