/**
 * Seed and read back mailboxes of a harness server (Dovecot, Cyrus or Courier: anything with the
 * MailServer address/namespace fields) over plain IMAP on loopback (imapflow, no STARTTLS, logging
 * off). Folder arguments are full server paths in the server's own delimiter and prefix, e.g.
 * 'Work/2024' on the default Dovecot, 'INBOX.Work.2024' on Courier or Debian-configured Cyrus.
 *
 * Server differences the helpers handle or pass on:
 * - seedFolder uses MULTIAPPEND + LITERAL+ when the server advertises both (Dovecot, Cyrus) and one
 *   APPEND per message otherwise (Courier has neither).
 * - Cyrus refuses messages with bare LFs (NO Message contains bare newlines) and stores 8-bit header
 *   bytes as 'X': seed CRLF messages there and expect readFolder to return the 'X'es. The helpers do
 *   not rewrite messages, so what a test reads back is what the server really stores.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { DovecotServer, DovecotUser } from './dovecot.js';
import type { MailServer } from './server-common.js';

/** What the helpers need of a server: its plain IMAP address and personal namespace. */
export type MailboxServer = Pick<MailServer, 'host' | 'imapPort' | 'separator' | 'prefix'>;

export interface SeedMessage {
  raw: Buffer | string;
  flags?: string[];
  internalDate?: Date;
}

export interface MailboxMessage {
  uid: number;
  /** sha256 (hex) of the exact BODY[] bytes the server returned */
  sha256: string;
  /** byte length of the BODY[] the server returned */
  size: number;
  /** sorted, e.g. ['$Important', '\\Seen']; the session flag \Recent is left out */
  flags: string[];
  internalDate: Date;
  /** the BODY[] bytes, only with { withRaw: true } */
  raw?: Buffer;
  /** addition: RFC822.SIZE as reported by the server */
  rfc822Size: number;
  /** addition: the message's MODSEQ (CONDSTORE) */
  modseq?: bigint;
}

export interface FolderInfo {
  path: string;
  delimiter: string;
  /** only as reported by the server (SPECIAL-USE), never guessed from the name */
  specialUse?: string;
  /** LIST attributes as the server sent them, sorted (imapflow adds \Noselect next to \NonExistent) */
  flags: string[];
  /** addition: subscribed (from LSUB / LIST RETURN (SUBSCRIBED)) */
  subscribed: boolean;
}

export interface FolderState {
  uidValidity: bigint | number;
  uidNext: number;
  highestModseq: bigint | number | undefined;
  messages: number;
}

export interface MailboxSnapshot {
  folders: Record<string, { state: FolderState; messages: MailboxMessage[] }>;
}

// ---------------------------------------------------------------------------------------------
// connections

/**
 * Addition: an authenticated imapflow client on the server's plain IMAP port (no STARTTLS, no
 * logging, no auto-IDLE). `extra` overrides any option. The caller must `logout()`.
 * For a master-user login pass `{ user: 'alice*admin', password: <admin password> }`.
 */
export async function connectImap(server: MailboxServer, user: DovecotUser, extra: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.imapPort,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    disableAutoIdle: true,
    auth: { user: user.user, pass: user.password },
    ...extra,
  });
  // an 'error' event without a listener would crash the test process
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Addition: runs `fn` with a connected client and always logs out. */
export async function withImap<T>(server: MailboxServer, user: DovecotUser, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = await connectImap(server, user);
  try {
    return await fn(client);
  } finally {
    try {
      await client.logout();
    } catch {
      client.close();
    }
  }
}

function isInbox(path: string): boolean {
  return path.toUpperCase() === 'INBOX';
}

/** Creates `folder` and any missing ancestors (each subscribed when created). */
async function ensureFolder(client: ImapFlow, server: MailboxServer, folder: string): Promise<void> {
  if (!folder) throw new Error('folder must not be empty');
  if (isInbox(folder)) return;
  if (server.prefix && !folder.startsWith(server.prefix)) {
    throw new Error(`folder ${JSON.stringify(folder)} must be the full server path, starting with the namespace prefix ${JSON.stringify(server.prefix)}`);
  }
  const parts = folder.split(server.separator);
  if (parts.some((p) => p === '')) {
    throw new Error(`folder ${JSON.stringify(folder)} has an empty hierarchy level (separator ${JSON.stringify(server.separator)})`);
  }
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join(server.separator);
    if (isInbox(path)) continue; // INBOX always exists (and is the Courier-style prefix)
    if (server.prefix && i === 1 && path + server.separator === server.prefix) continue;
    // imapflow: CREATE + SUBSCRIBE; ALREADYEXISTS resolves with created: false
    await client.mailboxCreate(path);
  }
}

