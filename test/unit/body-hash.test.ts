/**
 * The pieces content-match.ts confirms a fingerprint match with, for messages without a
 * Message-ID: whether a header names one, the body hash (comparable across servers as the
 * fingerprint is), and taking a target occurrence only when its body agrees.
 */
import { describe, expect, it } from 'vitest';
import { bodyHash, hasMessageId } from '../../bridge/engine/body-hash';
import { FingerprintIndex } from '../../bridge/engine/fingerprint';
import { TargetIndex } from '../../bridge/engine/target-scan';

const header = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');

describe('hasMessageId', () => {
  it('is true for a Message-ID field, any case, folded or not', () => {
    expect(hasMessageId(header(['From: a@b', 'Message-ID: <x@y>']))).toBe(true);
    expect(hasMessageId(header(['message-id:<x@y>']))).toBe(true);
    expect(hasMessageId(header(['Message-Id:', ' <folded@y>']))).toBe(true);
  });
  it('is false without one, for a blank one, and for a field that only ends in the name', () => {
    expect(hasMessageId(header(['From: a@b', 'Subject: Disk report']))).toBe(false);
    expect(hasMessageId(header(['Message-ID:   ']))).toBe(false);
    expect(hasMessageId(header(['X-Original-Message-ID: <x@y>']))).toBe(false);
    expect(hasMessageId(undefined)).toBe(false);
  });
});

describe('bodyHash', () => {
  const raw = (body: string, subject = 'Disk report'): Buffer => Buffer.concat([header([`Subject: ${subject}`]), Buffer.from(body, 'latin1')]);
  it('tells apart bodies of one length', () => {
    expect(bodyHash(raw('no message id AAAA'))).not.toBe(bodyHash(raw('no message id BBBB')));
    expect(bodyHash(raw('same'))).toBe(bodyHash(raw('same')));
  });
  it("counts 8-bit header bytes as 'X' (Cyrus) and a NUL in the body as 0x80 (Dovecot's BODY[])", () => {
    expect(bodyHash(raw('body', 'r\xe9sum\xe9'))).toBe(bodyHash(raw('body', 'rXsumX')));
    expect(bodyHash(raw('a\x00b'))).toBe(bodyHash(raw('a\x80b')));
    // In the body an 8-bit byte is the message's own: kept.
    expect(bodyHash(raw('caf\xe9'))).not.toBe(bodyHash(raw('cafX')));
  });
});

describe('taking a target occurrence only with the same body', () => {
  it('FingerprintIndex.takeWhere: exact first, each occurrence once', () => {
    const idx = new FingerprintIndex();
    idx.add('fp', 1, 'ex');
    idx.add('fp', 2, 'ex');
    idx.add('fp', 3, 'other');
    expect(idx.takeWhere('fp', 'ex', (uid) => uid !== 1)).toBe(2);
    expect(idx.takeWhere('fp', 'ex', (uid) => uid === 2)).toBeUndefined();
    expect(idx.takeWhere('fp', 'ex', () => true)).toBe(1);
    expect(idx.takeWhere('fp', 'ex', () => true)).toBe(3);
    expect(idx.size).toBe(0);
  });
  it('TargetIndex.takeByBody matches a group as a multiset of hashes', () => {
    const idx = new TargetIndex();
    for (const uid of [10, 11]) idx.add({ uid, size: 100, fingerprint: 'fp', exactFingerprint: 'fp', hasMessageId: false });
    // No hashes read: nothing without a Message-ID is taken on its fingerprint alone.
    expect(idx.takeByBody('fp', 'fp', 'h-a')).toBeUndefined();
    (idx as unknown as { hashes: Map<number, string> }).hashes.set(10, 'h-b').set(11, 'h-b');
    expect(idx.takeByBody('fp', 'fp', 'h-a')).toBeUndefined();
    expect(idx.takeByBody('fp', 'fp', 'h-b')).toBe(10);
    expect(idx.takeByBody('fp', 'fp', 'h-b')).toBe(11);
    expect(idx.takeByBody('fp', 'fp', 'h-b')).toBeUndefined();
    expect(idx.hasSize(100)).toBe(false);
  });
});
