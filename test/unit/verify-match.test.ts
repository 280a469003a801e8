import { describe, expect, it } from 'vitest';
import { compareDigests, bodyDigest } from '../../bridge/verify/body-digest';
import { keywordFilter } from '../../bridge/verify/flag-compare';
import type { MessageMeta } from '../../bridge/verify/folder-meta';
import { decodeWords, headerField } from '../../bridge/verify/header-fields';
import { matchMessages, type MatchOptions } from '../../bridge/verify/match-messages';

let next = 1;
function meta(fp: string, over: Partial<MessageMeta> = {}): MessageMeta {
  return { uid: next++, fingerprint: fp, size: 100, flags: ['\\Seen'], internalDate: new Date('2024-01-02T03:04:05Z'), messageId: `<${fp}@x>`, subject: fp, ...over };
}
const opts = (o: Partial<MatchOptions> = {}): MatchOptions => ({ deleted: 'copy', keywordOk: () => true, recordedSkips: new Map(), ...o });

describe('verify: matching one folder', () => {
  it('counts duplicates: two identical source messages need two on the target', () => {
    const s = [meta('a'), meta('a'), meta('b')];
    const one = matchMessages(s, [meta('a'), meta('b')], opts());
    expect(one.pairs).toHaveLength(2);
    expect(one.missing.map((m) => m.uid)).toEqual([s[1]!.uid]);
    const three = matchMessages(s, [meta('a'), meta('a'), meta('a'), meta('b')], opts());
    expect(three.missing).toEqual([]);
    expect(three.extra).toHaveLength(1);
  });

  it('pairs equal flags first, so a duplicate with other flags is the one reported changed', () => {
    const s = [meta('a', { flags: [] }), meta('a', { flags: ['\\Seen', '\\Flagged'] })];
    const t = [meta('a', { flags: ['\\Flagged', '\\Seen'] }), meta('a', { flags: ['\\Seen'] })];
    const m = matchMessages(s, t, opts());
    const changed = m.pairs.filter((p) => p.what.length);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.source.uid).toBe(s[0]!.uid);
    expect(changed[0]!.what).toEqual(['flags']);
  });

  it('a date before 1970 or far ahead that the copy does not have: imposed by the target, not a difference; an ordinary one is', () => {
    const s = [meta('old', { internalDate: new Date('1965-06-01T12:00:00Z') }), meta('far', { internalDate: new Date('2099-01-01T12:00:00Z') }), meta('ord', { internalDate: new Date('2021-05-01T00:00:00Z') })];
    const t = [meta('old', { internalDate: new Date('1970-01-02T00:00:00Z') }), meta('far'), meta('ord')];
    const m = matchMessages(s, t, opts());
    expect(m.pairs.map((p) => [p.what, p.dateImposed ?? false])).toEqual([[[], true], [[], true], [['date'], false]]);
  });

  it('reports a date difference, ignores \\Recent and flag case, and keywords the target cannot store', () => {
    const s = [meta('a', { flags: ['\\Seen', 'Work'] }), meta('b', { internalDate: new Date('2020-01-01T00:00:00Z') })];
    const t = [meta('a', { flags: ['\\SEEN', '\\Recent'] }), meta('b')];
    const m = matchMessages(s, t, opts({ keywordOk: keywordFilter(['\\Seen', '\\Flagged']) }));
    expect(m.pairs.map((p) => p.what)).toEqual([[], ['date']]);
    const strict = matchMessages(s, t, opts({ keywordOk: keywordFilter(['\\Seen', '\\*']) }));
    expect(strict.pairs.map((p) => p.what)).toEqual([['flags'], ['date']]);
  });

  it('a leftover pair with one Message-ID is a changed body, not missing + extra', () => {
    const s = [meta('a', { messageId: '<same@x>' })];
    const t = [meta('a-modified', { messageId: '<same@x>', size: 120 })];
    const m = matchMessages(s, t, opts());
    expect(m.bodyChanged.map((p) => p.what)).toEqual([['body']]);
    expect(m.missing).toEqual([]);
    expect(m.extra).toEqual([]);
  });

  it('recorded skips and --deleted skip are skipped, --since leaves older mail out of scope, the rest is missing', () => {
    const s = [meta('a'), meta('b', { flags: ['\\Deleted'] }), meta('c', { internalDate: new Date('2019-01-01T00:00:00Z') }), meta('d')];
    const m = matchMessages(s, [], opts({ deleted: 'skip', since: new Date('2020-01-01T00:00:00Z'), recordedSkips: new Map([[s[0]!.uid, 'MESSAGE_TOO_LARGE: 3 MB']]) }));
    expect(m.skipped.map((x) => [x.meta.uid, x.reason])).toEqual([
      [s[0]!.uid, 'MESSAGE_TOO_LARGE: 3 MB'],
      [s[1]!.uid, expect.stringMatching(/--deleted skip/)],
    ]);
    expect(m.outOfScope).toBe(1);
    expect(m.missing.map((x) => x.uid)).toEqual([s[3]!.uid]);
  });

  it('two messages that differ only in 8-bit header bytes are paired by their exact header, whatever the UID order', () => {
    const s = [meta('x', { exact: 'x-1' }), meta('x', { exact: 'x-2' })];
    const t = [meta('x', { exact: 'x-2' }), meta('x', { exact: 'x-1' })];
    const m = matchMessages(s, t, opts());
    expect(m.pairs.map((p) => [p.source.exact, p.target.exact])).toEqual([
      ['x-1', 'x-1'],
      ['x-2', 'x-2'],
    ]);
  });

  it('a recorded skip does not take the only copy of an identical message', () => {
    const s = [meta('a'), meta('a')];
    const m = matchMessages(s, [meta('a')], opts({ recordedSkips: new Map([[s[0]!.uid, 'MESSAGE_TOO_LARGE']]) }));
    expect(m.pairs.map((p) => p.source.uid)).toEqual([s[1]!.uid]);
    expect(m.skipped.map((x) => x.meta.uid)).toEqual([s[0]!.uid]);
    expect(m.missing).toEqual([]);
  });

  it('--deleted undelete: a copy without \\Deleted matches', () => {
    const m = matchMessages([meta('a', { flags: ['\\Seen', '\\Deleted'] })], [meta('a')], opts({ deleted: 'undelete' }));
    expect(m.pairs.map((p) => p.what)).toEqual([[]]);
  });
});

