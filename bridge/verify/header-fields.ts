import iconv from 'iconv-lite';

/**
 * The Message-ID and Subject of a header block as an admin reads them in a report:
 * unfolded, with RFC 2047 encoded words decoded (=?GBK?B?...?= is how most Chinese mail
 * carries its subject). Raw 8-bit bytes are read as UTF-8, which is what modern clients send.
 */
export function headerField(block: Buffer | undefined, name: string): string | null {
  if (!block || block.length === 0) return null;
  const text = block.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  const want = name.toLowerCase() + ':';
  for (const line of text.split(/\r?\n/)) {
    if (line.slice(0, want.length).toLowerCase() === want) return decodeWords(line.slice(want.length).trim());
  }
  return null;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words; whitespace between two adjacent encoded words is dropped (RFC 2047 6.2). */
export function decodeWords(value: string): string {
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (word, charset: string, enc: string, data: string) => {
    const cs = charset.split('*')[0]!.toLowerCase();
    if (!iconv.encodingExists(cs)) return word;
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return iconv.decode(bytes, cs);
  });
}
