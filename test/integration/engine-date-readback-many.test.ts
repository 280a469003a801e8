import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { runAccount } from '../../bridge/engine/pass-loop';
import { MAX_DATE_WARNINGS } from '../../bridge/engine/stored-dates';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder } from '../harness/mailbox';
import { textMessage } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { memorySource, type MemoryMessage } from '../support/memory-source';

/**
 * A mailbox imported with broken dates holds many messages dated before 1970. Dovecot keeps
 * none of those dates (2^32 s later): each copy is reported, but a warning each made the
 * account's result megabytes for tens of thousands of them (through Redis in queue mode,
 * printed line by line by the CLI). The first MAX_DATE_WARNINGS are named one by one, the rest
 * counted in one warning per folder. The source lives in memory (no real server holds such dates).
 */
const memoryEndpoint: Endpoint = {
  protocol: 'imap', host: 'memory.invalid', port: 1, security: 'tls', user: 'datesmany@old.example.com',
  auth: { kind: 'password', password: 'unused' }, allowPlaintext: false, insecureTls: false,
};
const N = MAX_DATE_WARNINGS + 70;
const OLD = new Date('1965-06-01T12:00:00Z');
const INBOX: MemoryMessage[] = Array.from({ length: N }, (_, i) => ({ raw: textMessage({ id: `many-${i}`, subject: `Old ${i}`, date: OLD, body: `M ${i}.\r\n` }), internalDate: OLD }));

describe('many copies whose date the target did not keep', () => {
  const bob = { user: 'datesmany@new.example.com', password: 'Datesmany-tgt-pw-1' };
  let target: DovecotServer;
  const state = tempStore();
  beforeAll(async () => {
    target = await startDovecot({ name: 'datesmany-tgt', users: [bob] });
  });
  afterAll(async () => {
    state.cleanup();
    await target?.stop();
  });

  it('names the first ones and counts the rest in one warning', async () => {
    const result = await runAccount(job(memoryEndpoint, plainEndpoint(target, bob), { chunkMessages: 100 }), state.store, {}, memorySource({ INBOX }));
    expect([result.status, result.messagesCopied]).toEqual(['done', N]);
    // Every copy's date changed (the second session sees Dovecot's 32-bit date).
    await readFolder(target, bob, 'INBOX');
    const copies = await readFolder(target, bob, 'INBOX');
    expect(copies.filter((c) => c.internalDate.getTime() !== OLD.getTime())).toHaveLength(N);

    const warnings = result.warnings.filter((w) => w.code === 'DATE_CHANGED');
    expect(warnings).toHaveLength(MAX_DATE_WARNINGS + 1);
    expect(warnings.slice(0, MAX_DATE_WARNINGS).map((w) => /^UID (\d+) of "INBOX"/.exec(w.message)?.[1])).toEqual(Array.from({ length: MAX_DATE_WARNINGS }, (_, i) => String(i + 1)));
    expect(warnings.at(-1)!.message).toContain(`${N - MAX_DATE_WARNINGS} more message(s) copied to "INBOX"`);
    expect(warnings.at(-1)!.message).toContain(`from UID ${MAX_DATE_WARNINGS + 1} of "INBOX"`);
    expect(warnings.at(-1)!.message).toContain(`to UID ${N} of "INBOX"`);
  });
});
