/**
 * The byte level of a POP3 multi-line response (RFC 1939 section 3): everything after
 * the "+OK" status line up to the line that holds a single ".", with the "byte-stuffing"
 * undone (a line that starts with "." had one more "." put in front of it by the server).
 *
 * Bytes stay bytes: nothing is decoded, so 8-bit bodies (GBK, raw UTF-8 headers, NUL)
 * arrive as the server sent them. The decoder takes the response in whatever pieces TCP
 * (or TLS) hands over; the terminator CRLF "." CRLF may be split anywhere across them,
 * and the CRLF in front of the "." belongs to the message: it ends its last line.
 *
 * Lines end with CRLF, as the RFC defines them; a bare LF inside a message is content,
 * not a line end (servers that store LF, like Dovecot, send CRLF on the wire anyway).
 */

const CR = 0x0d;
const LF = 0x0a;
const CRLF_DOT = Buffer.from('\r\n.', 'latin1');
const EMPTY = Buffer.alloc(0);

export class MultilineTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`multi-line response larger than ${limit} bytes`);
    this.name = 'MultilineTooLargeError';
  }
}

export class MultilineDecoder {
  /** Unprocessed tail of the previous piece that could start "\r\n." or "\r\n.\r\n". */
  private carry: Buffer;
  /** How many bytes at the start of `carry` are not content (already emitted, or the virtual CRLF). */
  private carrySkip: number;
  private readonly parts: Buffer[] = [];
  private size = 0;
  private finished = false;

  /** @param maxBytes the decoded response may not be larger than this (a runaway server must not exhaust memory). */
  constructor(private readonly maxBytes = Number.MAX_SAFE_INTEGER) {
    // The status line's CRLF comes right before the first line: a response that starts
    // with "." (an empty response, or a stuffed first line) needs it to be recognised.
    this.carry = Buffer.from('\r\n', 'latin1');
    this.carrySkip = 2;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Bytes decoded so far. */
  get length(): number {
    return this.size;
  }

  /**
   * Feeds the next piece of the response. Returns undefined while the terminator has not
   * been seen; once it has, the bytes of the piece that come after it (the start of the
   * next response, empty when nothing follows).
   */
  push(piece: Buffer): Buffer | undefined {
    if (this.finished) throw new Error('MultilineDecoder: response already complete');
    const data = this.carry.length ? Buffer.concat([this.carry, piece]) : piece;
    let pos = this.carry.length ? this.carrySkip : 0;
    let scan = 0;
    let keepFrom = -1;
    for (;;) {
      const i = data.indexOf(CRLF_DOT, scan);
      if (i < 0) break;
      // "\r\n." then either "\r\n" (the terminator) or anything else (a stuffed line).
      if (i + 3 >= data.length) {
        keepFrom = i;
        break;
      }
      if (data[i + 3] === CR) {
        if (i + 4 >= data.length) {
          keepFrom = i;
          break;
        }
        if (data[i + 4] === LF) {
          this.emit(data, pos, i + 2);
          this.finished = true;
          this.carry = EMPTY;
          return data.subarray(i + 5);
        }
      }
      // Stuffed: keep the line break, drop the one "." the server added.
      this.emit(data, pos, i + 2);
      pos = i + 3;
      scan = i + 3;
    }
    if (keepFrom < 0) {
      // Nothing undecided found by the search; the piece may still end in the middle of
      // a line break that a "." in the next piece turns into a terminator or a stuffed line.
      const n = data.length;
      if (n >= 2 && data[n - 2] === CR && data[n - 1] === LF) keepFrom = n - 2;
      else if (n >= 1 && data[n - 1] === CR) keepFrom = n - 1;
      else keepFrom = n;
    }
    this.emit(data, pos, keepFrom);
    this.carry = keepFrom < data.length ? Buffer.from(data.subarray(keepFrom)) : EMPTY;
    // The kept bytes before `pos` were emitted already (or are the virtual CRLF): they
    // stay only so that the next piece can complete a "\r\n." with them.
    this.carrySkip = Math.max(0, pos - keepFrom);
    return undefined;
  }

  /** The decoded response; only after the terminator was seen. */
  result(): Buffer {
    if (!this.finished) throw new Error('MultilineDecoder: response not complete');
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
  }

  private emit(data: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    if (this.size > this.maxBytes) throw new MultilineTooLargeError(this.maxBytes);
    this.parts.push(data.subarray(from, to));
  }
}

/**
 * What a server puts on the wire for `content` (for tests and fakes): every line that
 * starts with "." gets another one, then "." CRLF. `content` must end with CRLF (or be
 * empty), as a multi-line response can only carry whole lines.
 */
export function encodeMultiline(content: Buffer): Buffer {
  if (content.length && !(content[content.length - 2] === CR && content[content.length - 1] === LF)) {
    throw new Error('encodeMultiline: content must end with CRLF');
  }
  const out: Buffer[] = [];
  let lineStart = 0;
  for (let i = 0; i <= content.length; i++) {
    const atLineStart = i === 0 || (content[i - 2] === CR && content[i - 1] === LF);
    if (i < content.length && atLineStart && content[i] === 0x2e) {
      out.push(content.subarray(lineStart, i), Buffer.from('.'));
      lineStart = i;
    }
  }
  out.push(content.subarray(lineStart), Buffer.from('.\r\n'));
  return Buffer.concat(out);
}
