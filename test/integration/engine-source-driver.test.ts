import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { runAccount } from '../../bridge/engine/pass-loop';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { textMessage } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { memorySource, type MemoryMessage } from '../support/memory-source';

/**
 * A new kind of source is one driver file: the in-memory driver of
 * test/support/memory-source.ts knows nothing of the target, yet the shared pass loop
 * copies its two folders into a real Dovecot byte-exact, once, resumes from its rows
 * and finds a message the target already holds instead of copying it again.
 */
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };

/** The driver is not reached over the network: this endpoint only names the account. */
const memoryEndpoint: Endpoint = {
  protocol: 'imap',
  host: 'memory.invalid',
  port: 1,
  security: 'tls',
  user: 'memory@old.example.com',
  auth: { kind: 'password', password: 'unused' },
  allowPlaintext: false,
  insecureTls: false,
};

function message(n: number, folder: string, flags: string[] = []): MemoryMessage {
  // Whole seconds: an IMAP INTERNALDATE has no finer precision.
  const internalDate = new Date(Date.UTC(2021, 4, n, 8, 30, 0));
  const body = `${folder} message ${n}.\r\nA line with UTF-8: 迁移测试 ${n}.\r\n`;
  return { raw: textMessage({ id: `mem-${folder}-${n}`, subject: `${folder} #${n}`, date: internalDate, body }), flags, internalDate };
}

const folders: Record<string, MemoryMessage[]> = {
  INBOX: [message(1, 'inbox', ['\\Seen']), message(2, 'inbox'), message(3, 'inbox', ['\\Flagged', '\\Seen']), message(4, 'inbox')],
  Archive: [message(1, 'archive', ['\\Seen']), message(2, 'archive', ['\\Answered']), message(3, 'archive')],
};
/** Already on the target before the first run (copied by hand, or by a run whose rows were lost). */
const preexisting = folders.Archive![1]!;

const expected = (msgs: MemoryMessage[]): string[] =>
  identities(msgs.map((m) => ({ uid: 0, size: m.raw.length, rfc822Size: m.raw.length, sha256: createHash('sha256').update(m.raw).digest('hex'), flags: [...(m.flags ?? [])].sort(), internalDate: m.internalDate })));

describe('the pass loop over an in-memory source driver', () => {
  let target: DovecotServer;
  const state = tempStore();
  const source = memorySource(folders);
  const run = () => runAccount(job(memoryEndpoint, plainEndpoint(target, bob), { concurrency: 2, chunkMessages: 2 }), state.store, {}, source);

  beforeAll(async () => {
    target = await startDovecot({ name: 'tgt-memory-source', users: [bob] });
    await seedFolder(target, bob, 'Archive', [preexisting]);
  });

  afterAll(async () => {
    state.cleanup();
    await target?.stop();
  });

  it('copies every message byte-exact once, and finds the one the target already has', async () => {
    const result = await run();
    expect(result.error).toBeNull();
    expect(result.status).toBe('done');
    expect(result.messagesCopied).toBe(6);
    expect(result.messagesAlreadyPresent).toBe(1);
    expect(result.messagesSkipped).toBe(0);

    // The target scan matched the preexisting message, so its body was never asked for.
    expect(source.fetched.get('INBOX')).toEqual([1, 2, 3, 4]);
    expect([...source.fetched.get('Archive')!].sort()).toEqual([1, 3]);

    expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expected(folders.INBOX!));
    expect(identities(await readFolder(target, bob, 'Archive'))).toEqual(expected(folders.Archive!));
  });

  it('copies nothing on a second run', async () => {
    const result = await run();
    expect(result.error).toBeNull();
    expect(result.messagesCopied).toBe(0);
    expect(result.messagesAlreadyPresent).toBe(7);
    expect(source.fetched.get('INBOX')).toHaveLength(4);
    expect(source.fetched.get('Archive')).toHaveLength(2);
    expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expected(folders.INBOX!));
    expect(identities(await readFolder(target, bob, 'Archive'))).toEqual(expected(folders.Archive!));
  });

  it('copies only the new message when the source grows', async () => {
    folders.INBOX!.push(message(5, 'inbox'));
    const result = await run();
    expect(result.error).toBeNull();
    expect(result.messagesCopied).toBe(1);
    expect(source.fetched.get('INBOX')).toEqual([1, 2, 3, 4, 5]);
    expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expected(folders.INBOX!));
  });
});
