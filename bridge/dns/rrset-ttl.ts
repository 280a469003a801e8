/**
 * The TTL of an RRset (MX, TXT). node:dns reports TTLs only for A/AAAA answers, so this sends
 * one plain DNS query (RFC 1035 wire format, UDP) to the same server the Resolver uses and reads
 * the TTL fields of the answers; nothing else of the answer is used (the records themselves come
 * from node:dns). Informative only: any failure (no answer, truncated, timeout) gives null.
 */
import { createSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

const TYPES = { MX: 15, TXT: 16, CNAME: 5 } as const;

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([Buffer.byteLength(p)]), Buffer.from(p)])), Buffer.from([0])]);
}

/** Offset just past a (possibly compressed) name at `off`. */
function skipName(buf: Buffer, off: number): number {
  for (;;) {
    const len = buf[off];
    if (len === undefined) throw new Error('truncated');
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len === 0) return off + 1;
    off += len + 1;
  }
}

export function parseTtl(buf: Buffer, id: number, qtype: number): number | null {
  if (buf.length < 12 || buf.readUInt16BE(0) !== id) return null;
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x0200) !== 0 || (flags & 0x000f) !== 0) return null; // truncated, or an error rcode
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  let ttl: number | null = null;
  for (let i = 0; i < an; i++) {
    off = skipName(buf, off);
    const type = buf.readUInt16BE(off);
    const recordTtl = buf.readUInt32BE(off + 4);
    const rdlen = buf.readUInt16BE(off + 8);
    off += 10 + rdlen;
    if (type === qtype) ttl = ttl === null ? recordTtl : Math.min(ttl, recordTtl);
  }
  return ttl;
}

/** "ip:port" or "[v6]:port" → host and port; the first system server when none is given. */
function target(server?: string): { host: string; port: number } | null {
  const s = server ?? getServers()[0];
  if (!s) return null;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (m && isIP(m[1]!)) return { host: m[1]!, port: m[2] ? Number(m[2]) : 53 };
  if (isIP(s)) return { host: s, port: 53 };
  return null;
}

export function queryTtl(name: string, rrtype: keyof typeof TYPES, server?: string, timeoutMs = 1500): Promise<number | null> {
  const to = target(server);
  if (!to) return Promise.resolve(null);
  const id = randomBytes(2).readUInt16BE(0);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4);
  const question = Buffer.concat([encodeName(name), Buffer.from([0, TYPES[rrtype], 0, 1])]);
  return new Promise((resolve) => {
    const sock = createSocket(isIP(to.host) === 6 ? 'udp6' : 'udp4');
    const done = (v: number | null) => {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('message', (msg) => {
      try {
        done(parseTtl(msg, id, TYPES[rrtype]));
      } catch {
        done(null);
      }
    });
    sock.send(Buffer.concat([header, question]), to.port, to.host, (err) => err && done(null));
  });
}