// ---------------------------------------------------------------------------------------------
// seeding

export interface SeedOptions {
  /**
   * 'multiappend' (default): MULTIAPPEND (RFC 3502) with LITERAL+ over one raw connection, in batches;
   * about 4x faster than one APPEND per message on maildir (a batch is one transaction, so one
   * refused message fails its whole batch). On a server without MULTIAPPEND or LITERAL+ (Courier)
   * this falls back to 'append'.
   * 'append': imapflow `append()`, one APPEND round trip per message.
   */
  method?: 'multiappend' | 'append';
  /** multiappend: max messages per APPEND command (default 500) */
  batchSize?: number;
}

/** IMAP modified UTF-7 (RFC 3501 5.1.3) for mailbox names; Dovecot 2.3 has no UTF8=ACCEPT. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      out += code === 0x26 ? '&-' : name[i];
      i++;
      continue;
    }
    let j = i;
    while (j < name.length && (name.charCodeAt(j) < 0x20 || name.charCodeAt(j) > 0x7e)) j++;
    const units = Buffer.alloc((j - i) * 2);
    for (let k = i; k < j; k++) units.writeUInt16BE(name.charCodeAt(k), (k - i) * 2);
    out += '&' + units.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    i = j;
  }
  return out;
}

function imapQuoted(s: string): string {
  if (/[\r\n\0]/.test(s)) throw new Error(`cannot send ${JSON.stringify(s)} as an IMAP quoted string`);
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function imapDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('invalid internalDate');
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `"${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000"`;
}

function imapFlag(flag: string): string {
  if (!/^\\?[^\x00-\x20()"{%*\]\\\x7f]+$/.test(flag)) throw new Error(`invalid IMAP flag ${JSON.stringify(flag)}`);
  return flag;
}

/** Expands an RFC 4315 uid-set ("1:3,7") in the order given. */
function expandUidSet(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number);
    if (b === undefined) out.push(a!);
    else for (let u = Math.min(a!, b), hi = Math.max(a!, b); u <= hi; u++) out.push(u);
  }
  return out;
}

/** A minimal IMAP connection that only needs tagged completions (no literals in what it reads). */
class RawImap {
  private buf = '';
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private tagNo = 0;

  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.waiter?.();
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      this.waiter?.();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('IMAP connection closed')));
    sock.setTimeout(120_000, () => sock.destroy(new Error('IMAP connection timed out')));
  }

  static async open(server: MailboxServer): Promise<RawImap> {
    const sock = netConnect({ host: server.host, port: server.imapPort });
    sock.setNoDelay(true);
    const raw = new RawImap(sock);
    await raw.readLine((l) => l.startsWith('* '));
    return raw;
  }

  private readLine(match: (line: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (;;) {
          const nl = this.buf.indexOf('\r\n');
          if (nl < 0) break;
          const line = this.buf.slice(0, nl);
          this.buf = this.buf.slice(nl + 2);
          if (match(line)) {
            this.waiter = undefined;
            resolve(line);
            return;
          }
        }
        if (this.failure) {
          this.waiter = undefined;
          reject(this.failure);
        }
      };
      this.waiter = check;
      check();
    });
  }

  /** Sends one command (parts already contain LITERAL+ literals) and resolves with the tagged OK line. */
  async command(parts: Array<string | Buffer>, what: string): Promise<string> {
    const tag = `S${++this.tagNo}`;
    const chunks = [Buffer.from(`${tag} `), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)), Buffer.from('\r\n')];
    this.sock.write(Buffer.concat(chunks));
    const line = await this.readLine((l) => l.startsWith(`${tag} `));
    const status = line.slice(tag.length + 1);
    if (!/^OK\b/i.test(status)) throw new Error(`${what} failed: ${status}`);
    return status;
  }

  async close(): Promise<void> {
    try {
      await this.command(['LOGOUT'], 'LOGOUT');
    } catch {
      /* closing anyway */
    }
    this.sock.destroy();
  }
}

