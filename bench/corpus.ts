/**
 * The benchmark corpus: a reproducible mailbox (seeded PRNG) that looks like an office
 * mailbox of a few years: 14 folders (nested, Chinese and accented names, one empty),
 * message sizes lognormal around 20 KB with about 2% of 1-5 MB attachments, flags and
 * keywords, internal dates spread over 3 years. The same seed gives the same bytes.
 *
 * Messages are generated folder by folder and in slices (`generateSlices`), so the bench
 * process never holds the whole 400 MB at once.
 */
import { createHash } from 'node:crypto';

export interface BenchMessage {
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

export interface FolderSpec {
  /** path with '/' as separator (the harness default) */
  path: string;
  /** share of the messages; 0 = the empty folder */
  weight: number;
}

/** 14 folders: 6 special-use ones, a 3-level tree, Chinese and accented names, one empty. */
export const BENCH_FOLDERS: readonly FolderSpec[] = [
  { path: 'INBOX', weight: 38 },
  { path: 'Sent', weight: 15 },
  { path: 'Drafts', weight: 1 },
  { path: 'Trash', weight: 5 },
  { path: 'Junk', weight: 3 },
  { path: 'Archive', weight: 10 },
  { path: 'Work', weight: 7 },
  { path: 'Work/Projects', weight: 5 },
  { path: 'Work/Projects/2023', weight: 4 },
  { path: '客户', weight: 4 },
  { path: '客户/北京分公司', weight: 3 },
  { path: 'Reçus', weight: 3 },
  { path: 'Reçus/Été 2024', weight: 2 },
  { path: 'Vide', weight: 0 },
];

/** Folders of each account in the batch scenario (smaller mailboxes, same size distribution). */
export const BATCH_FOLDERS: readonly FolderSpec[] = [
  { path: 'INBOX', weight: 60 },
  { path: 'Sent', weight: 25 },
  { path: '项目/2024', weight: 15 },
];

/** Where the +100 incremental messages land. */
export const INCREMENT_FOLDERS: readonly FolderSpec[] = [
  { path: 'INBOX', weight: 60 },
  { path: 'Sent', weight: 25 },
  { path: 'Work/Projects', weight: 15 },
];

export function prng(seed: number): () => number {
  // mulberry32: small, fast, reproducible
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed derived from a seed and a label (folder name, account), so folders are independent. */
export function subSeed(seed: number, label: string): number {
  return createHash('sha256').update(`${seed}:${label}`).digest().readUInt32LE(0);
}

export interface SizeModel {
  /** median of the lognormal body size, bytes */
  medianBytes: number;
  /** sigma of ln(size) */
  sigma: number;
  /** share of messages with a big attachment */
  bigShare: number;
  bigMinBytes: number;
  bigMaxBytes: number;
}

export const DEFAULT_SIZES: SizeModel = {
  medianBytes: 20 * 1024,
  sigma: 0.9,
  bigShare: 0.02,
  bigMinBytes: 1024 * 1024,
  bigMaxBytes: 5 * 1024 * 1024,
};

function gaussian(rnd: () => number): number {
  // Box-Muller
  const u = Math.max(rnd(), 1e-12);
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function sampleSize(rnd: () => number, m: SizeModel): number {
  // big attachments: log-uniform between min and max (small ones more common than big ones)
  if (rnd() < m.bigShare) return Math.round(m.bigMinBytes * Math.exp(rnd() * Math.log(m.bigMaxBytes / m.bigMinBytes)));
  const s = Math.round(m.medianBytes * Math.exp(m.sigma * gaussian(rnd)));
  return Math.min(Math.max(s, 700), 900 * 1024);
}

const CRLF = '\r\n';
const FLAG_SETS: ReadonlyArray<readonly string[]> = [
  [],
  ['\\Seen'],
  ['\\Seen'],
  ['\\Seen'],
  ['\\Seen', '\\Answered'],
  ['\\Seen', '\\Flagged'],
  ['\\Flagged'],
  ['\\Seen', '$Forwarded'],
  ['\\Seen', 'Work', '$Label1'],
  ['\\Seen', 'Project-X'],
  ['\\Seen', '\\Answered', '$MDNSent'],
];
const DRAFT_FLAGS: ReadonlyArray<readonly string[]> = [['\\Draft'], ['\\Draft', '\\Seen']];
const TRASH_FLAGS: ReadonlyArray<readonly string[]> = [['\\Seen'], ['\\Seen', '\\Deleted']];

const NAMES = [
  ['张三', 'zhangsan'],
  ['李四', 'lisi'],
  ['王五', 'wangwu'],
  ['François Dupré', 'f.dupre'],
  ['Jürgen Müller', 'j.mueller'],
  ['Ana Peña', 'ana.pena'],
  ['Sales Team', 'sales'],
  ['Support', 'support'],
] as const;
const SUBJECTS = ['季度报告', 'Réunion de projet', 'Invoice', '合同草案', 'Weekly status', 'Re: 报价单', 'Fwd: Übersicht', 'Meeting notes', '发票', 'Planning 2024'];
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua 项目 会议 报告 客户 合同 预算 一 通知 écrit déjà garçon'.split(' ');

/** RFC 2047 B-encoding for a header text with non-ASCII characters (as MUAs write it). */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function rfc5322Date(d: Date): string {
  // +0800, as a Chinese office's clients write it
  const local = new Date(d.getTime() + 8 * 3600_000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[local.getUTCDay()]}, ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:${p2(local.getUTCSeconds())} +0800`;
}

/**
 * A pool of base64 lines (76 chars + CRLF) from the PRNG, sliced for attachments. Sliced at
 * random line offsets, so attachments differ without generating 400 MB of random numbers.
 */
class Base64Pool {
  readonly text: Buffer;
  readonly lineLen = 78;
  constructor(seed: number, bytes: number) {
    const rnd = prng(seed);
    const raw = Buffer.alloc(Math.ceil((bytes * 3) / 4 / 4) * 4);
    for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
    const b64 = raw.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i + 76 <= b64.length; i += 76) lines.push(b64.slice(i, i + 76));
    this.text = Buffer.from(lines.join(CRLF) + CRLF, 'latin1');
  }
  /** About `bytes` bytes of whole lines starting at a random line. */
  slice(rnd: () => number, bytes: number): Buffer {
    const lines = Math.max(1, Math.ceil(bytes / this.lineLen));
    const total = Math.floor(this.text.length / this.lineLen);
    if (lines >= total) return this.text;
    const start = Math.floor(rnd() * (total - lines));
    return this.text.subarray(start * this.lineLen, (start + lines) * this.lineLen);
  }
}

let pool: Base64Pool | undefined;
function getPool(): Base64Pool {
  // 6 MB covers the largest attachment; same content for every seed (the headers make messages unique)
  pool ??= new Base64Pool(0x5eed, 6 * 1024 * 1024);
  return pool;
}

function textBody(rnd: () => number, bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  while (n < bytes) {
    const words: string[] = [];
    for (let w = 0; w < 10; w++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
    const line = words.join(' ');
    lines.push(line);
    n += Buffer.byteLength(line) + 2;
  }
  return lines.join(CRLF);
}

export interface MessageSpec {
  id: string;
  size: number;
  date: Date;
  flags: readonly string[];
}

/** Builds one message of about `spec.size` bytes: a text part, and an attachment when large. */
export function buildMessage(rnd: () => number, spec: MessageSpec, folder: string): Buffer {
  const from = NAMES[Math.floor(rnd() * NAMES.length)]!;
  const to = NAMES[Math.floor(rnd() * NAMES.length)]!;
  const subject = `${SUBJECTS[Math.floor(rnd() * SUBJECTS.length)]} #${spec.id.slice(-6)}`;
  const head = [
    `Return-Path: <${from[1]}@old.example.com>`,
    `From: ${encodeWord(from[0])} <${from[1]}@old.example.com>`,
    `To: ${encodeWord(to[0])} <${to[1]}@old.example.com>`,
    `Subject: ${encodeWord(subject)}`,
    `Date: ${rfc5322Date(spec.date)}`,
    `Message-ID: <${spec.id}@old.example.com>`,
    `X-Bench-Folder: ${encodeWord(folder)}`,
    'MIME-Version: 1.0',
  ];
  const textBytes = Math.min(spec.size, 2000 + Math.floor(rnd() * 6000));
  if (spec.size <= 8 * 1024) {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    return Buffer.from(head.join(CRLF) + CRLF + CRLF + textBody(rnd, Math.max(100, spec.size - 600)) + CRLF, 'utf8');
  }
  const boundary = `=_bench_${spec.id.replace(/[^A-Za-z0-9]/g, '')}`;
  head.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
  const pre = Buffer.from(
    head.join(CRLF) +
      CRLF +
      CRLF +
      `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}` +
      textBody(rnd, textBytes) +
      CRLF +
      `--${boundary}${CRLF}Content-Type: application/octet-stream; name="attachment-${spec.id.slice(-6)}.bin"${CRLF}` +
      `Content-Disposition: attachment; filename="attachment-${spec.id.slice(-6)}.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
    'utf8',
  );
  const post = Buffer.from(`--${boundary}--${CRLF}`, 'latin1');
  const attachment = getPool().slice(rnd, spec.size - pre.length - post.length);
  return Buffer.concat([pre, attachment, post]);
}

export interface CorpusPlan {
  folders: Array<{ path: string; count: number }>;
  total: number;
}

/** How many messages go to each folder (the remainder to INBOX, the weight-0 folder stays empty). */
export function planCounts(total: number, folders: readonly FolderSpec[]): CorpusPlan {
  const weights = folders.reduce((s, f) => s + f.weight, 0);
  const out = folders.map((f) => ({ path: f.path, count: Math.floor((total * f.weight) / weights) }));
  const rest = total - out.reduce((s, f) => s + f.count, 0);
  out[0]!.count += rest;
  return { folders: out, total };
}

export interface GenerateOptions {
  seed: number;
  /** label that makes ids unique per account / corpus */
  label: string;
  sizes?: SizeModel;
  /** internal dates between these instants (UTC) */
  from?: Date;
  to?: Date;
  /** messages per slice handed to the consumer */
  sliceSize?: number;
}

const DEFAULT_FROM = new Date('2022-01-01T00:00:00Z');
const DEFAULT_TO = new Date('2024-12-31T23:59:59Z');

/**
 * The messages of one folder, in slices, oldest first (UIDs grow with dates as in a real
 * mailbox). Deterministic: same seed, label, folder and count give the same bytes.
 */
export function* generateFolder(folder: string, count: number, opts: GenerateOptions): Generator<BenchMessage[]> {
  const rnd = prng(subSeed(opts.seed, `${opts.label}/${folder}`));
  const sizes = opts.sizes ?? DEFAULT_SIZES;
  const from = (opts.from ?? DEFAULT_FROM).getTime();
  const to = (opts.to ?? DEFAULT_TO).getTime();
  const dates: number[] = [];
  for (let i = 0; i < count; i++) dates.push(from + Math.floor((rnd() * (to - from)) / 1000) * 1000);
  dates.sort((a, b) => a - b);
  const flagSets = folder === 'Drafts' ? DRAFT_FLAGS : folder === 'Trash' ? TRASH_FLAGS : FLAG_SETS;
  const sliceSize = opts.sliceSize ?? 250;
  let slice: BenchMessage[] = [];
  let sliceBytes = 0;
  for (let i = 0; i < count; i++) {
    const spec: MessageSpec = {
      id: `${opts.label}-${subSeed(opts.seed, folder).toString(36)}-${i}`,
      size: sampleSize(rnd, sizes),
      date: new Date(dates[i]!),
      flags: flagSets[Math.floor(rnd() * flagSets.length)]!,
    };
    const raw = buildMessage(rnd, spec, folder);
    slice.push({ raw, flags: [...spec.flags], internalDate: spec.date });
    sliceBytes += raw.length;
    if (slice.length >= sliceSize || sliceBytes >= 64 * 1024 * 1024) {
      yield slice;
      slice = [];
      sliceBytes = 0;
    }
  }
  if (slice.length) yield slice;
}

/** One message of about `bytes` bytes (the memory scenario's 30 MB message). */
export function bigMessage(bytes: number, id: string): BenchMessage {
  const rnd = prng(subSeed(1, id));
  const date = new Date('2024-06-01T08:00:00Z');
  const head = Buffer.from(
    [
      'From: =?UTF-8?B?5byg5LiJ?= <zhangsan@old.example.com>',
      'To: lisi@old.example.com',
      `Subject: =?UTF-8?B?${Buffer.from('设计图纸 (大附件)').toString('base64')}?=`,
      `Date: ${rfc5322Date(date)}`,
      `Message-ID: <${id}@old.example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="big"',
      '',
      '--big',
      'Content-Type: text/plain; charset=utf-8',
      '',
      '见附件。',
      '--big',
      'Content-Type: application/octet-stream; name="drawings.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      '',
    ].join(CRLF),
    'utf8',
  );
  const tail = Buffer.from(`--big--${CRLF}`);
  // The pool is 6 MB: repeat random slices of it up to the size.
  const parts: Buffer[] = [head];
  let n = head.length + tail.length;
  while (n < bytes) {
    const s = getPool().slice(rnd, Math.min(4 * 1024 * 1024, bytes - n));
    parts.push(s);
    n += s.length;
  }
  parts.push(tail);
  return { raw: Buffer.concat(parts), flags: ['\\Seen', '$Label1'], internalDate: date };
}
