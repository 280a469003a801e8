/**
 * The look for messages held back after an APPEND whose answer was lost (late-appends.ts)
 * confirms a match without Message-ID by body hash, reading the target candidates' bodies.
 * Those reads went around the pass's byte budget: with many held messages and many
 * look-alikes on the target, memory was bounded by nothing. They are held under it, as a
 * plan's are (content-match.ts): with the whole budget handed out, the look waits for it.
 *
 * On each kind of real target: the held message's copy sits between two look-alikes (same
 * Date, From, Subject and size, other bodies), and must be found as that copy, not appended again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteBudget } from '../../bridge/engine/byte-budget';
import { closeQuietly, connectImap } from '../../bridge/engine/connect';
import { FolderRun } from '../../bridge/engine/folder-run';
import { recheckHeld } from '../../bridge/engine/late-appends';
import { headerBlock, messageFingerprint } from '../../bridge/engine/pop3/headers';
import type { FolderCheckpoint } from '../../bridge/engine/state-store';
import { folderState, readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const bob: MailUser = { user: 'bob@new.example.com', password: 'Held-budget-tgt-pw-3Rv' };
const ACCOUNT = 'held-budget';
const UID_VALIDITY = 7;
const BUDGET = 64 * 1024;
const date = new Date('2025-01-06T08:00:00Z');
/** A report without Message-ID: one fingerprint whatever `tag` (4 characters) says. */
const report = (tag: string): Buffer => textMessage({ id: null, from: 'alerts@old.example.com', subject: 'Disk report', date, body: `no message id ${tag}` });
const checkpoint: FolderCheckpoint = {
  account: ACCOUNT, sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: UID_VALIDITY, lastUid: 0, filterKey: '',
  targetUidValidity: null, targetUidNext: null, copied: 0, skipped: 0, alreadyPresent: 0,
};

describe.each(MATRIX.map((c) => [c.describe, c] as const))('held messages looked for under the byte budget: %s', (_name, config) => {
  let target: AnyMailServer;
  const held = report('HELD');

  beforeAll(async () => {
    target = await startConfig(config, { name: `held-budget-${config.id}`, users: [bob] });
    // The earlier run's copy of the held message arrived, between two look-alikes.
    await seedFolder(target, bob, 'INBOX', [report('AAAA'), held, report('BBBB')].map((raw) => ({ raw, flags: [], internalDate: date })));
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it('waits for the budget before it reads a candidate body, then takes the copy with the held body', async () => {
    expect(new Set([report('AAAA'), held, report('BBBB')].map((b) => b.length)).size).toBe(1);
    const state = tempStore();
    const client = await connectImap(imapEndpoint(target, bob), { side: 'target' });
    try {
      const run = new FolderRun(state.store, ACCOUNT, 'INBOX', 'INBOX', UID_VALIDITY, checkpoint, [{ uid: 1 }], 1);
      // An earlier run sent its APPEND and heard no answer; this pass fetched it and held it back.
      run.uncertain = new Set([1]);
      run.held.push({ uid: 1, fingerprint: messageFingerprint(headerBlock(held), held.length), size: held.length, item: { raw: held, flags: [], internalDate: date } });

      const budget = new ByteBudget(BUDGET);
      const everything = await budget.acquire(BUDGET);
      let done = false;
      const look = recheckHeld(client, state.store, ACCOUNT, run, { passStart: 0, lateAppendMs: 0, fromUid: 1, batchBytes: BUDGET, budget }).then(() => {
        done = true;
      });
      look.catch(() => undefined);
      await sleep(1500);
      expect(done, 'the look read target bodies while the whole budget was handed out').toBe(false);
      everything();
      await look;

      // Found as the copy with its own body, not a look-alike; nothing appended again.
      const onTarget = await readFolder(target, bob, 'INBOX', { withRaw: true });
      const copyUid = onTarget.find((m) => m.raw!.equals(held))!.uid;
      expect(state.store.settledAbove(ACCOUNT, 'INBOX', UID_VALIDITY, 0).get(1)).toMatchObject({ outcome: 'copied', targetUid: copyUid });
      expect((await folderState(target, bob, 'INBOX')).messages).toBe(3);
      // And what it took from the budget went back.
      const again = await Promise.race([budget.acquire(BUDGET), sleep(1000).then(() => undefined)]);
      expect(again, 'the look kept part of the budget').toBeTypeOf('function');
    } finally {
      await closeQuietly(client);
      state.cleanup();
    }
  }, 60_000);
});
