import { describe, expect, it } from 'vitest';
import { compareSnapshots, type MessageIdentity, type Snapshot } from '../../bench/verify';

/**
 * The bench's correctness check (bench/verify.ts), which tells an exact copy from one that
 * changed messages. The bench itself (`npm run bench`, its quick variant included) runs outside
 * `npm test`: it times the tools, and that needs a machine of its own.
 */
describe('bench correctness check', () => {
  const msg = (over: Partial<MessageIdentity> = {}): MessageIdentity => ({
    uid: 1,
    sha256: 'a',
    bodySha256: 'b',
    headerLines: ['From: x', 'Message-ID: <1@x>'],
    messageId: '<1@x>',
    flags: ['$Label1', '\\Seen'],
    internalDate: 1000,
    size: 10,
    ...over,
  });
  const snap = (entries: Array<[string, MessageIdentity[]]>): Snapshot => new Map(entries);

  it('names each kind of difference and follows the folder mapping', () => {
    const source = snap([
      ['INBOX', [msg(), msg({ uid: 2, messageId: '<2@x>', sha256: 'c' })]],
      ['Sent Items', [msg({ uid: 3, messageId: '<3@x>', sha256: 'd' })]],
    ]);
    const target = snap([
      ['INBOX', [msg({ sha256: 'z', headerLines: ['From: x', 'Message-ID: <1@x>', 'X-TUID: abc'], flags: ['\\Seen'] })]],
      ['Sent', [msg({ uid: 3, messageId: '<3@x>', sha256: 'd', internalDate: 2000 })]],
    ]);
    const c = compareSnapshots(source, target, new Map([['Sent Items', 'Sent']]));
    expect(c.exact).toBe(false);
    expect(c.reasons).toEqual({ 'header X-TUID added': 1, 'keyword $Label1 not copied': 1, 'message missing': 1, 'internal date differs': 1 });
    expect(c.differing).toBe(2);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(source, source).exact).toBe(true);
  });

  it('counts duplicates: two identical source messages need two copies', () => {
    const source = snap([['INBOX', [msg(), msg({ uid: 2 })]]]);
    const c = compareSnapshots(source, snap([['INBOX', [msg()]]]));
    expect(c.exact).toBe(false);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(source, snap([['INBOX', [msg({ uid: 7 }), msg({ uid: 9 })]]])).exact).toBe(true);
  });
});
