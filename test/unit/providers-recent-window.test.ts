/**
 * The 30-day check on recorded inputs: what a connection test observes at a provider whose IMAP
 * view is limited to the last 30 days (Tencent / NetEase / 263 default, per the providers' migration guides). The
 * POP3-vs-IMAP case is also reproduced against real Dovecot (test/integration/diagnose-connection
 * .test.ts, a virtual INBOX); the UID-gap and UIDVALIDITY-age signals are tested here only, since
 * the providers' UID numbering behind such a view is not known.
 */
import { describe, expect, it } from 'vitest';
import { countTolerance, detectRecentWindow, type WindowFolder } from '../../bridge/diagnose/recent-window';
import { ConnectionWarningSchema, presetById } from '../../shared/providers';

const NOW = new Date('2025-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const unix = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

function folder(path: string, messages: number, oldestDays: number, opts: { firstUid?: number; uidValidity?: number } = {}): WindowFolder {
  const firstUid = opts.firstUid ?? 1;
  return {
    path,
    messages,
    oldest: messages ? { uid: firstUid, internalDate: daysAgo(oldestDays) } : null,
    newest: messages ? { uid: firstUid + messages - 1, internalDate: daysAgo(0.5) } : null,
    uidValidity: opts.uidValidity ?? unix(daysAgo(1)),
    uidNext: firstUid + messages,
  };
}

const tencent = presetById('tencent')!;
const generic = presetById('generic')!;

describe('detectRecentWindow', () => {
  it('POP3 counts more inbox mail than IMAP and IMAP mail is at most 30 days old → RECENT_ONLY, likely', () => {
    const w = detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 40, 29)], imapInboxMessages: 40, pop3Messages: 1250 });
    expect(w.map((x) => x.code)).toEqual(['RECENT_ONLY']);
    const x = w[0]!;
    ConnectionWarningSchema.parse(x);
    expect(x.evidence).toMatchObject({ confidence: 'likely', signals: ['pop3-count'], pop3Messages: 1250, imapInboxMessages: 40 });
    expect(x.message.en).toMatch(/1250/);
    expect(x.message.zh).toMatch(/收取范围/);
    // Tencent's own pitfall: 收取选项 → 收取全部的邮件
    expect(x.hints.map((h) => h.id)).toContain('download-all');
    expect(x.hints[0]!.where?.zh).toContain('收发信设置');
  });

  it('UIDs below the oldest visible message existed (Tencent-like mailbox renumbering unknown: recorded case) → likely', () => {
    const w = detectRecentWindow({
      now: NOW,
      preset: tencent,
      folders: [folder('INBOX', 60, 28, { firstUid: 4801 }), folder('Sent Messages', 12, 27, { firstUid: 900 })],
      imapInboxMessages: 60,
    });
    expect(w).toHaveLength(1);
    expect(w[0]!.evidence).toMatchObject({ confidence: 'likely', signals: ['uid-gap'], hiddenUidsBelowOldest: 4800 + 899 });
  });

  it('folders created long ago (UIDVALIDITY as creation time) but only recent mail → likely', () => {
    const w = detectRecentWindow({
      now: NOW,
      preset: presetById('netease'),
      folders: [folder('INBOX', 30, 25, { uidValidity: unix('2018-03-01T00:00:00Z') })],
      imapInboxMessages: 30,
    });
    expect(w.map((x) => x.code)).toEqual(['RECENT_ONLY']);
    expect(w[0]!.evidence).toMatchObject({ confidence: 'likely', signals: ['uidvalidity-age'] });
    expect(w[0]!.hints.map((h) => h.id)).toContain('download-all');
  });

  it('oldest mail right at the 30-day edge at a provider known for the default → possible only', () => {
    const w = detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 80, 29.5)], imapInboxMessages: 80 });
    expect(w).toHaveLength(1);
    expect(w[0]!.evidence).toMatchObject({ confidence: 'possible', signals: ['window-edge'] });
    expect(w[0]!.message.en).toMatch(/Possible, not certain/);
  });

  it('a new mailbox at a provider without such a default: no warning', () => {
    expect(detectRecentWindow({ now: NOW, preset: generic, folders: [folder('INBOX', 5, 29.5)], imapInboxMessages: 5 })).toEqual([]);
    expect(detectRecentWindow({ now: NOW, preset: null, folders: [folder('INBOX', 5, 3)], imapInboxMessages: 5, pop3Messages: 5 })).toEqual([]);
  });

  it('mail older than the window is visible: no RECENT_ONLY, even with a UID gap', () => {
    expect(detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 500, 900, { firstUid: 3000 })], imapInboxMessages: 500 })).toEqual([]);
  });

  it('POP3 shows more but old mail is visible → IMAP_FEWER_THAN_POP3', () => {
    const w = detectRecentWindow({ now: NOW, preset: presetById('263'), folders: [folder('INBOX', 300, 400)], imapInboxMessages: 300, pop3Messages: 420 });
    expect(w.map((x) => x.code)).toEqual(['IMAP_FEWER_THAN_POP3']);
    expect(w[0]!.hints.map((h) => h.id)).toContain('download-all');
  });

  it('POP3 shows fewer → POP3_FEWER_THAN_IMAP (info)', () => {
    const w = detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 900, 1500)], imapInboxMessages: 900, pop3Messages: 35 });
    expect(w.map((x) => [x.code, x.severity])).toEqual([['POP3_FEWER_THAN_IMAP', 'info']]);
  });

  it('small differences (mail arriving between the two counts) are tolerated', () => {
    expect(countTolerance(10)).toBe(2);
    expect(countTolerance(1000)).toBe(20);
    expect(detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 100, 600)], imapInboxMessages: 100, pop3Messages: 102 })).toEqual([]);
    expect(detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 100, 600)], imapInboxMessages: 100, pop3Messages: 98 })).toEqual([]);
  });

  it('Gmail\'s POP3 shows all mail, not the inbox: counts are not compared', () => {
    expect(detectRecentWindow({ now: NOW, preset: presetById('gmail'), folders: [folder('INBOX', 100, 600)], imapInboxMessages: 100, pop3Messages: 5000 })).toEqual([]);
  });

  it('an empty mailbox says nothing', () => {
    expect(detectRecentWindow({ now: NOW, preset: tencent, folders: [folder('INBOX', 0, 0)], imapInboxMessages: 0, pop3Messages: 0 })).toEqual([]);
  });
});
