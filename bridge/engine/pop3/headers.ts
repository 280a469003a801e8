import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from '../fingerprint';

/**
 * What the POP3 path needs from a message's header without an IMAP server to ask:
 * the header block, the fields the engine's fingerprint is made of, and the date the
 * message arrived (POP3 has no INTERNALDATE).
 */

const LF = 0x0a;
const CR = 0x0d;

/**
 * The header of a raw message: the bytes up to and including the line break of its last
 * field, without the empty line that separates it from the body. The whole message when
 * it has no body separator.
 */
export function headerBlock(raw: Buffer): Buffer {
  if (raw.length === 0 || raw[0] === LF || (raw[0] === CR && raw[1] === LF)) return raw.subarray(0, 0);
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) {
    if (raw[i + 1] === LF) return raw.subarray(0, i + 1);
    if (raw[i + 1] === CR && raw[i + 2] === LF) return raw.subarray(0, i + 1);
  }
  return raw;
}

interface Field {
  name: string;
  /** The field's raw lines (continuations included), as they were. */
  raw: string;
  /** Unfolded value. */
  value: string;
}

/** Header fields in order. Latin-1 keeps every byte as one char: 8-bit headers survive unchanged. */
function fields(header: Buffer): Field[] {
  const text = header.toString('latin1');
  const lines = text.split(/(?<=\n)/);
  const out: Field[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length) {
      const last = out[out.length - 1]!;
      last.raw += line;
      last.value += ' ' + line.replace(/\r?\n$/, '').trim();
      continue;
    }
    const idx = line.indexOf(':');
    if (idx <= 0) {
      out.push({ name: '', raw: line, value: '' });
      continue;
    }
    out.push({ name: line.slice(0, idx).trim().toLowerCase(), raw: line, value: line.slice(idx + 1).replace(/\r?\n$/, '').trim() });
  }
  return out;
}

const FP_FIELDS = new Set<string>(FINGERPRINT_HEADERS);

/**
 * The message's fingerprint (bridge/engine/fingerprint.ts), computed from its own header
 * the way the IMAP path computes it from BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]:
 * only those fields, in their original order. `size` must be the size the target will
 * report (RFC822.SIZE), i.e. the length of the bytes appended.
 */
export function messageFingerprint(header: Buffer, size: number): string {
  return fingerprint(fingerprintFields(header), size);
}

/** The same fields' exact fingerprint (fingerprint.ts exactFingerprint), tried first when matching. */
export function messageExactFingerprint(header: Buffer, size: number): string {
  return exactFingerprint(fingerprintFields(header), size);
}

function fingerprintFields(header: Buffer): Buffer | undefined {
  const kept = fields(header)
    .filter((f) => FP_FIELDS.has(f.name))
    .map((f) => f.raw.replace(/\r?\n$/, ''));
  return kept.length ? Buffer.from(kept.join('\r\n') + '\r\n', 'latin1') : undefined;
}

export type InternalDateSource = 'received' | 'date' | 'now';

/**
 * The date to APPEND a POP3 message with. The topmost Received field is the last hop: the
 * time the mailbox's own server took the message, which is what IMAP servers keep as
 * INTERNALDATE; its date is after the last ';' (RFC 5321 4.4). Without a usable one, the
 * Date field (when the sender wrote it); without that, now. A date before 1970 or more than
 * a day in the future is not usable (clock or spam nonsense): the next candidate is tried.
 */
export function internalDateOf(header: Buffer, now: Date = new Date()): { date: Date; source: InternalDateSource } {
  const all = fields(header);
  const plausible = (d: Date | null): d is Date => d !== null && d.getTime() >= 0 && d.getTime() <= now.getTime() + 86_400_000;
  const received = all.find((f) => f.name === 'received');
  if (received) {
    const semi = received.value.lastIndexOf(';');
    const d = semi >= 0 ? parseMailDate(received.value.slice(semi + 1)) : null;
    if (plausible(d)) return { date: d, source: 'received' };
  }
  const dateField = all.find((f) => f.name === 'date');
  if (dateField) {
    const d = parseMailDate(dateField.value);
    if (plausible(d)) return { date: d, source: 'date' };
  }
  return { date: new Date(Math.floor(now.getTime() / 1000) * 1000), source: 'now' };
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
// RFC 5322 4.3 obsolete zones; military letters mean nothing reliable and count as -0000 (UTC).
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

/**
 * An RFC 5322 date-time, obsolete forms included: optional day name, two- or three-digit
 * years, optional seconds, named and military zones, comments "(CST)". Null when the text
 * is not a date. Other shapes (ISO 8601, "GMT+0800") go through Date.parse as a last try.
 */
export function parseMailDate(input: string): Date | null {
  // Comments (possibly nested), then whitespace normalised.
  let s = input;
  for (let i = 0; i < 5 && /\([^()]*\)/.test(s); i++) s = s.replace(/\([^()]*\)/g, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  const m = /^(?:[A-Za-z]{2,9},? ?)?(\d{1,2}) ?-?([A-Za-z]{3})[A-Za-z]*\.? ?-?(\d{2,4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)? ?([+-]\d{4}|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/.exec(s);
  if (m) {
    const day = Number(m[1]);
    const month = MONTHS[m[2]!.toLowerCase()];
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] === undefined ? 0 : Number(m[6]);
    const zone = zoneOffsetMinutes(m[7]);
    if (month === undefined || zone === null || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
    const t = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - zone * 60_000;
    const d = new Date(t);
    // Date.UTC rolls 31 Feb over into March: such a date is not a date.
    if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return null;
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (!/\d{4}/.test(s) || !/\d{1,2}:\d{2}/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  // RFC 5322: a date without a zone is malformed; read it as UTC rather than local time,
  // so that the result does not depend on the machine running the migration.
  if (zone === undefined) return 0;
  const num = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (num) {
    const mins = Number(num[2]) * 60 + Number(num[3]);
    if (Number(num[3]) > 59) return null;
    return num[1] === '-' ? -mins : mins;
  }
  const lower = zone.toLowerCase();
  if (lower in ZONES) return ZONES[lower]!;
  if (/^[a-ik-z]$/.test(lower)) return 0;
  return null;
}
