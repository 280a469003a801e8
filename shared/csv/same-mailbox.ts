/**
 * With the old and the new mailboxes on one server (a domain change within one provider), a
 * mailbox may not be on both sides. Copied onto itself it gets every message twice (in unified
 * mode a copy of everything under its address's folder, which the next run copies into itself
 * again); one that is a row's target and another row's source passes the mail it receives on
 * to a third mailbox, depending on which runs first.
 */
export type SameMailboxConflict = { index: number; kind: 'self' } | { index: number; kind: 'chain'; sourceIndex: number };

/** Mailbox names compare as servers do: case-insensitively, in one Unicode form. */
export const mailboxKey = (user: string): string => user.normalize('NFC').toLowerCase();

/**
 * One mailbox pair (the source server and login, the target server and login) as one text, the
 * same however the host or login is written: host case-insensitive with the port, login as
 * mailboxKey. Two runs with the same text copy between the same two mailboxes; two sources into
 * one target (a merge, unified storage) have different texts. The bridge's scheduler runs one pass
 * per text at a time (bridge/service/mailbox-pair.ts) and the engine locks it across processes
 * (bridge/engine/pair-lock.ts).
 */
export function mailboxPairText(source: { host: string; port: number; user: string }, target: { host: string; port: number; user: string }): string {
  return JSON.stringify([source.host.toLowerCase(), portClass(source.port), mailboxKey(source.user), target.host.toLowerCase(), portClass(target.port), mailboxKey(target.user)]);
}

/** IMAP and POP3 ports, with and without TLS: one mail server usually listens on all of them. */
export const MAIL_PORTS: ReadonlySet<number> = new Set([143, 993, 110, 995]);

/** The standard mail ports are one mailbox's (imap://host, imaps://host, pop3s://host): one class in the pair key. */
const portClass = (port: number): number | 'mail' => (MAIL_PORTS.has(port) ? 'mail' : port);

export function sameServer(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

/** The pairs (by index) that put a mailbox on both sides, with the pair it is the source of. */
export function sameMailboxConflicts(pairs: ReadonlyArray<{ source: string; target: string }>): SameMailboxConflict[] {
  const asSource = new Map<string, number>();
  pairs.forEach((p, i) => asSource.set(mailboxKey(p.source), i));
  return pairs.flatMap((p, i): SameMailboxConflict[] => {
    const k = asSource.get(mailboxKey(p.target));
    if (k === undefined) return [];
    return k === i ? [{ index: i, kind: 'self' }] : [{ index: i, kind: 'chain', sourceIndex: k }];
  });
}
