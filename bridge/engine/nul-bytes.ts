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

/**
 * Replaces, in place, the bodies that lost NUL bytes to BODY[]'s 0x80 substitution
 * by their BINARY[] form. Only messages holding a 0x80 byte are fetched again.
 */
export async function recoverNulBytes(source: ImapFlow, bodies: Map<number, Buffer>): Promise<void> {
  if (!source.capabilities.has('BINARY')) return;
  const suspects = [...bodies].filter(([, raw]) => raw.includes(0x80)).map(([uid]) => uid);
  if (suspects.length === 0) return;
  for (const msg of await source.fetchAll(suspects.join(','), { uid: true, source: true }, { uid: true, binary: true })) {
    const body = bodies.get(msg.uid);
    if (body && msg.source && restoresNuls(body, msg.source)) bodies.set(msg.uid, msg.source);
  }
}