describe('verify: bodies and headers', () => {
  it("8-bit header bytes stored as 'X' and NUL shown as 0x80 are rewritten, any other byte is different", () => {
    const src = Buffer.from('Subject: \u5b63\u5ea6\r\n\r\nbody\r\n', 'utf8');
    const cyrus = Buffer.from(src.toString('latin1').replace(/[\x80-\xff]/g, 'X'), 'latin1');
    expect(compareDigests(bodyDigest(src), bodyDigest(src))).toEqual({ kind: 'same' });
    expect(compareDigests(bodyDigest(src), bodyDigest(cyrus))).toEqual({ kind: 'rewritten', what: "8-bit header bytes stored as 'X'", kinds: ['header-8bit'] });
    const nul = Buffer.from('Subject: n\r\n\r\na\x00b\r\n', 'latin1');
    const shown = Buffer.from('Subject: n\r\n\r\na\x80b\r\n', 'latin1');
    expect(compareDigests(bodyDigest(shown), bodyDigest(nul))).toMatchObject({ kind: 'rewritten', kinds: ['nul'] });
    expect(compareDigests(bodyDigest(src), bodyDigest(Buffer.from(src.toString('latin1').replace('body', 'bodY'), 'latin1'))).kind).toBe('different');
    // 8-bit bytes in the body are not a server's rewriting
    expect(compareDigests(bodyDigest(Buffer.from('S: a\r\n\r\n\u00e9\r\n', 'utf8')), bodyDigest(Buffer.from('S: a\r\n\r\nXX\r\n', 'latin1'))).kind).toBe('different');
  });

  it('decodes RFC 2047 subjects (GBK, UTF-8, Q) for the report', () => {
    expect(decodeWords('=?GBK?B?xOO6ww==?=')).toBe('你好');
    expect(decodeWords('=?UTF-8?Q?caf=C3=A9?= =?UTF-8?B?5L2g5aW9?=')).toBe('café你好');
    expect(headerField(Buffer.from('Message-ID: <a@b>\r\nSubject: Re:\r\n =?utf-8?B?5L2g5aW9?=\r\n'), 'subject')).toBe('Re: 你好');
    expect(headerField(Buffer.from('Subject: x\r\n'), 'message-id')).toBeNull();
  });
});

