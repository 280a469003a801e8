import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../bridge/engine/fingerprint';
import { headerBlock, internalDateOf, messageFingerprint, parseMailDate } from '../../bridge/engine/pop3/headers';

const b = (s: string) => Buffer.from(s, 'latin1');
const NOW = new Date('2026-06-01T12:00:00.750Z');

describe('internalDateOf (POP3 has no INTERNALDATE)', () => {
  it('takes the date of the topmost Received field (the last hop), after its last ";"', () => {
    const h = b(
      'Received: from mx.old.example.com (mx [10.0.0.1])\r\n\tby mail.old.example.com; Tue, 2 Feb 2016 09:30:00 +0800 (CST)\r\n' +
        'Received: from sender; Mon, 1 Feb 2016 23:59:00 +0000\r\n' +
        'Date: Mon, 1 Feb 2016 10:00:00 +0800\r\n',
    );
    expect(internalDateOf(h, NOW)).toEqual({ date: new Date('2016-02-02T01:30:00Z'), source: 'received' });
  });

  it('falls back to Date: when the Received field has no usable date', () => {
    const h = b('Received: from somewhere by nowhere\r\nReceived: from x; Tue, 2 Feb 2016 09:30:00 +0800\r\nDate: Mon, 1 Feb 2016 10:00:00 +0800\r\n');
    expect(internalDateOf(h, NOW)).toEqual({ date: new Date('2016-02-01T02:00:00Z'), source: 'date' });
    expect(internalDateOf(b('Received: from x; yesterday-ish\r\nDate: Mon, 1 Feb 2016 10:00:00 +0800\r\n'), NOW).source).toBe('date');
  });

  it('uses Date: when there is no Received field', () => {
    expect(internalDateOf(b('From: a@b\nDate: Wed, 3 Feb 2016 10:00:00 +0000\n'), NOW)).toEqual({ date: new Date('2016-02-03T10:00:00Z'), source: 'date' });
  });

  it('uses now (whole seconds) without either, or when both are nonsense', () => {
    expect(internalDateOf(b('Subject: none\r\n'), NOW)).toEqual({ date: new Date('2026-06-01T12:00:00Z'), source: 'now' });
    expect(internalDateOf(b(''), NOW).source).toBe('now');
    // A date far in the future (spam, a broken clock) is not a delivery date.
    expect(internalDateOf(b('Date: Fri, 1 Jan 2100 00:00:00 +0000\r\n'), NOW).source).toBe('now');
  });
});

describe('parseMailDate', () => {
  it.each([
    ['Mon, 1 Feb 2016 10:00:00 +0800', '2016-02-01T02:00:00Z'],
    ['1 Feb 2016 10:00 -0130', '2016-02-01T11:30:00Z'],
    ['Mon, 01 Feb 16 10:00:00 GMT', '2016-02-01T10:00:00Z'],
    ['Mon, 1 Feb 99 10:00:00 EST', '1999-02-01T15:00:00Z'],
    ['Mon, 1 Feb 116 10:00:00 +0000', '2016-02-01T10:00:00Z'],
    ['  Tue,  2 Feb 2016 09:30:00 +0800 (CST)  ', '2016-02-02T01:30:00Z'],
    ['Tue, 2 Feb 2016 09:30:00 +0800 (China (Standard) Time)', '2016-02-02T01:30:00Z'],
    ['Tue, 2 February 2016 09:30:00 UT', '2016-02-02T09:30:00Z'],
    ['Tue, 2 Feb 2016 09:30:00 Z', '2016-02-02T09:30:00Z'],
    ['Tue, 2 Feb 2016 09:30:00', '2016-02-02T09:30:00Z'],
    ['2016-02-02T09:30:00+08:00', '2016-02-02T01:30:00Z'],
  ])('%s', (text, iso) => {
    expect(parseMailDate(text)?.toISOString()).toBe(new Date(iso).toISOString());
  });

  it.each(['', 'yesterday', 'Tue, 31 Feb 2016 09:30:00 +0000', 'Tue, 2 Foo 2016 09:30:00 +0000', 'Tue, 2 Feb 2016 25:30:00 +0000'])('rejects %j', (text) => {
    expect(parseMailDate(text)).toBeNull();
  });
});

describe('headerBlock', () => {
  it('ends at the first empty line, CRLF or bare LF', () => {
    expect(headerBlock(b('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\n')).toString()).toBe('A: 1\r\nB: 2\r\n');
    expect(headerBlock(b('A: 1\nB: 2\n\nbody\n')).toString()).toBe('A: 1\nB: 2\n');
    expect(headerBlock(b('\r\nbody')).length).toBe(0);
    expect(headerBlock(b('no separator at all\r\n')).toString()).toBe('no separator at all\r\n');
  });
});

describe('messageFingerprint', () => {
  it('equals the IMAP path fingerprint of BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]', () => {
    const header = b(
      'Received: from x; Tue, 2 Feb 2016 09:30:00 +0800\r\nFrom: =?GBK?B?zfXO5A==?= <wangwu@old.example.com>\r\nTo: x@y\r\n' +
        'Subject: a folded\r\n\tsubject \xc4\xe3\r\nDate: Tue, 2 Feb 2016 10:00:00 +0800\r\nMessage-ID: <m1@old.example.com>\r\nX-Other: 1\r\n',
    );
    // What Dovecot answers to the HEADER.FIELDS fetch: those fields as they are, then an empty line.
    const imapFields = b(
      'From: =?GBK?B?zfXO5A==?= <wangwu@old.example.com>\r\nSubject: a folded\r\n\tsubject \xc4\xe3\r\nDate: Tue, 2 Feb 2016 10:00:00 +0800\r\nMessage-ID: <m1@old.example.com>\r\n\r\n',
    );
    expect(messageFingerprint(header, 1234)).toBe(fingerprint(imapFields, 1234));
    expect(messageFingerprint(header, 1235)).not.toBe(fingerprint(imapFields, 1234));
  });

  it('a message without those fields has the fingerprint of an empty field list', () => {
    expect(messageFingerprint(b('just some text without any header\r\n'), 35)).toBe(fingerprint(b('\r\n'), 35));
  });
});
