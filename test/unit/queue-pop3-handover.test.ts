import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HandedMessage } from '../../bridge/engine/pop3/handed-messages';
import { clusterKeyId, type ClusterKey } from '../../bridge/queue/cluster-key';
import { handedMessagesOf, pop3Tagger } from '../../bridge/queue/handed-pop3';
import { decodeHandedMessages, encodeHandedMessages } from '../../bridge/queue/pop3-handover-codec';
import { MAX_HANDED_POP3_MESSAGES, Pop3HandoverSchema, type Pop3Handover } from '../../bridge/queue/protocol';

/** A POP3 account's rows as they travel between workers (handed-pop3.ts, pop3-handover-codec.ts). */
const newKey = (): ClusterKey => {
  const key = randomBytes(32);
  return { key, id: clusterKeyId(key) };
};
const KEY = newKey();
const tag = (n: number): string => n.toString(16).padStart(16, '0');
const handover = (settled: ReadonlyMap<string, HandedMessage>, key = KEY): Pop3Handover => ({ keyId: key.id, ...encodeHandedMessages(settled)! });

describe('POP3 rows packed for the queue', () => {
  it('come back as they were: copies, found present, without a target UID, far apart, and final skips', () => {
    const settled = new Map<string, HandedMessage>([
      [tag(1), { outcome: 'copied', targetUid: 7, reason: null }],
      [tag(2), { outcome: 'present', targetUid: 3, reason: null }],
      [tag(3), { outcome: 'copied', targetUid: null, reason: null }],
      [tag(4), { outcome: 'copied', targetUid: 4_294_967_295, reason: null }],
      [tag(5), { outcome: 'present', targetUid: 8, reason: null }],
      [tag(6), { outcome: 'skipped', targetUid: null, reason: 'MESSAGE_TOO_LARGE: 30000000 bytes' }],
    ]);
    const packed = Pop3HandoverSchema.parse(JSON.parse(JSON.stringify(handover(settled))));
    expect(packed.count).toBe(5);
    expect(decodeHandedMessages(packed)).toEqual(settled);
  });

  it('cost about 12 characters a message: 50,000 copies in under 610,000', () => {
    const settled = new Map<string, HandedMessage>();
    const tagOf = pop3Tagger(KEY, 'acc');
    for (let i = 1; i <= 50_000; i++) settled.set(tagOf(`uidl-${i}`), { outcome: i % 10 ? 'copied' : 'present', targetUid: i + 3, reason: null });
    const packed = handover(settled);
    expect(packed.messages.length).toBeLessThan(610_000);
    expect(Pop3HandoverSchema.safeParse(packed).success).toBe(true);
    expect(decodeHandedMessages(packed)).toEqual(settled);
  });

  it('a maildrop over the bound hands over nothing', () => {
    const settled = new Map<string, HandedMessage>();
    for (let i = 0; i <= MAX_HANDED_POP3_MESSAGES; i++) settled.set(tag(i), { outcome: 'copied', targetUid: i + 1, reason: null });
    expect(encodeHandedMessages(settled)).toBeUndefined();
    settled.delete(tag(0));
    expect(encodeHandedMessages(settled)?.count).toBe(MAX_HANDED_POP3_MESSAGES);
  });

  it('a packing that does not hold its count of messages is refused, not read in part', () => {
    const packed = handover(new Map([[tag(1), { outcome: 'copied', targetUid: 9, reason: null }], [tag(2), { outcome: 'copied', targetUid: 10, reason: null }]]));
    expect(() => decodeHandedMessages({ ...packed, count: 3 })).toThrow(/end early/);
    expect(() => decodeHandedMessages({ ...packed, count: 1 })).toThrow(/more than they count/);
    const cut = Buffer.from(packed.messages, 'base64').subarray(0, 8);
    expect(() => decodeHandedMessages({ ...packed, count: 1, messages: cut.toString('base64') })).toThrow(/inside a number/);
  });
});

describe('POP3 row tags', () => {
  it('name a UIDL key of one account under one cluster key only', () => {
    const t = pop3Tagger(KEY, 'account:a')('1a2b3c');
    expect(t).toMatch(/^[0-9a-f]{16}$/);
    expect(pop3Tagger(KEY, 'account:a')('1a2b3c')).toBe(t);
    expect(pop3Tagger(KEY, 'account:b')('1a2b3c')).not.toBe(t);
    expect(pop3Tagger(KEY, 'account:a')('1a2b3d')).not.toBe(t);
    expect(pop3Tagger(newKey(), 'account:a')('1a2b3c')).not.toBe(t);
  });

  it('a handover made under another cluster key is not taken', () => {
    const other = newKey();
    const packed = handover(new Map([[pop3Tagger(other, 'acc')('u1'), { outcome: 'copied', targetUid: 1, reason: null }]]), other);
    expect(handedMessagesOf(packed, KEY, 'acc')).toBeUndefined();
    const mine = handedMessagesOf(handover(new Map([[pop3Tagger(KEY, 'acc')('u1'), { outcome: 'copied', targetUid: 1, reason: null }]])), KEY, 'acc')!;
    expect(mine.settled.get(mine.tagOf('u1'))).toEqual({ outcome: 'copied', targetUid: 1, reason: null });
  });
});
