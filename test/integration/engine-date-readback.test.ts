import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { runAccount } from '../../bridge/engine/pass-loop';
import { readFolder } from '../harness/mailbox';
import { SERVER_KINDS, startMailServer, type AnyMailServer, type ServerKind } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { memorySource, type MemoryMessage } from '../support/memory-source';
import { imapEndpoint } from './matrix-engine-support';

/**
 * A message whose INTERNALDATE is before 1970 or far in the future (a wrong clock, an import
 * from an old archive) is copied, and where the target did not keep that date the account
 * report says so for that message (DATE_CHANGED). What each real target does with such an
 * APPEND (see bridge/engine/stored-dates.ts): Dovecot stores 1965 as 2^32 s later and 2099 as
 * the time of the APPEND, without a word; Cyrus and Courier refuse 1965 (the copy gets 2 January
 * 1970) and keep 2099. The source lives in memory: no real server holds a pre-1970 date.
 */
const memoryEndpoint: Endpoint = {
  protocol: 'imap',
  host: 'memory.invalid',
  port: 1,
  security: 'tls',
  user: 'dates@old.example.com',
  auth: { kind: 'password', password: 'unused' },
  allowPlaintext: false,
  insecureTls: false,
};

const dated = (n: number, iso: string): MemoryMessage => {
  const internalDate = new Date(iso);
  return { raw: textMessage({ id: `dated-${n}`, subject: `Dated ${iso}`, date: internalDate, body: `Message ${n}.\r\n` }), internalDate };
};
/** Source UIDs 1..3: an ordinary date, one before 1970, one far in the future. */
const INBOX = [dated(1, '2021-05-01T08:30:00Z'), dated(2, '1965-06-01T12:00:00Z'), dated(3, '2099-01-01T12:00:00Z')];

/** The source UIDs each target does not keep the date of, as the servers were seen to behave. */
const NOT_KEPT: Record<ServerKind, number[]> = { dovecot: [2, 3], cyrus: [2], courier: [2] };

describe.each(SERVER_KINDS)('INTERNALDATE outside 1970..now into %s', (kind) => {
  const bob = { user: `dates-${kind}@new.example.com`, password: `Dates-tgt-pw-${kind}` };
  let target: AnyMailServer;
  const state = tempStore();

  beforeAll(async () => {
    target = await startMailServer(kind, { name: `dates-tgt-${kind}`, users: [bob] });
  });

  afterAll(async () => {
    state.cleanup();
    await target?.stop();
  });

  it('copies every message and warns of exactly those whose date the target did not keep', async () => {
    const result = await runAccount(job(memoryEndpoint, imapEndpoint(target, bob), { chunkMessages: 10 }), state.store, {}, memorySource({ INBOX }));
    expect(result.error).toBeNull();
    expect([result.status, result.messagesCopied, result.messagesSkipped]).toEqual(['done', 3, 0]);

    // What the target keeps: the second session's answer (Dovecot answers the first FETCH of a
    // copy's date from its file, the date given, and every later one from its 32-bit cache).
    await readFolder(target, bob, 'INBOX');
    const copies = await readFolder(target, bob, 'INBOX');
    expect(copies).toHaveLength(3);
    const storedOf = (m: MemoryMessage) => copies.find((c) => c.sha256 === sha(m))!.internalDate;
    const notKept = INBOX.flatMap((m, i) => (storedOf(m).getTime() === m.internalDate.getTime() ? [] : [i + 1]));
    expect(notKept).toEqual(NOT_KEPT[kind]);

    const warnings = result.warnings.filter((w) => w.code === 'DATE_CHANGED');
    expect(warnings).toHaveLength(notKept.length);
    for (const [k, uid] of notKept.entries()) {
      const m = INBOX[uid - 1]!;
      expect(warnings[k]!.message).toContain(`UID ${uid} of "INBOX"`);
      expect(warnings[k]!.message).toContain(`with the date ${m.internalDate.toISOString()}, but the target keeps ${storedOf(m).toISOString()} instead`);
    }
    // Nothing else is said about the ordinary message.
    expect(result.warnings.some((w) => w.message.includes('UID 1 of'))).toBe(false);
  });
});

function sha(m: MemoryMessage): string {
  return createHash('sha256').update(m.raw).digest('hex');
}
