import { describe, it, expect } from 'vitest';
import {
  PROVIDER_FOLDER_NAMES,
  SPECIAL_USES,
  detectRoleByName,
  findProvider,
  specialUseFromFlags,
  type SpecialUse,
} from '../../shared/folders';

describe('SPECIAL_USES / specialUseFromFlags', () => {
  it('lists the seven roles', () => {
    expect(SPECIAL_USES).toEqual(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged']);
  });

  it('reads RFC 6154 attributes case-insensitively and the XLIST spellings', () => {
    expect(specialUseFromFlags(['\\HasNoChildren', '\\Sent'])).toBe('\\Sent');
    expect(specialUseFromFlags(['\\hasnochildren', '\\TRASH'])).toBe('\\Trash');
    expect(specialUseFromFlags(['\\Spam'])).toBe('\\Junk');
    expect(specialUseFromFlags(['\\Starred'])).toBe('\\Flagged');
    expect(specialUseFromFlags(['\\AllMail'])).toBe('\\All');
    expect(specialUseFromFlags(['\\HasChildren', '\\Noselect'])).toBeUndefined();
    expect(specialUseFromFlags([])).toBeUndefined();
  });
});

describe('detectRoleByName: the names the product must recognise', () => {
  const required: [string, SpecialUse][] = [
    ['已发送', '\\Sent'],
    ['已发送邮件', '\\Sent'],
    ['草稿箱', '\\Drafts'],
    ['草稿', '\\Drafts'],
    ['已删除', '\\Trash'],
    ['已删除邮件', '\\Trash'],
    ['垃圾邮件', '\\Junk'],
    ['垃圾箱', '\\Junk'],
    ['Sent Messages', '\\Sent'],
    ['Sent Items', '\\Sent'],
    ['Deleted Messages', '\\Trash'],
    ['Deleted Items', '\\Trash'],
    ['Junk E-mail', '\\Junk'],
    ['Junk Email', '\\Junk'],
    ['Sent', '\\Sent'],
    ['Drafts', '\\Drafts'],
    ['Trash', '\\Trash'],
    ['Junk', '\\Junk'],
    ['Spam', '\\Junk'],
    ['Archive', '\\Archive'],
    ['Archives', '\\Archive'],
    ['草稿夹', '\\Drafts'],
    ['发件箱', '\\Sent'],
  ];
  for (const [name, role] of required) {
    it(`${name} → ${role} (no hint, '/' and '.' servers, no delimiter)`, () => {
      expect(detectRoleByName(name, '/', '')).toBe(role);
      expect(detectRoleByName(name, '.', '')).toBe(role);
      expect(detectRoleByName(name, null, '')).toBe(role);
    });
  }

  it('Gmail names are recognised under [Gmail] and [Google Mail], in English and Chinese', () => {
    const gmail: [string, SpecialUse][] = [
      ['[Gmail]/Sent Mail', '\\Sent'],
      ['[Gmail]/Drafts', '\\Drafts'],
      ['[Gmail]/Trash', '\\Trash'],
      ['[Google Mail]/Bin', '\\Trash'],
      ['[Gmail]/Spam', '\\Junk'],
      ['[Gmail]/All Mail', '\\All'],
      ['[Gmail]/Starred', '\\Flagged'],
      ['[Gmail]/已发邮件', '\\Sent'],
      ['[Gmail]/草稿', '\\Drafts'],
      ['[Gmail]/已删除邮件', '\\Trash'],
      ['[Gmail]/垃圾邮件', '\\Junk'],
      ['[Gmail]/所有邮件', '\\All'],
      ['[Gmail]/已加星标', '\\Flagged'],
    ];
    for (const [path, role] of gmail) {
      expect(detectRoleByName(path, '/', ''), path).toBe(role);
      expect(detectRoleByName(path, '/', '', 'gmail'), path).toBe(role);
    }
    expect(detectRoleByName('[Gmail]/Important', '/', '')).toBeUndefined();
    expect(detectRoleByName('[Gmail]/重要', '/', '', 'gmail')).toBeUndefined();
    // Gmail-only names are not roles anywhere else.
    expect(detectRoleByName('All Mail', '/', '')).toBeUndefined();
    expect(detectRoleByName('Projects/Sent Mail', '/', '')).toBeUndefined();
    expect(detectRoleByName('[Gmail]/Sent Mail/2019', '/', '')).toBeUndefined();
  });

  it('every name of every provider table is detected with that provider as hint', () => {
    let checked = 0;
    for (const table of PROVIDER_FOLDER_NAMES) {
      for (const [role, names] of Object.entries(table.names) as [SpecialUse, readonly string[]][]) {
        for (const name of names) {
          const path = table.parents ? `${table.parents[0]}/${name}` : name;
          expect(detectRoleByName(path, '/', '', table.id), `${table.id}: ${path}`).toBe(role);
          expect(detectRoleByName(path.toUpperCase(), '/', '', table.id), `${table.id}: ${path} upper-case`).toBe(role);
          checked++;
        }
      }
      for (const name of table.noRole ?? []) {
        const path = table.parents ? `${table.parents[0]}/${name}` : name;
        expect(detectRoleByName(path, '/', '', table.id), `${table.id} noRole: ${path}`).toBeUndefined();
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('tables are kept per provider, each with a label and at least one name', () => {
    const ids = PROVIDER_FOLDER_NAMES.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['aliyun', 'tencent', 'netease', 'coremail', '263', 'sina', 'sohu', 'gmail', 'outlook', 'apple', 'generic', 'feishu']) {
      expect(ids).toContain(id);
    }
    for (const t of PROVIDER_FOLDER_NAMES) {
      expect(t.label.length).toBeGreaterThan(0);
      expect(Object.values(t.names).flat().length).toBeGreaterThan(0);
    }
  });

  it('NetEase (163/126/qiye) names as listed by its servers', () => {
    expect(detectRoleByName('草稿箱', '/', '', 'netease')).toBe('\\Drafts');
    expect(detectRoleByName('已发送', '/', '', '163')).toBe('\\Sent');
    expect(detectRoleByName('已删除', '/', '', '126')).toBe('\\Trash');
    expect(detectRoleByName('垃圾邮件', '/', '', 'qiye.163.com')).toBe('\\Junk');
    expect(detectRoleByName('病毒文件夹', '/', '', 'netease')).toBeUndefined();
    expect(detectRoleByName('广告邮件', '/', '', 'netease')).toBeUndefined();
    expect(detectRoleByName('订阅邮件', '/', '')).toBeUndefined();
    expect(detectRoleByName('病毒文件夹', '/', '')).toBeUndefined();
  });

  it('Tencent / QQ English IMAP names', () => {
    expect(detectRoleByName('Sent Messages', '/', '', 'qq')).toBe('\\Sent');
    expect(detectRoleByName('Deleted Messages', '/', '', 'exmail')).toBe('\\Trash');
    expect(detectRoleByName('Junk', '/', '', 'tencent')).toBe('\\Junk');
    expect(detectRoleByName('其他文件夹', '/', '', 'qq')).toBeUndefined();
  });

  it('Outlook/Exchange names in English and Chinese', () => {
    for (const [name, role] of [
      ['Sent Items', '\\Sent'],
      ['Deleted Items', '\\Trash'],
      ['Junk E-mail', '\\Junk'],
      ['Junk Email', '\\Junk'],
      ['Drafts', '\\Drafts'],
      ['Archive', '\\Archive'],
      ['已发送邮件', '\\Sent'],
      ['已删除邮件', '\\Trash'],
      ['垃圾邮件', '\\Junk'],
      ['草稿', '\\Drafts'],
    ] as const) {
      expect(detectRoleByName(name, '/', '', 'outlook'), name).toBe(role);
    }
  });
});

describe('detectRoleByName: where and how it matches', () => {
  it('is case-insensitive for ASCII only', () => {
    expect(detectRoleByName('sent items', '/', '')).toBe('\\Sent');
    expect(detectRoleByName('JUNK E-MAIL', '/', '')).toBe('\\Junk');
    expect(detectRoleByName('dElEtEd MeSsAgEs', '.', '')).toBe('\\Trash');
  });

  it('matches top-level folders only', () => {
    expect(detectRoleByName('Projects/Sent', '/', '')).toBeUndefined();
    expect(detectRoleByName('Projects.已发送', '.', '')).toBeUndefined();
    // On a server WITHOUT an INBOX. prefix, INBOX/Sent is a user folder inside the inbox.
    expect(detectRoleByName('INBOX/Sent', '/', '')).toBeUndefined();
  });

  it('matches direct children of INBOX on a server with an INBOX. prefix (Courier/Cyrus)', () => {
    expect(detectRoleByName('INBOX.Sent', '.', 'INBOX.')).toBe('\\Sent');
    expect(detectRoleByName('INBOX.已删除', '.', 'INBOX.')).toBe('\\Trash');
    expect(detectRoleByName('inbox.Drafts', '.', 'INBOX.')).toBe('\\Drafts');
    expect(detectRoleByName('INBOX.Sent', '.', 'INBOX')).toBe('\\Sent'); // prefix without its delimiter
    expect(detectRoleByName('INBOX.Projects.Sent', '.', 'INBOX.')).toBeUndefined();
    expect(detectRoleByName('INBOX', '.', 'INBOX.')).toBeUndefined();
    expect(detectRoleByName('INBOX', '/', '')).toBeUndefined();
  });

  it('tries the providerHint table first: its no-role names are not given a role by others', () => {
    // Chinese webmails (Alibaba Mail's 邮箱搬家 maps 发件箱→已发送) call their Sent folder 发件箱; Exchange's 发件箱 is the Outbox.
    expect(detectRoleByName('发件箱', '/', '')).toBe('\\Sent');
    expect(detectRoleByName('发件箱', '/', '', 'zhongqi')).toBe('\\Sent');
    expect(detectRoleByName('发件箱', '/', '', 'outlook')).toBeUndefined();
    expect(detectRoleByName('发件箱', '/', '', 'Exchange')).toBeUndefined(); // alias, case-insensitive
    expect(detectRoleByName('发件箱', '/', '', 'O365')).toBeUndefined();
    expect(detectRoleByName('Outbox', '/', '', 'outlook')).toBeUndefined();
  });

  it('falls back to all tables for names the hinted provider does not know', () => {
    expect(detectRoleByName('Sent Messages', '/', '', 'netease')).toBe('\\Sent');
    expect(detectRoleByName('[Gmail]/Sent Mail', '/', '', 'aliyun')).toBe('\\Sent');
    expect(detectRoleByName('Sent', '/', '', 'no-such-provider')).toBe('\\Sent');
  });

  it('returns undefined for ordinary folders', () => {
    for (const name of ['Projects', '客户', 'Sent to clients', '已发送 2019', 'INBOX2', '']) {
      expect(detectRoleByName(name, '/', ''), name).toBeUndefined();
    }
  });

  it('findProvider resolves ids and aliases', () => {
    expect(findProvider('QQ')?.id).toBe('tencent');
    expect(findProvider(' 163 ')?.id).toBe('netease');
    expect(findProvider('office365')?.id).toBe('outlook');
    expect(findProvider('lark')?.id).toBe('feishu');
    expect(findProvider('unknown')).toBeUndefined();
    expect(findProvider(undefined)).toBeUndefined();
  });
});