describe('verify: the summary the monitor shows', () => {
  it('keeps only folders with a difference, the first 20 of each list and the first 50 folders, with the real counts', async () => {
    const { verifySummary, VerifySummarySchema } = await import('../../shared/verify');
    const msg = (uid: number) => ({ uid, messageId: null, subject: null, date: null, size: 1 });
    const folder = (i: number, missing: number) => ({
      source: `F${i}`, target: `F${i}`, sourceCount: missing, targetCount: 0, matched: 0,
      missing: Array.from({ length: missing }, (_, k) => msg(k + 1)), extra: [], changed: [], skipped: [], rewritten: [], elsewhere: [], outOfScope: 0,
    });
    const folders = [folder(0, 0), ...Array.from({ length: 60 }, (_, i) => folder(i + 1, i === 0 ? 30 : 1))];
    const s = verifySummary({ source: 'a', target: 'b', status: 'differences', depth: 'metadata', checkedAt: '2026-12-04T00:00:00.000Z', folders, totals: { matched: 0, missing: 89, extra: 0, changed: 0, skipped: 0, elsewhere: 0 } });
    expect(VerifySummarySchema.parse(s)).toEqual(s);
    expect(s.foldersWithDifferences).toBe(60);
    expect(s.folders).toHaveLength(50);
    expect(s.folders[0]).toMatchObject({ source: 'F1', missingCount: 30 });
    expect(s.folders[0]!.missing).toHaveLength(20);
    expect(s.folders.some((f) => f.source === 'F0')).toBe(false);
  });
});

describe('verify: messages sharing a fingerprint (no Message-ID), matched by body with --deep', () => {
  const noId = (over: Partial<MessageMeta> = {}) => meta('robot', { messageId: null, ...over });

  it('pairs by body as a multiset: a reordered identical copy matches; a surplus copy of one is extra, the other missing', () => {
    const a = noId({ flags: [] });
    const b = noId({ flags: ['\\Seen'] });
    const bodies = new Map<MessageMeta, string>([[a, 'A'], [b, 'B']]);
    const tb = noId({ flags: ['\\Seen'] });
    const ta = noId({ flags: [] });
    const same = matchMessages([a, b], [tb, ta], opts({ bodyKey: (m) => bodies.get(m) ?? (m === ta ? 'A' : m === tb ? 'B' : undefined) }));
    expect(same.pairs.map((p) => [p.source.uid, p.target.uid, p.what])).toEqual([[a.uid, ta.uid, []], [b.uid, tb.uid, []]]);
    // Target holds A twice and not B: B is missing and the second A extra, nothing "changed".
    const a1 = noId({ flags: [] });
    const a2 = noId({ flags: [] });
    const lost = matchMessages([a, b], [a1, a2], opts({ bodyKey: (m) => (m === b ? 'B' : 'A') }));
    expect([lost.pairs.length, lost.missing.map((m) => m.uid), lost.extra.length, lost.bodyChanged.length]).toEqual([1, [b.uid], 1, 0]);
    // A copy whose body is no source message's: the one changed body.
    const c = noId({ flags: ['\\Seen'] });
    const altered = matchMessages([a, b], [a1, c], opts({ bodyKey: (m) => (m === b ? 'B' : m === c ? 'C' : 'A') }));
    expect(altered.bodyChanged.map((p) => [p.source.uid, p.target.uid, p.what])).toEqual([[b.uid, c.uid, ['body']]]);
    expect([altered.missing, altered.extra]).toEqual([[], []]);
  });

  it('without the bodies, a flags difference between messages sharing a fingerprint without a Message-ID is marked ambiguous', () => {
    const m = matchMessages([noId({ flags: [] }), noId({ flags: ['\\Seen'] })], [noId({ flags: [] }), noId({ flags: [] })], opts());
    expect(m.pairs.filter((p) => p.what.length).map((p) => [p.what, p.ambiguous])).toEqual([[['flags'], true]]);
    const withIds = matchMessages([meta('d', { flags: [] }), meta('d')], [meta('d', { flags: [] }), meta('d', { flags: [] })], opts());
    expect(withIds.pairs.filter((p) => p.what.length).map((p) => p.ambiguous)).toEqual([undefined]);
  });
});