async function multiAppend(server: MailboxServer, user: DovecotUser, folder: string, messages: SeedMessage[], batchSize: number): Promise<number[]> {
  const raw = await RawImap.open(server);
  try {
    const sasl = Buffer.from(`\0${user.user}\0${user.password}`, 'utf8').toString('base64');
    await raw.command([`AUTHENTICATE PLAIN ${sasl}`], `login as ${user.user}`);
    const mailbox = imapQuoted(encodeMailboxName(folder));
    const uids: number[] = [];
    const maxBatchBytes = 16 * 1024 * 1024;
    for (let start = 0; start < messages.length; ) {
      const parts: Array<string | Buffer> = [`APPEND ${mailbox}`];
      let bytes = 0;
      let end = start;
      while (end < messages.length && end - start < batchSize && (end === start || bytes < maxBatchBytes)) {
        const m = messages[end]!;
        const body = typeof m.raw === 'string' ? Buffer.from(m.raw, 'utf8') : m.raw;
        const flags = (m.flags ?? []).map(imapFlag).join(' ');
        const date = m.internalDate ? ` ${imapDateTime(m.internalDate)}` : '';
        // literal8 (BINARY) when the message has NUL bytes, like imapflow does
        const lit = body.includes(0) ? '~' : '';
        parts.push(` (${flags})${date} ${lit}{${body.length}+}\r\n`, body);
        bytes += body.length;
        end++;
      }
      const status = await raw.command(parts, `APPEND of messages #${start}..#${end - 1} to ${folder}`);
      const m = /\[APPENDUID \d+ ([\d:,]+)\]/i.exec(status);
      if (!m) throw new Error(`APPEND to ${folder} returned no APPENDUID: ${status}`);
      const got = expandUidSet(m[1]!);
      if (got.length !== end - start) throw new Error(`APPENDUID ${m[1]} does not match ${end - start} messages`);
      uids.push(...got);
      start = end;
    }
    return uids;
  } finally {
    await raw.close();
  }
}

/**
 * Appends `messages` to `folder` (created with its parents if missing, and subscribed) and
 * returns their UIDs in order. Default: MULTIAPPEND batches over one connection (see SeedOptions).
 */
export async function seedFolder(
  server: MailboxServer,
  user: DovecotUser,
  folder: string,
  messages: SeedMessage[],
  opts: SeedOptions = {},
): Promise<number[]> {
  const method = opts.method ?? 'multiappend';
  return withImap(server, user, async (client) => {
    await ensureFolder(client, server, folder);
    if (messages.length === 0) return [];
    // Courier has neither MULTIAPPEND nor LITERAL+: fall back to one APPEND per message there
    const canMulti = client.capabilities.has('MULTIAPPEND') && client.capabilities.has('LITERAL+');
    if (method === 'multiappend' && canMulti) return multiAppend(server, user, folder, messages, opts.batchSize ?? 500);
    const uids: number[] = [];
    for (const [i, m] of messages.entries()) {
      const raw = typeof m.raw === 'string' ? Buffer.from(m.raw, 'utf8') : m.raw;
      const res = await client.append(folder, raw, m.flags ?? [], m.internalDate);
      if (!res || !res.uid) {
        throw new Error(`seedFolder: APPEND of message #${i} to ${folder} returned no APPENDUID`);
      }
      uids.push(res.uid);
    }
    return uids;
  });
}

export async function createFolder(server: MailboxServer, user: DovecotUser, folder: string): Promise<void> {
  await withImap(server, user, (client) => ensureFolder(client, server, folder));
}

// ---------------------------------------------------------------------------------------------
// reading

async function readOpenFolder(client: ImapFlow, folder: string, withRaw: boolean): Promise<MailboxMessage[]> {
  // EXAMINE: read-only, so nothing (not even \Recent handling) changes the mailbox
  const mailbox = await client.mailboxOpen(folder, { readOnly: true });
  if (!mailbox.exists) return [];
  const out: MailboxMessage[] = [];
  // `source: true` is BODY.PEEK[] — never sets \Seen
  for await (const msg of client.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, source: true })) {
    const raw = msg.source ?? Buffer.alloc(0);
    const m: MailboxMessage = {
      uid: msg.uid,
      sha256: createHash('sha256').update(raw).digest('hex'),
      size: raw.length,
      flags: [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
      internalDate: msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? NaN),
      rfc822Size: msg.size ?? raw.length,
    };
    if (msg.modseq !== undefined) m.modseq = msg.modseq;
    if (withRaw) m.raw = raw;
    out.push(m);
  }
  out.sort((a, b) => a.uid - b.uid);
  return out;
}

