import type { HandedMessage } from '../engine/pop3/handed-messages';
import { MAX_HANDED_POP3_MESSAGES, MAX_HANDED_POP3_SKIPS, type Pop3Handover } from './protocol';

const TAG_BYTES = 8;

/**
 * A maildrop's rows packed for the queue: a maildrop can hold 50,000 messages and more, and
 * the rows travel twice per pass (in the result, then in the next job). Per message on the
 * target its tag and one varint, ordered by target UID so the varint is the (mostly 1) step
 * from the previous copy's UID, doubled, plus 1 for a message found present rather than
 * copied: about 9 bytes a message, 12 in base64. A copy whose target UID the server never
 * said counts from 0. Skips are few and keep their reasons, so they travel as a list.
 *
 * Undefined when the maildrop has more messages than a handover carries (MAX_HANDED_POP3_MESSAGES).
 */
export function encodeHandedMessages(settled: ReadonlyMap<string, HandedMessage>): Omit<Pop3Handover, 'keyId'> | undefined {
  const onTarget = [...settled].filter(([, h]) => h.outcome !== 'skipped');
  if (onTarget.length > MAX_HANDED_POP3_MESSAGES) return undefined;
  onTarget.sort(([ta, a], [tb, b]) => (a.targetUid ?? 0) - (b.targetUid ?? 0) || (ta < tb ? -1 : ta > tb ? 1 : 0));
  const out = Buffer.alloc(onTarget.length * (TAG_BYTES + 5));
  let at = 0;
  let previous = 0;
  for (const [tag, h] of onTarget) {
    at += out.write(tag, at, TAG_BYTES, 'hex');
    const uid = h.targetUid ?? 0;
    at = writeVarint(out, at, (uid - previous) * 2 + (h.outcome === 'present' ? 1 : 0));
    previous = uid;
  }
  const skips = [...settled]
    .filter(([, h]) => h.outcome === 'skipped')
    .slice(0, MAX_HANDED_POP3_SKIPS)
    .map(([tag, h]) => ({ tag, reason: (h.reason ?? '').slice(0, 1000) }));
  return { count: onTarget.length, messages: out.subarray(0, at).toString('base64'), skips };
}

/** The rows of a handover by tag; throws on a packing that does not hold `count` whole messages. */
export function decodeHandedMessages(handover: Pop3Handover): Map<string, HandedMessage> {
  const bytes = Buffer.from(handover.messages, 'base64');
  const out = new Map<string, HandedMessage>();
  let at = 0;
  let uid = 0;
  for (let i = 0; i < handover.count; i++) {
    if (at + TAG_BYTES > bytes.length) throw new Error('the handed POP3 rows end early');
    const tag = bytes.toString('hex', at, at + TAG_BYTES);
    at += TAG_BYTES;
    const [value, next] = readVarint(bytes, at);
    at = next;
    uid += Math.floor(value / 2);
    out.set(tag, { outcome: value % 2 === 1 ? 'present' : 'copied', targetUid: uid === 0 ? null : uid, reason: null });
  }
  if (at !== bytes.length) throw new Error('the handed POP3 rows hold more than they count');
  for (const s of handover.skips) out.set(s.tag, { outcome: 'skipped', targetUid: null, reason: s.reason });
  return out;
}

/** Unsigned LEB128, in arithmetic rather than 32-bit bitwise operations: a doubled UID can pass 2^32. */
function writeVarint(buf: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at >= buf.length) throw new Error('the handed POP3 rows end inside a number');
    const b = buf[at++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, at];
    scale *= 0x80;
  }
  throw new Error('the handed POP3 rows hold a number too long');
}
