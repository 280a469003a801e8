import type { MessageIdentity, Snapshot } from './verify';

/**
 * Hand-made snapshots with known differences, for checking the correctness comparison
 * (verify.ts): the bench's self-check (check.ts) and its unit test use the same cases.
 */

/** A message's identity as a snapshot holds it; `over` changes what a case needs. */
export function identity(over: Partial<MessageIdentity> = {}): MessageIdentity {
  return {
    uid: 1,
    sha256: 'a',
    bodySha256: 'b',
    headerLines: ['From: x', 'Message-ID: <1@x>'],
    messageId: '<1@x>',
    flags: ['$Label1', '\\Seen'],
    internalDate: 1000,
    size: 10,
    ...over,
  };
}

export function snapshot(entries: Array<[string, MessageIdentity[]]>): Snapshot {
  return new Map(entries);
}

/**
 * A copy through a folder mapping ("Sent Items" to "Sent") in which each kind of
 * difference happens once, and what the comparison must say about it.
 */
export function mappedCopyCase() {
  return {
    source: snapshot([
      ['INBOX', [identity(), identity({ uid: 2, messageId: '<2@x>', sha256: 'c' })]],
      ['Sent Items', [identity({ uid: 3, messageId: '<3@x>', sha256: 'd' })]],
    ]),
    target: snapshot([
      ['INBOX', [identity({ sha256: 'z', headerLines: ['From: x', 'Message-ID: <1@x>', 'X-TUID: abc'], flags: ['\\Seen'] })]],
      ['Sent', [identity({ uid: 3, messageId: '<3@x>', sha256: 'd', internalDate: 2000 })]],
    ]),
    mapping: new Map([['Sent Items', 'Sent']]),
    reasons: { 'header X-TUID added': 1, 'keyword $Label1 not copied': 1, 'message missing': 1, 'internal date differs': 1 } as Record<string, number>,
    differing: 2,
    missing: 1,
  };
}

/** Two identical messages in a folder: one copy of them is a message missing; two under other UIDs are exact. */
export function duplicateCase() {
  return {
    twice: snapshot([['INBOX', [identity(), identity({ uid: 2 })]]]),
    once: snapshot([['INBOX', [identity()]]]),
    twiceRenumbered: snapshot([['INBOX', [identity({ uid: 7 }), identity({ uid: 9 })]]]),
  };
}
