/**
 * A run refused because the account's copies were made in another layout (CONFIG_INVALID with
 * layout-changed facts, bridge/engine/folder-layout.ts): what the extension and the report say,
 * in English and Chinese, names both modes and what to do, where CONFIG_INVALID's own words
 * ("the settings are invalid") would not.
 */
import { describe, expect, it } from 'vitest';
import { errorMessage, errorRemedy, REMEDIES } from '../../shared/errors';
import { WarningFactsSchema, type WarningFacts } from '../../shared/warning-facts';
import { classified } from '../../bridge/service/views';

const toUnified: WarningFacts = { kind: 'layout-changed', recorded: { mode: 'mapped' }, requested: { mode: 'unified', folder: 'zhangsan@old.example.com' } };
const toMapped: WarningFacts = { kind: 'layout-changed', recorded: { mode: 'unified', folder: 'zhangsan@old.example.com' }, requested: { mode: 'mapped' } };
const error = (facts: WarningFacts) => ({ code: 'CONFIG_INVALID' as const, message: 'engine text', facts });
/** English words left in a Chinese text once the address is taken out. */
const english = (zh: string): string[] => zh.replace(/[^\s@“”（）]+@[^\s@“”（）]+/g, ' ').match(/[A-Za-z]{3,}/g) ?? [];

describe('CONFIG_INVALID for another layout', () => {
  it('says which mode the earlier runs used and which this run asked for, in both languages', () => {
    expect(errorMessage(error(toUnified), 'en')).toBe(
      'The earlier runs of this account copied its mail in mapped mode; this run asks for unified mode (folder "zhangsan@old.example.com"), so it did not start: nothing was created or copied in the new mailbox.',
    );
    expect(errorMessage(error(toMapped), 'zh')).toBe(
      '该账号此前的搬家使用统一存储模式（文件夹“zhangsan@old.example.com”）搬迁邮件；本次要求文件夹映射模式，因此没有开始，新邮箱中没有创建或搬迁任何内容。',
    );
  });

  it('its remedy names the mode to go back to and how to start the other layout over; the zh words are all Chinese', () => {
    for (const facts of [toUnified, toMapped]) {
      const remedy = errorRemedy(error(facts));
      expect(remedy.en).not.toBe(REMEDIES.CONFIG_INVALID.en);
      expect(remedy.transient).toBe(false);
      expect(english(remedy.zh)).toEqual([]);
      expect(english(errorMessage(error(facts), 'zh'))).toEqual([]);
    }
    expect(errorRemedy(error(toUnified)).en).toMatch(/^Run it again in mapped mode: .* To have the mailbox in unified mode \(folder "zhangsan@old\.example\.com"\) instead, start that layout over/);
    expect(errorRemedy(error(toUnified)).zh).toMatch(/^请改回文件夹映射模式再次搬家/);
    // Other CONFIG_INVALID errors keep the code's words.
    expect(errorRemedy({ code: 'CONFIG_INVALID' })).toEqual(REMEDIES.CONFIG_INVALID);
  });

  it('the bridge sends the account view that remedy, with the facts, and the facts pass the protocol schema', () => {
    const view = classified(error(toMapped));
    expect(view.remedy).toEqual({ en: errorRemedy(error(toMapped)).en, zh: errorRemedy(error(toMapped)).zh });
    expect(view.facts).toEqual(toMapped);
    expect(WarningFactsSchema.parse(toMapped)).toEqual(toMapped);
  });
});
