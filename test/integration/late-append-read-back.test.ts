/**
 * A copy found by the look for held messages (late-appends.ts) is one of ours like any other:
 * its header is read back where the target may have changed it (stored-changes.ts: Cyrus stores
 * raw 8-bit header bytes as 'X'), as every copy the pass APPENDs is. Found ones were recorded as
 * copied without it, and the report called them byte for byte.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { MigrationOptionsSchema } from '../../shared/migration';
import { seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { startLateDeliveryProxy } from '../support/late-delivery-proxy';
import { imapEndpoint } from './matrix-engine-support';

const COUNT = 20;
const alice: MailUser = { user: 'alice@old.example.com', password: 'Readback-src-pw-4Ne' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Readback-tgt-pw-9Lc' };
const ids = Array.from({ length: COUNT }, (_, i) => `rb-${String(i + 1).padStart(2, '0')}`);
const message = (id: string) => ({ raw: textMessage({ id, subject: `季度报告 ${id}`, body: `${id}\r\n${'x'.repeat(1500)}\r\n` }), flags: ['\\Seen'], internalDate: new Date('2022-03-04T05:06:07Z') });

let source: AnyMailServer;
let target: AnyMailServer;
beforeAll(async () => {
  [source, target] = await Promise.all([startMailServer('dovecot', { name: 'readback-src', users: [alice] }), startMailServer('cyrus', { name: 'readback-tgt', users: [bob] })]);
  await seedFolder(source, alice, 'INBOX', ids.map(message));
}, 120_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

it('dovecot -> cyrus: every copy with its 8-bit header replaced is reported, the late ones too', async () => {
  const proxy = await startLateDeliveryProxy(target.imapPort, { afterBytes: 20_000, cuts: 1, lateMs: 3000 });
  const state = tempStore();
  try {
    const result = await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { chunkMessages: 5, concurrency: 1, fixedConcurrency: true, maxAttempts: 5, includeFolders: ['INBOX'], lateAppendMs: MigrationOptionsSchema.parse({}).lateAppendMs }), state.store);
    await proxy.answered(1);
    expect(proxy.lateAnswers(), 'the late APPEND').toEqual([expect.stringMatching(/^\S+ OK /)]);
    expect(result.status, passSummary(result)).toBe('done');
    expect(await idsByFolder(target, bob), passSummary(result)).toEqual({ INBOX: ids });
    const reported = result.warnings.filter((w) => w.code === 'MESSAGE_CHANGED').reduce((n, w) => n + Number(/^(\d+) message/.exec(w.message)?.[1] ?? 0), 0);
    expect(reported, passSummary(result)).toBe(COUNT);
  } finally {
    state.cleanup();
    await proxy.close();
  }
});
