import { describe, expect, it, vi } from 'vitest';
import { MultilineDecoder, MultilineTooLargeError, encodeMultiline } from '../../bridge/engine/pop3/multiline';
import { prng } from '../support/corpus';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `pieces` in order; returns the decoded bytes and what followed the terminator. */
function decode(pieces: Buffer[]): { body: Buffer; rest: Buffer } {
  const d = new MultilineDecoder();
  for (let i = 0; i < pieces.length; i++) {
    const rest = d.push(pieces[i]!);
    if (rest !== undefined) return { body: d.result(), rest: Buffer.concat([rest, ...pieces.slice(i + 1)]) };
  }
  throw new Error(`no terminator in ${JSON.stringify(Buffer.concat(pieces).toString('latin1'))}`);
}

/** Every way to cut `wire` into two pieces, and into three for short inputs, and byte by byte. */
function* splits(wire: Buffer): Generator<Buffer[]> {
  yield [wire];
  for (let i = 0; i <= wire.length; i++) yield [wire.subarray(0, i), wire.subarray(i)];
  if (wire.length <= 40) {
    for (let i = 0; i <= wire.length; i++) for (let j = i; j <= wire.length; j++) yield [wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)];
  }
  yield [...wire].map((x) => Buffer.from([x]));
}

// wire (what follows the +OK line) -> decoded body
const CASES: Array<[string, string, string]> = [
  ['empty response', '.\r\n', ''],
  ['one empty line', '\r\n.\r\n', '\r\n'],
  ['keeps the final CRLF of the message', 'a\r\nb\r\n.\r\n', 'a\r\nb\r\n'],
  ['stuffed first line', '..hidden\r\n.\r\n', '.hidden\r\n'],
  ['a line that is a single dot', 'x\r\n..\r\ny\r\n.\r\n', 'x\r\n.\r\ny\r\n'],
  ['a line of two dots', '...\r\n.\r\n', '..\r\n'],
  ['CRLF.CRLF inside the message', 'a\r\n..\r\n\r\nb\r\n.\r\n', 'a\r\n.\r\n\r\nb\r\n'],
  ['dot not at a line start stays', 'a.b\r\n x.\r\n.\r\n', 'a.b\r\n x.\r\n'],
  ['bare LF then dot is content (not a line start)', 'a\n.b\r\n.\r\n', 'a\n.b\r\n'],
  ['bare CR before the dot line', 'a\r\r\n..\r\n.\r\n', 'a\r\r\n.\r\n'],
  ['stuffed dot followed by CR and not LF', 'a\r\n.\r\rx\r\n.\r\n', 'a\r\n\r\rx\r\n'],
  ['8-bit and NUL bytes', 'gbk \xc4\xe3\xba\xc3\x00\xff\x80\r\n.\r\n', 'gbk \xc4\xe3\xba\xc3\x00\xff\x80\r\n'],
];

describe('MultilineDecoder', () => {
  it.each(CASES)('%s, however the bytes are split', (_label, wire, body) => {
    const w = b(wire + '+OK next\r\n');
    for (const pieces of splits(w)) {
      const got = decode(pieces);
      expect(got.body.toString('latin1'), JSON.stringify(pieces.map((p) => p.toString('latin1')))).toBe(body);
      expect(got.rest.toString('latin1')).toBe('+OK next\r\n');
    }
  });

  it('hands back an empty rest when nothing follows the terminator', () => {
    const d = new MultilineDecoder();
    expect(d.push(b('x\r\n.\r\n'))).toEqual(Buffer.alloc(0));
    expect(d.done).toBe(true);
  });

  it('waits while the terminator is incomplete (the hang of node-pop3 issue #36 is a split here)', () => {
    const d = new MultilineDecoder();
    expect(d.push(b('body\r\n.'))).toBeUndefined();
    expect(d.done).toBe(false);
    expect(d.push(b('\r'))).toBeUndefined();
    expect(d.push(b('\n'))).toEqual(Buffer.alloc(0));
    expect(d.result().toString('latin1')).toBe('body\r\n');
  });

  it('refuses a response larger than its limit', () => {
    const d = new MultilineDecoder(10);
    expect(() => d.push(b('0123456789abcdef\r\n'))).toThrow(MultilineTooLargeError);
  });

  it('round-trips random byte soup through stuffing and random chunking (seeded)', () => {
    const rnd = prng(20240611);
    const alphabet = [0x2e, 0x2e, 0x2e, 0x0d, 0x0a, 0x61, 0x80, 0x00, 0xc4];
    for (let n = 0; n < 400; n++) {
      const len = Math.floor(rnd() * 60);
      const parts: number[] = [];
      for (let i = 0; i < len; i++) {
        if (rnd() < 0.25) parts.push(0x0d, 0x0a);
        else parts.push(alphabet[Math.floor(rnd() * alphabet.length)]!);
      }
      parts.push(0x0d, 0x0a);
      const content = Buffer.from(parts);
      const wire = encodeMultiline(content);
      const pieces: Buffer[] = [];
      for (let at = 0; at < wire.length; ) {
        const step = 1 + Math.floor(rnd() * 6);
        pieces.push(wire.subarray(at, at + step));
        at += step;
      }
      const got = decode(pieces);
      expect(got.body.equals(content), JSON.stringify(content.toString('latin1'))).toBe(true);
      expect(got.rest.length).toBe(0);
    }
  });

  // How fast is the bench's business (bench/). What made this slow would be copying: the
  // pieces are scanned where they are, only the few bytes of a "\r\n." split between two
  // pieces are carried over, so what Buffer.concat copies while pushing stays far below the
  // response itself (copying the data seen so far on every piece would be ~3 GB here).
  it('decodes a 20 MB response in 64 KB pieces exactly, without copying it while pushing', () => {
    // Every line starts with a dot, so on the wire each gets a second one (as encodeMultiline
    // does); written out directly, because building 20 MB line by line takes longer than decoding it.
    const line = Buffer.from('.' + 'x'.repeat(75) + '\r\n');
    const lines = Math.ceil((20 * 1024 * 1024) / line.length);
    const content = Buffer.alloc(lines * line.length, line);
    const wire = Buffer.concat([Buffer.alloc(lines * (line.length + 1), Buffer.concat([Buffer.from('.'), line])), Buffer.from('.\r\n')]);
    const d = new MultilineDecoder();
    let rest: Buffer | undefined;
    let at = 0;
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      for (; at < wire.length && rest === undefined; at += 65536) rest = d.push(wire.subarray(at, at + 65536));
      const copied = concat.mock.calls.reduce((sum, [list]) => sum + list.reduce((n, piece) => n + piece.length, 0), 0);
      expect(copied).toBeLessThan(wire.length / 4);
    } finally {
      concat.mockRestore();
    }
    expect(rest).toBeDefined();
    expect(rest!.length).toBe(0);
    expect(at).toBeGreaterThanOrEqual(wire.length);
    expect(d.result().equals(content)).toBe(true);
  }, 60_000);
});

describe('encodeMultiline (the server side, for fakes)', () => {
  it('stuffs every line that starts with a dot and appends the terminator', () => {
    expect(encodeMultiline(b('.a\r\nb\r\n.\r\n')).toString('latin1')).toBe('..a\r\nb\r\n..\r\n.\r\n');
    expect(encodeMultiline(b('')).toString('latin1')).toBe('.\r\n');
  });
});
