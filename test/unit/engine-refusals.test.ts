import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../bridge/engine/state-store';
import { refusalReason, skipIsFinal } from '../../bridge/engine/append-refusal';
import { isTemporaryRefusal } from '../../bridge/engine/temporary-refusal';
import { classifyError } from '../../bridge/engine/errors';
import { markOrigin } from '../../bridge/engine/error-origin';
import { FingerprintIndex, exactFingerprint, fingerprint, fingerprintsOf } from '../../bridge/engine/fingerprint';
import { fitToListSize } from '../../bridge/engine/pop3/migrate-pop3';
import { verifiesCertificate } from '../../bridge/engine/endpoint';

const ctx = { side: 'source' as const, account: 'alice@old.example.com', host: 'old.example.com', port: 993 };

describe('which APPEND refusals may skip a message', () => {
  it('the message itself: size, syntax, content', () => {
    for (const [code, text] of [
      ['LIMIT', 'Mail size is larger than the maximum size allowed by server configuration'],
      ['TOOBIG', 'Message too big'],
      ['', 'Message contains bare newlines'],
      ['', 'Message contains NUL characters'],
      ['PARSE', 'Invalid header'],
      ['', 'Message has invalid header'],
      ['', 'Unable to parse message'],
    ] as const) {
      expect(refusalReason({ responseStatus: 'NO', serverResponseCode: code, responseText: text }).messageBound, text).toBe(true);
    }
  });

  it('never the mailbox, the rights or the server', () => {
    for (const [code, text] of [
      ['', 'Current box is selected READ-ONLY.'],
      ['TRYCREATE', 'Mailbox does not exist'],
      ['NOPERM', 'Permission denied'],
      ['SERVERBUG', 'Internal error occurred. Refer to server log for more information.'],
      ['', 'Something nobody has seen before'],
      ['UNAVAILABLE', 'Temporary failure, try again later'],
      ['LIMIT', 'Mailbox exceeds message limit'],
      ['', 'APPEND failed.'],
    ] as const) {
      expect(refusalReason({ responseStatus: 'NO', serverResponseCode: code, responseText: text }).messageBound, text).toBe(false);
    }
  });

  it('a refusal for now (throttling, a part of the server down) is told apart, to be retried rather than skipped', () => {
    for (const [code, text] of [
      ['', 'Request is throttled. Suggested Backoff Time: 299609 milliseconds'],
      ['', 'Server Unavailable. 15'],
      ['UNAVAILABLE', 'Temporary failure, try again later'],
      ['INUSE', 'Mailbox is locked'],
    ] as const) {
      expect(isTemporaryRefusal({ responseStatus: 'NO', serverResponseCode: code, responseText: text }), text).toBe(true);
    }
    for (const [code, text] of [
      ['LIMIT', 'Mail size is larger than the maximum size allowed by server configuration'],
      ['LIMIT', 'Mailbox exceeds message limit'],
      ['OVERQUOTA', 'Quota exceeded (mailbox for user is full)'],
      ['', 'Message contains bare newlines'],
      ['', 'Current box is selected READ-ONLY.'],
      ['SERVERBUG', 'Internal error occurred. Refer to server log for more information.'],
    ] as const) {
      expect(isTemporaryRefusal({ responseStatus: 'NO', serverResponseCode: code, responseText: text }), text).toBe(false);
    }
  });

  it('quota is its own kind, an account error', () => {
    expect(refusalReason({ responseStatus: 'NO', serverResponseCode: 'OVERQUOTA', responseText: 'Quota exceeded' })).toMatchObject({ code: 'QUOTA_EXCEEDED', messageBound: false });
  });

  it('skips recorded earlier: only those about the message are final', () => {
    expect(skipIsFinal('MESSAGE_TOO_LARGE: 2097152 bytes, over the target\'s APPENDLIMIT of 1048576 bytes')).toBe(true);
    expect(skipIsFinal('MESSAGE_REJECTED: Message contains bare newlines')).toBe(true);
    expect(skipIsFinal('MESSAGE_REJECTED: Current box is selected READ-ONLY.')).toBe(false);
    expect(skipIsFinal('MESSAGE_REJECTED: Current box is selected READ-ONLY. (POP3 UIDL 00000001)')).toBe(false);
    expect(skipIsFinal('NOT_DOWNLOADED: TOP returned 10 bytes where LIST says 12')).toBe(false);
    expect(skipIsFinal('deleted on the source while the migration ran')).toBe(false);
    expect(skipIsFinal(null)).toBe(false);
  });
});

