import type { ImapFlow } from 'imapflow';
import compiler from 'imapflow/lib/handler/imap-compiler.js';
import { encodePath, enhanceCommandError, normalizePath } from 'imapflow/lib/tools.js';
import { ImapClient, type ExecResponse } from './imap-client';

export interface AppendItem {
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

export interface AppendBatchResult {
  uidValidity: number | null;
  /** Target UIDs in the order of the items; null where the server did not say (no UIDPLUS). */
  uids: (number | null)[];
}

type Exec = (command: string, attributes: unknown[], options?: unknown) => Promise<ExecResponse>;

/** Expands an RFC 4315 uid-set ("7,9:11") in order; null when it does not parse. */
export function parseUidSet(set: string): number[] | null {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    for (let u = lo; u <= hi; u++) out.push(u);
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3501 date-time in UTC: the instant is what matters, and UTC never needs DST care. */
export function formatImapDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * Messages up to this size go out as non-synchronizing literals where the target allows
 * it. A bigger one is sent on its own and asks first ("+" before the data), so a target
 * that refuses it (too big, over quota) has not been sent megabytes to throw away; next
 * to such an upload, the round trip costs nothing.
 */
export const NON_SYNC_LITERAL_MAX = 1024 * 1024;

function metaAttributes(item: AppendItem) {
  return [item.flags.map((f) => ({ type: 'ATOM', value: f })), { type: 'STRING', value: formatImapDate(item.internalDate) }];
}

function appendAttributes(item: AppendItem, useLiteral8: boolean) {
  return [...metaAttributes(item), { type: 'LITERAL', value: item.raw, isLiteral8: useLiteral8 && item.raw.includes(0) }];
}

/**
 * Splits messages, in order, into the groups appendBatch() sends as one command each:
 * runs of messages small enough for non-synchronizing literals, and each bigger one alone.
 * Without MULTIAPPEND every message is a group of its own: a group must be all-or-nothing
 * on the server, or a refusal in its middle leaves stored messages nobody recorded (they
 * were sent again, and stored twice, on Courier).
 */
export function appendGroups<T extends AppendItem>(
  items: T[],
  multiAppend = true,
  /** Messages to send in a command of their own whatever their size (see appendMessages). */
  alone: (index: number) => boolean = () => false,
): T[][] {
  if (!multiAppend) return items.map((item) => [item]);
  const groups: T[][] = [];
  let run: T[] = [];
  for (const [i, item] of items.entries()) {
    if (item.raw.length <= NON_SYNC_LITERAL_MAX && !alone(i)) {
      run.push(item);
      continue;
    }
    if (run.length) groups.push(run);
    groups.push([item]);
    run = [];
  }
  if (run.length) groups.push(run);
  return groups;
}

const SP = Buffer.from(' ');
const CRLF = Buffer.from('\r\n');

/** The APPEND command after its tag, each message's bytes a frame of their own (never copied). */
function appendFrames(client: ImapFlow, mailbox: string, items: AppendItem[], useLiteral8: boolean): Buffer[] {
  const frames = [Buffer.from('APPEND '), compiler({ attributes: [{ type: 'ATOM', value: encodeMailbox(client, mailbox) }] })];
  for (const item of items) {
    const marker = `${useLiteral8 && item.raw.includes(0) ? '~' : ''}{${item.raw.length}+}\r\n`;
    frames.push(Buffer.concat([SP, compiler({ attributes: metaAttributes(item) }), SP, Buffer.from(marker)]), item.raw);
  }
  frames.push(CRLF);
  return frames;
}

function canFrame(client: ImapFlow, items: AppendItem[]): client is ImapClient {
  return client instanceof ImapClient && items.every((i) => i.raw.length <= NON_SYNC_LITERAL_MAX && client.nonSyncLiteralsUpTo(i.raw.length));
}

/**
 * APPENDs several messages in one command (MULTIAPPEND, RFC 3502) when the target
 * offers it: the server commits them in one transaction, which saves a round trip
 * and an fsync per message. imapflow has no MULTIAPPEND of its own: on an ImapClient
 * whose target takes non-synchronizing literals the command is framed here and written
 * without copying the messages; otherwise it is built from the attribute nodes imapflow's
 * append() uses and sent with exec().
 * Atomic on the server: either all items are stored or none.
 */
export async function appendBatch(client: ImapFlow, mailbox: string, items: AppendItem[]): Promise<AppendBatchResult> {
  if (items.length === 0) return { uidValidity: null, uids: [] };
  const caps = client.capabilities;
  const multi = caps.has('MULTIAPPEND');
  const literal8 = caps.has('BINARY');
  if (!multi && items.length > 1) {
    // Several APPENDs are not one transaction: the caller must send groups from appendGroups().
    throw new Error(`appendBatch: ${items.length} messages in one group, but the target has no MULTIAPPEND`);
  }
  let res: ExecResponse;
  try {
    if (canFrame(client, items)) {
      res = await client.execFramed('APPEND', appendFrames(client, mailbox, items, literal8));
    } else {
      const attributes: unknown[] = [{ type: 'ATOM', value: encodeMailbox(client, mailbox) }];
      for (const item of items) attributes.push(...appendAttributes(item, literal8));
      const exec = (client as unknown as { exec: Exec }).exec.bind(client);
      res = await exec('APPEND', attributes);
    }
  } catch (err) {
    // A refusal's response code (TOOBIG, OVERQUOTA, UNAVAILABLE...) as serverResponseCode, as
    // imapflow's own commands report it: exec() leaves it inside the response.
    throw err instanceof Error && 'response' in err ? await enhanceCommandError(err as Parameters<typeof enhanceCommandError>[0]) : err;
  }
  const section = res.response.attributes?.[0]?.section;
  res.next();
  let uidValidity: number | null = null;
  let uids: (number | null)[] = items.map(() => null);
  if (section && String(section[0]?.value ?? '').toUpperCase() === 'APPENDUID') {
    const v = Number(section[1]?.value);
    const set = parseUidSet(String(section[2]?.value ?? ''));
    if (Number.isSafeInteger(v)) uidValidity = v;
    if (set && set.length === items.length) uids = set;
  }
  return { uidValidity, uids };
}

/** The mailbox name as imapflow's own append() puts it on the wire (modified UTF-7 unless UTF8=ACCEPT). */
function encodeMailbox(client: ImapFlow, mailbox: string): string {
  return encodePath(client, normalizePath(client, mailbox));
}
