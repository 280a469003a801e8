/**
 * Sites enabled from the popup each get their own launcher content script: the id is injective,
 * so two origins that differ only in punctuation never share (and overwrite) one registration.
 */
import { describe, expect, it } from 'vitest';
import { siteScriptId } from '../../extension/background/site-script-id';

describe('enabled-site script ids', () => {
  it('differ for origins that differ only in punctuation', () => {
    const origins = ['https://mail-corp.example.com', 'https://mail.corp.example.com', 'https://mail_corp.example.com', 'http://mail.corp.example.com', 'https://mail.corp.example.com:8443'];
    const ids = origins.map(siteScriptId);
    expect(new Set(ids).size).toBe(origins.length);
  });

  it('is stable, starts with the launcher prefix and uses only id-safe characters', () => {
    const id = siteScriptId('https://邮箱.example.cn');
    expect(id).toBe(siteScriptId('https://邮箱.example.cn'));
    expect(id).toMatch(/^mailmover-site-[0-9a-f]+$/);
  });
});