describe('fingerprints survive what servers rewrite', () => {
  it('an exact match is preferred: two messages that differ only in 8-bit header bytes are told apart where the target kept them', () => {
    const a = Buffer.from('From: x@old.example.com\r\nSubject: 发票\r\n', 'utf8');
    const b = Buffer.from('From: x@old.example.com\r\nSubject: 合同\r\n', 'utf8');
    expect(fingerprint(a, 50)).toBe(fingerprint(b, 50)); // the tolerant form collides...
    expect(exactFingerprint(a, 50)).not.toBe(exactFingerprint(b, 50)); // ...the exact one does not
    const index = new FingerprintIndex();
    index.add(fingerprint(a, 50), 7, exactFingerprint(a, 50));
    expect(index.takeExact(exactFingerprint(b, 50))).toBeUndefined();
    expect(index.takeExact(exactFingerprint(a, 50))).toBe(7);
    expect(index.take(fingerprint(b, 50), exactFingerprint(b, 50))).toBeUndefined();
    expect(fingerprintsOf(a, 50)).toEqual([fingerprint(a, 50), exactFingerprint(a, 50)]);
  });

  it("8-bit header bytes count as 'X' (Cyrus stores them so, one for one)", () => {
    const raw = Buffer.from('From: 王五 <w@old.example.com>\r\nSubject: 季度报告\r\n', 'utf8');
    const munged = Buffer.from(raw.map((b) => (b >= 0x80 ? 0x58 : b)));
    expect(munged.length).toBe(raw.length);
    expect(fingerprint(munged, 100)).toBe(fingerprint(raw, 100));
    // Still told apart from another message of the same size.
    expect(fingerprint(Buffer.from('From: a@b\r\nSubject: other\r\n'), 100)).not.toBe(fingerprint(raw, 100));
  });
});

describe('POP3 sizes', () => {
  it('cuts the CRLF a server adds to a message without a final newline, and only that', () => {
    const body = Buffer.from('Subject: x\r\n\r\nno newline');
    expect(fitToListSize(Buffer.concat([body, Buffer.from('\r\n')]), body.length)).toEqual(body);
    expect(fitToListSize(body, body.length)).toEqual(body);
    const other = Buffer.concat([body, Buffer.from('ab')]);
    expect(fitToListSize(other, body.length)).toEqual(other);
  });
});

describe('errors name the connection they came from', () => {
  it('an error marked by the target connection is the target\'s, whatever the caller guessed', () => {
    const target = { side: 'target' as const, account: 'bob@new.example.com', host: 'new.example.com', port: 143 };
    const err = markOrigin(Object.assign(new Error('Connection not available'), { code: 'NoConnection' }), target, undefined);
    const e = classifyError(err, ctx);
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.options.side).toBe('target');
    expect(e.message).toContain('target bob@new.example.com at new.example.com:143');
  });

  it('"no connection" after a socket timeout is a TIMEOUT', () => {
    const timeout = Object.assign(new Error('Socket timeout'), { code: 'ETIMEOUT' });
    const err = markOrigin(Object.assign(new Error('Connection not available'), { code: 'NoConnection' }), ctx, timeout);
    expect(classifyError(err, ctx).code).toBe('TIMEOUT');
  });

  it('a connection closed during the TLS handshake is a lost connection, retried, not a certificate problem', () => {
    const e = classifyError(Object.assign(new Error('Unexpected close'), { code: 'ClosedAfterConnectTLS' }), ctx);
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.transient).toBe(true);
  });
});

describe('certificate checks', () => {
  it('always, unless the user opted out or allowed plaintext (then STARTTLS is opportunistic)', () => {
    expect(verifiesCertificate({ security: 'tls', insecureTls: false })).toBe(true);
    expect(verifiesCertificate({ security: 'starttls', insecureTls: false })).toBe(true);
    expect(verifiesCertificate({ security: 'starttls', insecureTls: true })).toBe(false);
    expect(verifiesCertificate({ security: 'plain', insecureTls: false })).toBe(false);
  });
});

describe('reopened skips', () => {
  it('move the checkpoint below them in the same transaction, so a pass that fails right after still finds them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-reopen-'));
    const store = StateStore.open(dir);
    try {
      store.putCheckpoint({ account: 'a', sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 9, lastUid: 5, filterKey: 'k', targetUidValidity: 1, targetUidNext: 6, copied: 4, skipped: 1, alreadyPresent: 0 });
      store.recordMessages('a', 'INBOX', 9, [
        { uid: 2, fingerprint: 'f2', outcome: 'skipped', targetUid: null, size: 10, reason: 'MESSAGE_TOO_LARGE: too large' },
        { uid: 3, fingerprint: 'f3', outcome: 'skipped', targetUid: null, size: 10, reason: 'MESSAGE_REJECTED: Current box is selected READ-ONLY.' },
      ]);
      expect(store.reopenSkips('a', 'INBOX', 9, (r) => skipIsFinal(r))).toBe(3);
      expect(store.getCheckpoint('a', 'INBOX')?.lastUid).toBe(2);
      expect(store.skipped('a').map((s) => s.uid)).toEqual([2]);
      expect(skipIsFinal('flagged \\Deleted on the source (--deleted skip)', 'skip')).toBe(true);
      expect(skipIsFinal('flagged \\Deleted on the source (--deleted skip)', 'copy')).toBe(false);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