/** All messages of `folder` in UID order, read with EXAMINE + BODY.PEEK[] (never changes \Seen). */
export async function readFolder(
  server: MailboxServer,
  user: DovecotUser,
  folder: string,
  opts: { withRaw?: boolean } = {},
): Promise<MailboxMessage[]> {
  return withImap(server, user, (client) => readOpenFolder(client, folder, !!opts.withRaw));
}

async function listOn(client: ImapFlow): Promise<FolderInfo[]> {
  const list = await client.list();
  return list
    .map((e) => {
      const info: FolderInfo = {
        path: e.path,
        delimiter: e.delimiter,
        flags: [...e.flags].sort(),
        subscribed: e.subscribed,
      };
      if (e.specialUse && e.specialUseSource === 'extension') info.specialUse = e.specialUse;
      return info;
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function listFolders(server: MailboxServer, user: DovecotUser): Promise<FolderInfo[]> {
  return withImap(server, user, listOn);
}

async function stateOn(client: ImapFlow, folder: string): Promise<FolderState> {
  const st = await client.status(folder, { uidValidity: true, uidNext: true, highestModseq: true, messages: true });
  if (!st) throw new Error(`STATUS ${folder} failed`);
  if (st.uidValidity === undefined || st.uidNext === undefined || st.messages === undefined) {
    throw new Error(`STATUS ${folder} is missing UIDVALIDITY/UIDNEXT/MESSAGES`);
  }
  return { uidValidity: st.uidValidity, uidNext: st.uidNext, highestModseq: st.highestModseq, messages: st.messages };
}

/** STATUS (UIDVALIDITY UIDNEXT HIGHESTMODSEQ MESSAGES). */
export async function folderState(server: MailboxServer, user: DovecotUser, folder: string): Promise<FolderState> {
  return withImap(server, user, (client) => stateOn(client, folder));
}

/**
 * Message counts read often (a test waiting for a copy to reach some point), over one connection
 * kept open: a new login for each look costs the server a login every few milliseconds.
 */
export async function folderCounter(server: MailboxServer, user: DovecotUser): Promise<{ messages(folder: string): Promise<number>; close(): Promise<void> }> {
  const client = await connectImap(server, user);
  return {
    messages: async (folder) => (await stateOn(client, folder)).messages,
    close: async () => {
      try {
        await client.logout();
      } catch {
        client.close();
      }
    },
  };
}

/** State and messages (without raw bytes) of every selectable folder, over one connection. */
export async function snapshotMailbox(server: MailboxServer, user: DovecotUser, opts: { withRaw?: boolean } = {}): Promise<MailboxSnapshot> {
  return withImap(server, user, async (client) => {
    const folders: MailboxSnapshot['folders'] = {};
    for (const f of await listOn(client)) {
      if (f.flags.some((x) => /^\\(noselect|nonexistent)$/i.test(x))) continue;
      const state = await stateOn(client, f.path);
      const messages = await readOpenFolder(client, f.path, !!opts.withRaw);
      folders[f.path] = { state, messages };
    }
    return { folders };
  });
}

/**
 * Sets the folder's UIDVALIDITY with `doveadm mailbox update --uid-validity`. Clients see the new
 * value on their next SELECT/EXAMINE/STATUS (a session that has the folder selected is disconnected
 * by Dovecot when it notices the change).
 */
export async function setUidValidity(server: DovecotServer, user: DovecotUser, folder: string, uidValidity: number): Promise<void> {
  if (!Number.isInteger(uidValidity) || uidValidity < 1 || uidValidity > 0xffffffff) {
    throw new Error(`setUidValidity: ${uidValidity} is not a valid UIDVALIDITY (1..2^32-1)`);
  }
  await server.doveadm(['mailbox', 'update', '-u', user.user, '--uid-validity', String(uidValidity), folder]);
}
