/**
 * One name per thing in the Chinese UI: the webmail panel and its launcher call the product's
 * local program 桥接程序 as every other screen does (never “bridge”), and name the employee's
 * entry and the new-migration entry exactly as the popup and the dashboard do.
 */
import { describe, expect, it } from 'vitest';
import { translate } from '../../extension/i18n';
import { PANEL_STRINGS, ps } from '../../extension/panel/strings';

describe('the panel’s terms match the rest of the UI', () => {
  it('the employee’s entry, the new migration and the migrations list have one name in each language', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      expect(ps(locale, 'tabSelf'), locale).toBe(translate(locale, 'migrateMyMailbox'));
      expect(ps(locale, 'bannerButton'), locale).toBe(translate(locale, 'migrateMyMailbox'));
      expect(ps(locale, 'tabNew'), locale).toBe(translate(locale, 'newMigration'));
      expect(ps(locale, 'tabJobs'), locale).toBe(translate(locale, 'navJobs'));
    }
    expect(translate('zh-CN', 'selfTitle')).toBe(translate('zh-CN', 'migrateMyMailbox'));
  });

  it('no Chinese panel text says “bridge”', () => {
    for (const [key, text] of Object.entries(PANEL_STRINGS)) expect(text.zh, key).not.toMatch(/bridge/i);
  });
});
