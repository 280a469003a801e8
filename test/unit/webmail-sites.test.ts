import { describe, expect, it } from 'vitest';
import { addressIn, classifyUrl, matchPatternRegExp, siteMatches, TEST_FIXTURE_SITE, WEBMAIL_SITES } from '../../shared/providers/webmail-sites';
import { presetById } from '../../shared/providers';

describe('webmail sites', () => {
  it('names existing presets and valid match patterns', () => {
    for (const s of WEBMAIL_SITES) {
      expect(presetById(s.presetId), s.id).toBeDefined();
      for (const m of s.matches) expect(() => matchPatternRegExp(m)).not.toThrow();
    }
    expect(siteMatches()).not.toContain(TEST_FIXTURE_SITE.matches[0]);
  });

  it('tells the console from the webmail', () => {
    expect(classifyUrl('https://qiye.163.com/login/')?.kind).toBe('console');
    expect(classifyUrl('https://mail.qiye.163.com/js6/main.jsp?sid=x')?.kind).toBe('webmail');
    expect(classifyUrl('https://exmail.qq.com/cgi-bin/frame_html?sid=1')).toMatchObject({ kind: 'webmail', site: { presetId: 'tencent' } });
    expect(classifyUrl('https://qiye.aliyun.com/admin/#/mailbox')?.kind).toBe('console');
    expect(classifyUrl('http://127.0.0.1:4567/mailmover-fixtures/console.html')?.kind).toBe('console');
    expect(classifyUrl('http://127.0.0.1:4567/mailmover-fixtures/webmail.html')?.kind).toBe('webmail');
    expect(classifyUrl('http://127.0.0.1:4567/other.html')).toBeNull();
    expect(classifyUrl('https://evil.example/qiye.aliyun.com/')).toBeNull();
    expect(classifyUrl('https://qiye.aliyun.com.evil.example/')).toBeNull();
  });

  it('reads one address, never guesses between two', () => {
    expect(addressIn('当前账号:Zhang@Corp.example.com · 退出')).toBe('zhang@corp.example.com');
    expect(addressIn('a@x.com and b@x.com')).toBeNull();
    expect(addressIn('no address')).toBeNull();
  });
});
