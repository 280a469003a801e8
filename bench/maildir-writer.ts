/**
 * Writes messages straight into a Dovecot user's maildir (the harness's `maildir:~/Maildir`
 * with LAYOUT=fs), which is how the bench builds large sources in seconds instead of
 * APPENDing them: 100,000 messages over IMAP take minutes, as files a few seconds.
 *
 * Each message is one file in cur/ named `<time>.<unique>.<host>,S=<size>,W=<size>:2,<flags>`
 * (the body is written with CRLF line ends, so the RFC 822 size W equals the file size S);
 * its mtime is the INTERNALDATE. Dovecot assigns UIDs the first time the folder is opened.
 * Only system flags (maildir letters) are written; keywords would need dovecot-keywords.
 */
import { chownSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DovecotServer } from '../test/harness/dovecot';
import { prng, subSeed } from './corpus';

export interface SmallMessage {
  raw: Buffer;
  /** IMAP system flags: \Seen \Answered \Flagged \Draft \Deleted */
  flags: string[];
  internalDate: Date;
}

const FLAG_LETTERS: Record<string, string> = { '\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S', '\\Deleted': 'T' };

/** Maildir info letters of `flags`, in the ASCII order maildir requires. */
export function maildirFlags(flags: string[]): string {
  return flags
    .map((f) => {
      const l = FLAG_LETTERS[f];
      if (!l) throw new Error(`maildir writer: only system flags can be written, not ${f}`);
      return l;
    })
    .sort()
    .join('');
}

/**
 * Puts `messages` into `folder` of `user` (created when missing). `folder` uses '/' as the
 * separator and must be ASCII (Dovecot keeps other names in modified UTF-7 on disk).
 */
export function writeMaildirFolder(server: DovecotServer, user: string, folder: string, messages: Iterable<SmallMessage>): { messages: number; bytes: number } {
  if (!/^[\x20-\x7e]+$/.test(folder) || folder.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`maildir writer: folder name must be plain ASCII: ${JSON.stringify(folder)}`);
  }
  const home = server.userHome(user);
  const mailRoot = dirname(home);
  // Everything belongs to the mail uid Dovecot runs the user's processes as (the owner of the mail root).
  const { uid, gid } = statSync(mailRoot);
  const base = join(home, 'Maildir');
  const dir = folder === 'INBOX' ? base : join(base, ...folder.split('/'));
  const parts = folder === 'INBOX' ? [] : folder.split('/');
  const dirs = [home, base, ...parts.map((_, i) => join(base, ...parts.slice(0, i + 1))), join(dir, 'cur'), join(dir, 'new'), join(dir, 'tmp')];
  for (const d of dirs) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    chownSync(d, uid, gid);
  }
  const cur = join(dir, 'cur');
  const stamp = Math.floor(Date.now() / 1000);
  let n = 0;
  let bytes = 0;
  for (const m of messages) {
    const size = m.raw.length;
    const file = join(cur, `${stamp}.M${n}P${process.pid}.bench,S=${size},W=${size}:2,${maildirFlags(m.flags)}`);
    writeFileSync(file, m.raw, { mode: 0o600 });
    chownSync(file, uid, gid);
    const t = m.internalDate.getTime() / 1000;
    utimesSync(file, t, t);
    n++;
    bytes += size;
  }
  return { messages: n, bytes };
}

const FLAG_CHOICES: string[][] = [['\\Seen'], ['\\Seen'], ['\\Seen'], [], ['\\Seen', '\\Answered'], ['\\Seen', '\\Flagged'], ['\\Flagged']];
const WORDS = 'meeting report invoice schedule quarterly review update contract shipment budget agenda notes draft minutes reminder'.split(' ');

/**
 * `count` small plain-text messages (about 0.8-3 KB, CRLF), reproducible from `seed` and
 * `label`, internal dates spread over 2024, oldest first.
 */
export function* smallMessages(count: number, seed: number, label: string): Generator<SmallMessage> {
  const rnd = prng(subSeed(seed, `small/${label}`));
  const from = Date.UTC(2024, 0, 1);
  const span = 365 * 24 * 3600 * 1000;
  for (let i = 0; i < count; i++) {
    const date = new Date(from + Math.floor((span * i) / Math.max(1, count)) + Math.floor(rnd() * 1000) * 1000);
    const subject = `${WORDS[Math.floor(rnd() * WORDS.length)]} ${WORDS[Math.floor(rnd() * WORDS.length)]} #${i}`;
    const lines: string[] = [];
    const paragraphs = 2 + Math.floor(rnd() * 8);
    for (let p = 0; p < paragraphs; p++) {
      const words: string[] = [];
      for (let w = 0; w < 12 + Math.floor(rnd() * 14); w++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
      lines.push(words.join(' '), '');
    }
    const raw = Buffer.from(
      [
        `From: Sender ${i % 97} <sender${i % 97}@old.example.com>`,
        `To: ${label}@old.example.com`,
        `Subject: ${subject}`,
        `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
        `Message-ID: <${label}-${i}@bench.example.com>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        ...lines,
      ].join('\r\n'),
      'latin1',
    );
    yield { raw, flags: FLAG_CHOICES[Math.floor(rnd() * FLAG_CHOICES.length)]!, internalDate: date };
  }
}
