import type { FetchMessageObject, ImapFlow, ListResponse } from 'imapflow';
import type { FolderReport } from '../../../shared/providers';
import { classifyError } from '../../engine/errors';
import type { StageContext } from './context';
import { serverTextOf } from './login';

function iso(d: Date | string | undefined): string | null {
  if (d === undefined) return null;
  const x = d instanceof Date ? d : new Date(d);
  return Number.isNaN(x.getTime()) ? null : x.toISOString();
}

function ref(m: FetchMessageObject | false | undefined): FolderReport['oldest'] {
  if (!m || !m.uid) return null;
  const when = iso(m.internalDate);
  return when ? { uid: m.uid, internalDate: when } : null;
}

function listed(f: ListResponse): FolderReport {
  const flags = [...(f.flags ?? [])];
  return {
    path: f.path,
    delimiter: f.delimiter || null,
    specialUse: f.specialUse && f.specialUseSource !== 'name' ? f.specialUse : null,
    flags,
    selectable: !flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x)),
    messages: null,
    size: null,
    uidValidity: null,
    uidNext: null,
    oldest: null,
    newest: null,
    skipped: false,
    error: null,
  };
}

/**
 * STATUS of one folder and, when it holds mail, the INTERNALDATE of its lowest and highest UID
 * (EXAMINE, two small FETCHes). A folder the server refuses gets its error; a dead connection throws.
 */
async function examine(client: ImapFlow, entry: FolderReport, statusSize: boolean): Promise<void> {
  try {
    const st = await client.status(entry.path, { messages: true, uidNext: true, uidValidity: true, ...(statusSize ? { size: true } : {}) });
    if (!st) throw new Error('STATUS was refused');
    entry.messages = st.messages ?? null;
    entry.size = statusSize ? (st.size ?? null) : null;
    entry.uidValidity = st.uidValidity !== undefined ? String(st.uidValidity) : null;
    entry.uidNext = st.uidNext ?? null;
    if ((st.messages ?? 0) > 0) {
      const box = await client.mailboxOpen(entry.path, { readOnly: true }); // EXAMINE
      if (box.exists > 0) {
        const first = await client.fetchOne('1', { uid: true, internalDate: true });
        const last = box.exists === 1 ? first : await client.fetchOne('*', { uid: true, internalDate: true });
        entry.oldest = ref(first);
        entry.newest = ref(last);
      }
    }
  } catch (err) {
    if (!client.usable) throw err;
    entry.error = serverTextOf(err) ?? (err as Error).message ?? String(err);
  }
}

function totalsOf(folders: FolderReport[], statusSize: boolean): NonNullable<StageContext['report']['fields']['totals']> {
  // Virtual views (Gmail's All Mail, Starred) repeat mail of other folders: not in the totals.
  const counted = folders.filter((f) => f.messages !== null && f.specialUse !== '\\All' && f.specialUse !== '\\Flagged');
  const dates = folders.flatMap((f) => [f.oldest?.internalDate, f.newest?.internalDate]).filter((d): d is string => !!d).sort();
  return {
    folders: folders.length,
    messages: counted.reduce((s, f) => s + (f.messages ?? 0), 0),
    size: statusSize && counted.every((f) => f.size !== null) ? counted.reduce((s, f) => s + (f.size ?? 0), 0) : null,
    oldest: dates[0] ?? null,
    newest: dates[dates.length - 1] ?? null,
  };
}

function warnAboutFolders(ctx: StageContext, folders: FolderReport[], maxFolders: number, statusSize: boolean): void {
  const { report } = ctx;
  const skipped = folders.filter((f) => f.skipped).length;
  if (skipped) {
    report.warn({
      code: 'FOLDER_LIMIT',
      severity: 'info',
      message: { en: `${skipped} more folders were listed without counts (the test examines ${maxFolders}).`, zh: `另有 ${skipped} 个文件夹仅列出、未统计（测试最多检查 ${maxFolders} 个）。` },
      evidence: { examined: maxFolders, skipped },
      hints: [],
    });
  }
  const broken = folders.filter((f) => f.error);
  if (broken.length) {
    report.warn({
      code: 'FOLDER_ERROR',
      severity: 'warning',
      message: {
        en: `${broken.length} folder(s) could not be examined: ${broken.slice(0, 5).map((f) => `${f.path} (${f.error})`).join('; ')}. Locked or restricted folders would be left out of the migration.`,
        zh: `${broken.length} 个文件夹无法检查：${broken.slice(0, 5).map((f) => `${f.path}（${f.error}）`).join('；')}。被锁定或受限的文件夹将无法搬家。`,
      },
      evidence: { folders: broken.map((f) => f.path) },
      hints: [],
    });
  }
  if (!statusSize) {
    report.warn({
      code: 'NO_STATUS_SIZE',
      severity: 'info',
      message: { en: 'The server does not support STATUS=SIZE: folder sizes are unknown (message counts are exact).', zh: '服务器不支持 STATUS=SIZE：文件夹大小未知（邮件数量准确）。' },
      hints: [],
    });
  }
}

/**
 * Every folder with its counts, size and oldest/newest dates (the first `maxFolders` selectable
 * ones in detail, the rest listed only), and the totals. false: LIST failed and the test stops.
 */
export async function surveyFolders(ctx: StageContext, client: ImapFlow, maxFolders: number): Promise<boolean> {
  const { endpoint, account, side, report } = ctx;
  const statusSize = report.fields.statusSize === true;
  const t = performance.now();
  let list: ListResponse[];
  try {
    list = await client.list();
  } catch (err) {
    const e = classifyError(err, { side, account, host: endpoint.host, port: endpoint.port });
    report.fail(e.code === 'INTERNAL' ? 'PROTOCOL_ERROR' : e.code, `LIST failed: ${e.message}`, 'folders', serverTextOf(err));
    return false;
  }
  const folders: FolderReport[] = [];
  let examined = 0;
  for (const f of list) {
    const entry = listed(f);
    folders.push(entry);
    if (!entry.selectable) continue;
    if (examined >= maxFolders) {
      entry.skipped = true;
      continue;
    }
    examined++;
    await examine(client, entry, statusSize);
  }
  report.fields.folders = folders;
  const totals = totalsOf(folders, statusSize);
  report.fields.totals = totals;
  report.step('folders', 'ok', performance.now() - t, `${folders.length} folders, ${totals.messages} messages`);
  warnAboutFolders(ctx, folders, maxFolders, statusSize);
  return true;
}
