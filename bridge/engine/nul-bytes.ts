import type { ImapFlow } from 'imapflow';

/**
 * Dovecot (and other servers) return a NUL byte as 0x80 in BODY[], since a plain
 * IMAP literal may not hold NULs; BINARY[] (RFC 3516) returns it as it is stored.
 * True when `binary` is `body` with some of its 0x80 bytes back to NUL, and nothing
 * else changed: then it is the stored message and safe to copy instead.
 */
export function restoresNuls(body: Buffer, binary: Buffer): boolean {
  if (body.length !== binary.length) return false;
  let restored = false;
  for (let i = 0; i < body.length; i++) {
    const a = body[i]!;
    const b = binary[i]!;
    if (a === b) continue;
    if (a === 0x80 && b === 0) restored = true;
    else return false;
  }
  return restored;
}

/** Bytes a UTF-8 sequence led by `lead` has in all (RFC 3629), 0 when `lead` cannot lead one. */
function utf8Length(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether byte `b` may follow `lead` as its first continuation byte (RFC 3629's table: no overlong forms, no surrogates). */
function validSecond(lead: number, b: number): boolean {
  if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
  if (lead === 0xed) return b >= 0x80 && b <= 0x9f;
  if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
  if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  return b >= 0x80 && b <= 0xbf;
}

/** Whether the 0x80 at `at` is a continuation byte of a well-formed UTF-8 character. */
function inUtf8Character(raw: Buffer, at: number): boolean {
  let lead = at - 1;
  while (lead >= 0 && at - lead < 4 && raw[lead]! >= 0x80 && raw[lead]! <= 0xbf) lead--;
  if (lead < 0) return false;
  const len = utf8Length(raw[lead]!);
  if (len === 0 || at - lead >= len || lead + len > raw.length) return false;
  if (!validSecond(raw[lead]!, raw[lead + 1]!)) return false;
  for (let i = lead + 2; i < lead + len; i++) if (raw[i]! < 0x80 || raw[i]! > 0xbf) return false;
  return true;
}

/**
 * Whether BODY[] may have turned NUL bytes of this message into 0x80: it holds a 0x80
 * byte that is not part of a UTF-8 character. Most mail written in Chinese (and many other
 * languages) as 8-bit UTF-8 holds 0x80 bytes inside characters (U+4E00 "一" is E4 B8 80);
 * fetching all of it again as BINARY[] doubled the source's reads and made the server
 * decode every attachment of those messages. A NUL in mail follows an ASCII byte, another
 * NUL or a whole character in practice (broken text, a binary part), and then counts; one
 * right after the lead bytes of a cut-off character would read as that character and is
 * the one case this lets through.
 */
export function mayHideNuls(raw: Buffer): boolean {
  for (let at = raw.indexOf(0x80); at !== -1; at = raw.indexOf(0x80, at + 1)) {
    if (!inUtf8Character(raw, at)) return true;
  }
  return false;
}

/**
 * Replaces, in place, the bodies that lost NUL bytes to BODY[]'s 0x80 substitution
 * by their BINARY[] form. Only messages that may hide one (mayHideNuls) are fetched again.
 */
export async function recoverNulBytes(source: ImapFlow, bodies: Map<number, Buffer>): Promise<void> {
  if (!source.capabilities.has('BINARY')) return;
  const suspects = [...bodies].filter(([, raw]) => mayHideNuls(raw)).map(([uid]) => uid);
  if (suspects.length === 0) return;
  for (const msg of await source.fetchAll(suspects.join(','), { uid: true, source: true }, { uid: true, binary: true })) {
    const body = bodies.get(msg.uid);
    if (body && msg.source && restoresNuls(body, msg.source)) bodies.set(msg.uid, msg.source);
  }
}
