/**
 * A message the target refuses for now on the run's last chance is skipped for now only: the
 * next run or sync sends it again (skipIsFinal false), whatever else the server's words say.
 * Throttling words can speak of sizes or content ("size limit per hour", "too much spam"): read
 * as a refusal of the message itself, the skip was final and the message never copied.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { appendOneOrSkip, skipIsFinal } from '../../bridge/engine/append-refusal';

/** A target that answers every APPEND with `refusal` (as imapflow reports a NO). */
const refusing = (refusal: { serverResponseCode?: string; responseText: string }) =>
  ({
    capabilities: new Map<string, boolean>(),
    enabled: new Set<string>(),
    exec: () => Promise.reject(Object.assign(new Error('Command failed'), { responseStatus: 'NO', ...refusal })),
  }) as unknown as ImapFlow;

const item = { raw: Buffer.from('Subject: hi\r\n\r\nbody\r\n'), flags: [], internalDate: new Date('2026-01-02T03:04:05Z') };

describe('a refusal for now on the last chance', () => {
  it.each([
    { serverResponseCode: 'THROTTLED', responseText: 'Message size limit per hour reached' },
    { serverResponseCode: 'THROTTLED', responseText: 'Too much spam from this account' },
    { responseText: 'Rate limit: message too large for now' },
    { serverResponseCode: 'UNAVAILABLE', responseText: 'Server Unavailable. 15' },
  ])('is a skip the next run undoes: $responseText', async (refusal) => {
    const outcome = await appendOneOrSkip(refusing(refusal), 'INBOX', item as never, { lastChance: true });
    expect('forNow' in outcome).toBe(true);
    const reason = (outcome as { forNow: string }).forNow;
    expect(reason).toContain(refusal.responseText);
    expect(skipIsFinal(reason)).toBe(false);
  });
});
