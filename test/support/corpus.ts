/**
 * Test corpora: messages that real mailboxes contain and that break naive copiers.
 * Deterministic (seeded PRNG) so that a failing assertion can be reproduced.
 */
export interface CorpusMessage {
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

export function prng(seed: number): () => number {
  // mulberry32: tiny, fast, good enough for test data
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CRLF = '\r\n';

export function textMessage(opts: {
  id?: string | null;
  from?: string;
  to?: string;
  subject?: string;
  date?: Date;
  body?: string;
  extraHeaders?: string[];
}): Buffer {
  const headers = [
    `From: ${opts.from ?? 'Zhang San <zhangsan@old.example.com>'}`,
    `To: ${opts.to ?? 'Li Si <lisi@old.example.com>'}`,
    `Subject: ${opts.subject ?? 'Hello'}`,
    `Date: ${(opts.date ?? new Date('2020-01-02T03:04:05Z')).toUTCString().replace('GMT', '+0000')}`,
  ];
  if (opts.id !== null) headers.push(`Message-ID: <${opts.id ?? Math.random().toString(36).slice(2)}@old.example.com>`);
  headers.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', ...(opts.extraHeaders ?? []));
  return Buffer.from(headers.join(CRLF) + CRLF + CRLF + (opts.body ?? 'Body text.') + CRLF, 'utf8');
}

/** Hand-made messages that a careless copier corrupts, each with a label for failure messages. */
export function trickyMessages(): Array<CorpusMessage & { label: string }> {
  const d = (iso: string) => new Date(iso);
  // "你好" in GBK, written without any charset declaration, as old Chinese clients did.
  const gbkBody = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]);
  const gbk = Buffer.concat([
    Buffer.from(`From: old@old.example.com${CRLF}To: x@old.example.com${CRLF}Subject: gbk body${CRLF}Date: Mon, 1 Feb 2016 10:00:00 +0800${CRLF}Message-ID: <gbk@old.example.com>${CRLF}Content-Type: text/plain${CRLF}${CRLF}`),
    gbkBody,
  ]);
  const raw8bitHeader = Buffer.from(`From: 王五 <wangwu@old.example.com>${CRLF}To: x@old.example.com${CRLF}Subject: 季度报告 raw 8-bit header${CRLF}Date: Tue, 2 Feb 2016 10:00:00 +0800${CRLF}Message-ID: <8bit@old.example.com>${CRLF}${CRLF}正文${CRLF}`, 'utf8');
  const bareLf = Buffer.from(`From: lf@old.example.com\nTo: x@old.example.com\nSubject: bare LF\nDate: Wed, 3 Feb 2016 10:00:00 +0000\nMessage-ID: <lf@old.example.com>\n\nline one\nline two\n`, 'latin1');
  const nul = Buffer.concat([
    Buffer.from(`From: nul@old.example.com${CRLF}To: x@old.example.com${CRLF}Subject: NUL byte${CRLF}Date: Thu, 4 Feb 2016 10:00:00 +0000${CRLF}Message-ID: <nul@old.example.com>${CRLF}${CRLF}before`),
    // "一" is E4 B8 80: a 0x80 byte inside a character, right before the NUL that BODY[]
    // may show as 0x80 too; only the second one may be taken for a NUL.
    Buffer.from('一', 'utf8'),
    Buffer.from([0x00]),
    Buffer.from(`after${CRLF}`),
  ]);
  const longLine = textMessage({ id: 'long-line', subject: 'long line', body: 'x'.repeat(5000), date: d('2017-03-04T05:06:07Z') });
  const noHeaders = Buffer.from(`just some text without any header${CRLF}`, 'latin1');
  const draft = textMessage({ id: null, subject: 'draft saved twice', date: d('2018-01-01T00:00:00Z'), body: 'same draft' });
  return [
    { label: 'gbk body', raw: gbk, flags: ['\\Seen'], internalDate: d('2016-02-01T02:00:00Z') },
    { label: 'raw 8-bit header', raw: raw8bitHeader, flags: ['\\Answered', '\\Seen'], internalDate: d('2016-02-02T02:00:00Z') },
    { label: 'bare LF', raw: bareLf, flags: [], internalDate: d('2016-02-03T10:00:00Z') },
    { label: 'NUL byte', raw: nul, flags: ['\\Flagged'], internalDate: d('2016-02-04T10:00:00Z') },
    { label: 'line over 998', raw: longLine, flags: ['$Forwarded'], internalDate: d('2017-03-04T05:06:07Z') },
    { label: 'no headers', raw: noHeaders, flags: [], internalDate: d('2014-05-06T07:08:09Z') },
    { label: 'identical draft 1', raw: draft, flags: ['\\Draft'], internalDate: d('2018-01-01T00:00:00Z') },
    { label: 'identical draft 2', raw: draft, flags: ['\\Draft'], internalDate: d('2018-01-01T00:00:00Z') },
  ];
}

/** `count` ordinary messages with varied flags, keywords and dates over several years. */
export function bulkMessages(count: number, seed: number, opts: { prefix?: string; minBody?: number; maxBody?: number } = {}): CorpusMessage[] {
  const rnd = prng(seed);
  const out: CorpusMessage[] = [];
  const start = Date.UTC(2019, 0, 1);
  const span = Date.UTC(2025, 11, 31) - start;
  const flagSets = [[], ['\\Seen'], ['\\Seen', '\\Answered'], ['\\Flagged'], ['\\Seen', 'Work'], ['\\Seen', '$Label1', 'Project-X']];
  for (let i = 0; i < count; i++) {
    const date = new Date(start + Math.floor(rnd() * span / 1000) * 1000);
    const min = opts.minBody ?? 200;
    const max = opts.maxBody ?? 3000;
    const len = min + Math.floor(rnd() * (max - min));
    const body = Array.from({ length: Math.ceil(len / 60) }, (_, k) => `${opts.prefix ?? 'm'}${i}-${k} ${'lorem ipsum dolor sit amet '.repeat(2)}`.slice(0, 60)).join(CRLF);
    out.push({
      raw: textMessage({ id: `${opts.prefix ?? 'm'}-${seed}-${i}`, subject: `Message ${i} 消息`, date, body }),
      flags: flagSets[Math.floor(rnd() * flagSets.length)]!,
      internalDate: date,
    });
  }
  return out;
}

/** A message of about `bytes` bytes: a base64 attachment, 76-char lines as MUAs write them. */
export function bigMessage(bytes: number, id: string): Buffer {
  const head = [
    'From: big@old.example.com',
    'To: x@old.example.com',
    `Subject: big ${bytes}`,
    'Date: Fri, 5 Feb 2021 10:00:00 +0000',
    `Message-ID: <${id}@old.example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'see attachment',
    '--b1',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join(CRLF);
  const rnd = prng(bytes);
  const rawLen = Math.floor((bytes * 3) / 4 * (76 / 78));
  const data = Buffer.alloc(rawLen);
  for (let i = 0; i < rawLen; i += 4) data.writeUInt32LE(Math.floor(rnd() * 4294967296), Math.min(i, rawLen - 4));
  const b64 = data.toString('base64').replace(/.{76}/g, (l) => l + CRLF);
  return Buffer.concat([Buffer.from(head), Buffer.from(b64), Buffer.from(`${CRLF}--b1--${CRLF}`)]);
}
