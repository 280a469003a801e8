import type { ImapFlow } from 'imapflow';
import { encodePath, normalizePath } from 'imapflow/lib/tools.js';

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

interface ExecResponse {
  response: { attributes?: Array<{ section?: Array<{ value?: unknown }> }> };
  next: () => void;
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

function appendAttributes(item: AppendItem, useLiteral8: boolean) {
  return [
    item.flags.map((f) => ({ type: 'ATOM', value: f })),
    { type: 'STRING', value: formatImapDate(item.internalDate) },
    { type: 'LITERAL', value: item.raw, isLiteral8: useLiteral8 && item.raw.includes(0) },
  ];
}

/**
 * APPENDs several messages in one command (MULTIAPPEND, RFC 3502) when the target
 * offers it: the server commits them in one transaction, which saves a round trip
 * and an fsync per message. imapflow has no MULTIAPPEND of its own, so the command
 * is built from the same attribute nodes its append() uses and sent with exec().
 * Atomic on the server: either all items are stored or none.
 */
export async function appendBatch(client: ImapFlow, mailbox: string, items: AppendItem[]): Promise<AppendBatchResult> {
  if (items.length === 0) return { uidValidity: null, uids: [] };
  const caps = client.capabilities;
  const multi = caps.has('MULTIAPPEND');
  const literal8 = caps.has('BINARY');
  if (!multi && items.length > 1) {
    const uids: (number | null)[] = [];
    let uidValidity: number | null = null;
    for (const item of items) {
      const r = await appendBatch(client, mailbox, [item]);
      uids.push(r.uids[0] ?? null);
      uidValidity = r.uidValidity ?? uidValidity;
    }
    return { uidValidity, uids };
  }
  const attributes: unknown[] = [{ type: 'ATOM', value: encodeMailbox(client, mailbox) }];
  for (const item of items) attributes.push(...appendAttributes(item, literal8));
  const exec = (client as unknown as { exec: Exec }).exec.bind(client);
  const res = await exec('APPEND', attributes);
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
