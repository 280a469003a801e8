import { serviceWords, wrongServiceRemedy } from './wrong-service';
import { z } from 'zod';
import { WarningFactsSchema, type WarningFacts } from './warning-facts';
import { layoutWords } from './folders/layout';

/**
 * Error codes shared by the engine, the wire protocol and the UI. Each code has a
 * message a person can act on (English and Chinese) so the CLI, the report and the
 * extension say the same thing.
 */
export const ERROR_CODES = [
  'AUTH_FAILED',
  'CONNECT_FAILED',
  'DNS_FAILED',
  'TLS_FAILED',
  'PLAINTEXT_REFUSED',
  'IMAP_DISABLED',
  'THROTTLED',
  'TIMEOUT',
  'QUOTA_EXCEEDED',
  'MESSAGE_REJECTED',
  'MESSAGE_TOO_LARGE',
  'TARGET_REFUSED',
  'MESSAGE_CHANGED',
  'DATE_CHANGED',
  'FOLDER_CREATE_FAILED',
  'FOLDER_RENAMED',
  'FOLDER_NOT_FOUND',
  'FOLDER_FILTER_UNMATCHED',
  'FOLDER_UNREADABLE',
  'SOURCE_CHANGED',
  'PROTOCOL_ERROR',
  'UNSUPPORTED',
  'CONFIG_INVALID',
  'CANCELLED',
  'ALREADY_RUNNING',
  'INTERNAL',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** Which side of the migration the error came from, when known (the UI names it in its own words). */
  side: z.enum(['source', 'target']).optional(),
  /** A warning's (or an error's) facts as data, for a UI to state in its own language (warning-facts.ts). */
  facts: WarningFactsSchema.optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export interface Remedy {
  en: string;
  zh: string;
  /** Whether retrying later without changing anything can succeed. */
  transient: boolean;
}

export const REMEDIES: Record<ErrorCode, Remedy> = {
  AUTH_FAILED: {
    en: 'Check the user name and password. Many providers need an app password / authorization code instead of the web password (QQ/Exmail, NetEase, Gmail), two-factor login or WeChat binding switched off for client logins, and IMAP enabled in the mailbox settings.',
    zh: '请检查账号和密码。许多服务商要求使用客户端专用密码/授权码而不是网页登录密码（腾讯企业邮、网易、Gmail），需关闭二次验证或微信动态密码，并在邮箱设置中开启 IMAP。',
    transient: false,
  },
  CONNECT_FAILED: {
    en: 'The server could not be reached. Check the host name and port, and that the firewall allows outgoing connections to it.',
    zh: '无法连接服务器。请检查服务器地址和端口，以及防火墙是否允许连接。',
    transient: true,
  },
  DNS_FAILED: {
    en: 'The server name could not be resolved (DNS). Check the spelling of the server address, and that this computer can resolve names (network, proxy, company DNS).',
    zh: '无法解析服务器地址（DNS）。请检查服务器地址是否拼写正确，以及本机网络、代理或公司 DNS 是否能解析域名。',
    transient: false,
  },
  TLS_FAILED: {
    en: "The server's TLS certificate could not be verified, or TLS could not be negotiated. Check the host name matches the certificate; for a self-signed certificate, explicitly choose to accept it for this server.",
    zh: '无法验证服务器的 TLS 证书或无法建立加密连接。请确认服务器地址与证书一致；如为自签名证书，请明确选择信任该服务器的证书。',
    transient: false,
  },
  PLAINTEXT_REFUSED: {
    en: 'This connection would send the password unencrypted. Use TLS (imaps:// or STARTTLS), or explicitly allow plaintext for a trusted local network.',
    zh: '该连接会以明文发送密码。请使用 TLS（imaps:// 或 STARTTLS），或仅在可信内网中明确允许明文连接。',
    transient: false,
  },
  IMAP_DISABLED: {
    en: "The server refused IMAP for this account. Enable IMAP/POP in this mailbox's settings (or ask the administrator to enable it for all users) and try again.",
    zh: '服务器拒绝了该账号的 IMAP 访问。请在该邮箱的设置中开启 IMAP/POP 服务（或请管理员为所有用户开启）后重试。',
    transient: false,
  },
  THROTTLED: {
    en: 'The server is limiting connections or requests. A running migration waits and tries again by itself; if this keeps happening, lower the concurrency or wait until the provider lifts the limit.',
    zh: '服务器限制了连接数或请求频率。进行中的搬家会等待后再次尝试；如持续出现，请降低并发数或等待服务商解除限制。',
    transient: true,
  },
  TIMEOUT: {
    en: 'The server stopped answering. A running migration tries again by itself and resumes from its checkpoint; if it keeps happening, check the network to the server.',
    zh: '服务器长时间无响应。进行中的搬家会再次尝试并从断点继续；如持续出现，请检查到该服务器的网络。',
    transient: true,
  },
  QUOTA_EXCEEDED: {
    en: 'The target mailbox is full. Raise its quota in the new system, then resume.',
    zh: '目标邮箱空间已满。请在新邮箱系统中扩大该账号容量后继续搬家。',
    transient: false,
  },
  MESSAGE_REJECTED: {
    en: 'The target server refused this message; it was skipped and listed in the report. The rest of the mailbox is migrated.',
    zh: '目标服务器拒收了这封邮件，已跳过并记录在报告中，其余邮件继续搬家。',
    transient: false,
  },
  TARGET_REFUSED: {
    en: 'The target server refused to store mail for a reason that is not the message itself (the folder is read-only, the account may not write there, or the server has a problem). Nothing was skipped: a running migration tries the account again and resumes from its checkpoint. If it persists, check the target account\'s permissions and the server text in the report.',
    zh: '目标服务器拒绝保存邮件，原因不在邮件本身（文件夹只读、账号无写入权限或服务器故障）。没有邮件被跳过：进行中的搬家会再次尝试该账号并从断点继续。如持续出现，请检查目标账号的权限以及报告中服务器返回的原文。',
    transient: true,
  },
  MESSAGE_CHANGED: {
    en: 'The target server stored this message with changes (for example 8-bit header bytes replaced). The message is there, but not byte for byte; the report lists what changed.',
    zh: '目标服务器保存这封邮件时做了改动（例如把邮件头中的 8 位字节替换掉）。邮件已搬到，但并非逐字节一致；报告中列出了改动内容。',
    transient: false,
  },
  DATE_CHANGED: {
    en: 'The target server could not store this message\'s date (INTERNALDATE, the date mail clients sort by): it is before 1970 or in the future, and the server kept another one without saying so. The message was copied; the report names the date it had and the date the new mailbox shows.',
    zh: '目标服务器无法保存这封邮件的日期（INTERNALDATE，邮件客户端按它排序）：该日期早于 1970 年或在未来，服务器未作任何提示就改存了另一个日期。邮件已搬到；报告中列出了原日期和新邮箱显示的日期。',
    transient: false,
  },
  MESSAGE_TOO_LARGE: {
    en: "The message is larger than the target server accepts; it was skipped and listed in the report.",
    zh: '邮件大小超过目标服务器的限制，已跳过并记录在报告中。',
    transient: false,
  },
  FOLDER_CREATE_FAILED: {
    en: 'A folder could not be created on the target. Check the folder name and that the account may create folders.',
    zh: '无法在目标邮箱创建文件夹。请检查文件夹名称以及账号是否有创建文件夹的权限。',
    transient: false,
  },
  FOLDER_RENAMED: {
    en: 'The target refused a folder name, so the folder was created with look-alike characters instead (for example a.b as a．b). Its mail is in the renamed folder; the report lists every renaming.',
    zh: '目标邮箱不接受某个文件夹名称，已改用形近字符创建（例如 a.b 改为 a．b）。邮件在改名后的文件夹中；报告列出了每一处改名。',
    transient: false,
  },
  FOLDER_NOT_FOUND: {
    en: 'A folder disappeared on the source during the migration. Avoid renaming or deleting folders on the old system until the migration ends.',
    zh: '原邮箱的文件夹在搬家过程中消失了。搬家完成前请勿在原系统中重命名或删除文件夹。',
    transient: false,
  },
  FOLDER_FILTER_UNMATCHED: {
    en: "Check the filter against the old mailbox's folder names listed with it: filters use / between levels, * within a level, ** for any depth, and are case-sensitive (except INBOX). Fix the filter and run the migration again; nothing else changes.",
    zh: '请对照随附列出的原邮箱文件夹名称检查该筛选：层级之间用 /，* 匹配同一层级，** 匹配任意层级，区分大小写（INBOX 除外）。改正筛选后重新搬家即可，其他内容不受影响。',
    transient: false,
  },
  FOLDER_UNREADABLE: {
    en: "The old server reads the other folders' mail but not one message of this folder: it is likely damaged on the old server (wrong file permissions or ownership after a restore, a broken index). Check the folder there, or ask the server's administrator. The folders the server can read are copied before it; this one is tried again by the next run.",
    zh: '原邮箱服务器能读取其他文件夹中的邮件，却连这个文件夹中的一封邮件也读取不了：该文件夹很可能在原服务器上已损坏（恢复备份后文件权限或属主不对、索引损坏等）。请在原服务器上检查该文件夹，或联系该服务器的管理员。能读取的文件夹会先搬完，下次搬家会再试这个文件夹。',
    transient: true,
  },
  SOURCE_CHANGED: {
    en: "The source folder's UIDVALIDITY changed (the folder was recreated or restored). Messages were matched again by fingerprint so nothing is copied twice.",
    zh: '原文件夹的 UIDVALIDITY 发生变化（文件夹被重建或恢复），已按邮件指纹重新比对，不会重复搬家。',
    transient: false,
  },
  PROTOCOL_ERROR: {
    en: 'The server answered in a way that does not follow the IMAP protocol. Retry; if it persists, report the server software and version.',
    zh: '服务器的响应不符合 IMAP 协议。请重试；如持续出现，请反馈服务器软件及版本。',
    transient: true,
  },
  UNSUPPORTED: {
    en: 'This feature is not supported yet.',
    zh: '暂不支持该功能。',
    transient: false,
  },
  CONFIG_INVALID: {
    en: 'The migration settings are invalid.',
    zh: '搬家参数无效。',
    transient: false,
  },
  CANCELLED: {
    en: 'The migration was stopped before it finished; it resumes from its checkpoint when started again.',
    zh: '搬家在完成前被停止；再次启动时会从断点继续。',
    transient: true,
  },
  ALREADY_RUNNING: {
    en: 'Only one run at a time may copy between the same two mailboxes: two at once would both copy the same new mail. Another run on this computer has them now (a command-line run, perhaps a scheduled one, another bridge or a queue worker). Wait for it to finish, or stop it. Nothing was done for this account; the bridge tries it again by itself later.',
    zh: '同一对邮箱同一时间只能有一次搬家：两次同时进行会把同样的新邮件搬两遍。本机上的另一次搬家（命令行搬家，可能是定时任务；另一个桥接程序；或队列工作进程）正在搬这对邮箱。请等待其完成，或将其停止。该账号尚未做任何操作；桥接程序稍后会自动重试。',
    transient: true,
  },
  INTERNAL: {
    en: 'An unexpected error occurred in mailmover. The migration can be resumed; please report this with the log.',
    zh: 'mailmover 内部错误。可以继续搬家；请附上日志反馈。',
    transient: true,
  },
};

/**
 * What happened, per code, in words for a person (English and Chinese). The engine's own
 * message is English and names CLI flags; the UI and the report say this instead, with the
 * side of the migration filled in (`{side}`: the old or the new mailbox; `{server}`: its
 * server). Each side's words, the unknown side's too, must read right in every template.
 */
export const ERROR_MESSAGES: Record<ErrorCode, { en: string; zh: string }> = {
  AUTH_FAILED: { en: 'Login to {side} failed: the server refused the user name or password.', zh: '{side}登录失败：服务器不接受该账号或密码。' },
  CONNECT_FAILED: { en: 'Could not connect to {server}.', zh: '无法连接{server}。' },
  DNS_FAILED: { en: 'The address of {server} could not be found (DNS).', zh: '找不到{server}的地址（DNS 解析失败）。' },
  TLS_FAILED: { en: 'No secure (TLS) connection to {side}: the certificate could not be verified or encryption failed.', zh: '无法与{side}建立加密（TLS）连接：证书无法验证或加密协商失败。' },
  PLAINTEXT_REFUSED: { en: 'The password for {side} would travel unencrypted, so it was not sent.', zh: '{side}的密码将以明文传输，因此没有发送。' },
  IMAP_DISABLED: { en: '{side} does not allow IMAP (or POP3) access for this account.', zh: '{side}未对该账号开放 IMAP（或 POP3）访问。' },
  THROTTLED: { en: '{side} is limiting connections or requests.', zh: '{side}限制了连接数或请求频率。' },
  TIMEOUT: { en: '{side} stopped answering.', zh: '{side}长时间无响应。' },
  QUOTA_EXCEEDED: { en: 'The new mailbox is full.', zh: '新邮箱空间已满。' },
  MESSAGE_REJECTED: { en: 'The new mailbox refused a message.', zh: '新邮箱拒收了一封邮件。' },
  MESSAGE_TOO_LARGE: { en: 'A message is larger than the new mailbox accepts.', zh: '有邮件超过新邮箱允许的大小。' },
  TARGET_REFUSED: { en: 'The new mailbox refused to store mail.', zh: '新邮箱拒绝保存邮件。' },
  MESSAGE_CHANGED: { en: 'The new mailbox stored a message with changes.', zh: '新邮箱保存邮件时做了改动。' },
  DATE_CHANGED: { en: 'The new mailbox kept another date for a message.', zh: '新邮箱为某封邮件保存了另一个日期。' },
  FOLDER_CREATE_FAILED: { en: 'A folder could not be created in the new mailbox.', zh: '无法在新邮箱中创建文件夹。' },
  FOLDER_RENAMED: { en: 'A folder was created under a slightly different name in the new mailbox.', zh: '新邮箱中有文件夹改用了形近名称创建。' },
  FOLDER_NOT_FOUND: { en: 'A folder of the old mailbox disappeared during the migration.', zh: '原邮箱的文件夹在搬家过程中消失了。' },
  FOLDER_FILTER_UNMATCHED: { en: 'A folder filter (include) matches no folder of the old mailbox: nothing was copied for it.', zh: '一个文件夹筛选（包含）没有匹配到原邮箱的任何文件夹，因此没有搬迁任何内容。' },
  FOLDER_UNREADABLE: { en: '{side} could not read any message of {folder}.', zh: '{side}无法读取{folder}中的任何邮件。' },
  SOURCE_CHANGED: { en: 'A folder of the old mailbox was recreated or restored.', zh: '原邮箱的文件夹被重建或恢复。' },
  PROTOCOL_ERROR: { en: '{side} gave an answer that does not follow the mail protocol.', zh: '{side}的响应不符合邮件协议。' },
  UNSUPPORTED: { en: 'This is not supported yet.', zh: '暂不支持该操作。' },
  CONFIG_INVALID: { en: 'The migration settings are invalid.', zh: '搬家设置无效。' },
  CANCELLED: { en: 'The migration was stopped before it finished.', zh: '搬家在完成前被停止。' },
  ALREADY_RUNNING: { en: 'Another run on this computer{holder} is already copying between these two mailboxes, so this one did not start.', zh: '本机上的另一次搬家{holder}正在这两个邮箱之间搬家，因此本次没有开始。' },
  INTERNAL: { en: 'Something unexpected went wrong in mailmover.', zh: 'mailmover 发生了意外错误。' },
};

/**
 * Which side of the migration an error came from: the engine's `side` when it sent one, else
 * what its message says ("… for the source …", errors stored before `side` existed).
 */
export function errorSide(error: { message: string; side?: 'source' | 'target' | undefined }): 'source' | 'target' | null {
  if (error.side) return error.side;
  const m = /\b(source|target)\b/i.exec(error.message);
  return m ? (m[1]!.toLowerCase() as 'source' | 'target') : null;
}

const SIDE_WORDS = {
  source: { en: 'the old mailbox', zh: '原邮箱' },
  target: { en: 'the new mailbox', zh: '新邮箱' },
  unknown: { en: 'the mail server', zh: '邮件服务器' },
} as const;

/** The side's server: the unknown side's words already are a server ("邮件服务器服务器" otherwise). */
const SERVER_WORDS = {
  source: { en: "the old mailbox's server", zh: '原邮箱服务器' },
  target: { en: "the new mailbox's server", zh: '新邮箱服务器' },
  unknown: SIDE_WORDS.unknown,
} as const;

/** The other run of ALREADY_RUNNING, when its facts name it: its process and since when ('' otherwise). */
function holderWords(facts: WarningFacts | undefined, lang: 'en' | 'zh', date: (iso: string) => string): string {
  if (facts?.kind !== 'already-running') return '';
  return lang === 'zh' ? `（进程号 ${facts.pid}，开始于 ${date(facts.since)}）` : ` (process ${facts.pid}, since ${date(facts.since)})`;
}

/**
 * The person's sentence for an error: its code's message with the side filled in, and the facts
 * it names (a folder, another run's process); times through `date` (the UI's locale format).
 */
export function errorMessage(
  error: { code: string; message: string; side?: 'source' | 'target' | undefined; facts?: WarningFacts | undefined },
  lang: 'en' | 'zh',
  date: (iso: string) => string = (iso) => iso,
): string {
  const parsed = ErrorCodeSchema.safeParse(error.code);
  if (!parsed.success) return lang === 'zh' ? ERROR_MESSAGES.INTERNAL.zh : error.message;
  if (error.facts?.kind === 'layout-changed') return fillLayouts(LAYOUT_CHANGED.message[lang], error.facts, lang);
  const which = errorSide(error) ?? 'unknown';
  if (error.facts?.kind === 'wrong-service') {
    const found = serviceWords(error.facts.found, lang);
    const expected = error.facts.expected.toUpperCase();
    const server = SERVER_WORDS[which][lang];
    return lang === 'zh' ? `${server}地址的端口上是${found}，不是 ${expected} 服务器。` : `The port given for ${server} answers as ${found}, not as ${expected === 'IMAP' ? 'an IMAP' : 'a POP3'} server.`;
  }
  const side = SIDE_WORDS[which][lang];
  const server = SERVER_WORDS[which][lang];
  const named = error.facts?.kind === 'folder-unreadable' ? error.facts.folder : undefined;
  const folder = lang === 'zh' ? (named === undefined ? '其中一个文件夹' : `文件夹“${named}”`) : named === undefined ? 'one of its folders' : `the folder "${named}"`;
  const text = ERROR_MESSAGES[parsed.data][lang]
    .replace('{side}', side)
    .replace('{server}', server)
    .replace('{folder}', folder)
    .replace('{holder}', holderWords(error.facts, lang, date));
  return lang === 'en' ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** The facts of a run refused because the account's copies were made in another layout. */
type LayoutChangedFacts = Extract<WarningFacts, { kind: 'layout-changed' }>;

const LAYOUT_CHANGED = {
  message: {
    en: 'The earlier runs of this account copied its mail in {recorded}; this run asks for {requested}, so it did not start: nothing was created or copied in the new mailbox.',
    zh: '该账号此前的搬家使用{recorded}搬迁邮件；本次要求{requested}，因此没有开始，新邮箱中没有创建或搬迁任何内容。',
  },
  remedy: {
    en: 'Run it again in {recorded}: the mail already copied stays where it is, and only what is missing is added. To have the mailbox in {requested} instead, start that layout over (on the command line with a new state directory, in the bridge in a new job): every message is then copied again into the new folders, so delete the folders the earlier runs made in the new mailbox first unless the mail should be there twice.',
    zh: '请改回{recorded}再次搬家：已搬迁的邮件留在原处，只补搬缺少的邮件。如确需改用{requested}，请重新开始该方式的搬家（命令行使用新的状态目录，桥接程序中新建一个任务）：所有邮件会再次搬入新的文件夹，如不希望新邮箱中的邮件出现两份，请先删除此前搬家在新邮箱中创建的文件夹。',
  },
} as const;

function fillLayouts(template: string, f: LayoutChangedFacts, lang: 'en' | 'zh'): string {
  return template.replace(/\{recorded\}/g, layoutWords(f.recorded, lang)).replace(/\{requested\}/g, layoutWords(f.requested, lang));
}

/**
 * What to do about an error, in both languages: its code's remedy, or one for its facts where
 * the code's words would say too little (a run refused for another layout is CONFIG_INVALID,
 * whose remedy cannot say which mode to go back to).
 */
export function errorRemedy(error: { code: ErrorCode; facts?: WarningFacts | undefined; side?: 'source' | 'target' | undefined }): Remedy {
  const remedy = REMEDIES[error.code];
  if (error.facts?.kind === 'wrong-service') return { ...wrongServiceRemedy(error.facts.found, error.facts.expected, error.side), transient: false };
  if (error.facts?.kind !== 'layout-changed') return remedy;
  const f = error.facts;
  return { en: fillLayouts(LAYOUT_CHANGED.remedy.en, f, 'en'), zh: fillLayouts(LAYOUT_CHANGED.remedy.zh, f, 'zh'), transient: remedy.transient };
}
