import { describe, expect, it } from 'vitest';
import { parseAccountsCsv } from '../../shared/csv/accounts-csv';

/**
 * Found by an admin importing a Chinese company's list: a duplicate row got two errors, each
 * saying the row "was ignored" (此行已忽略) under a title saying nothing from the file is imported
 * until it is fixed, and an address typed with the input method's full-width "＠" or "．" was only
 * "不是有效的邮箱地址", with nothing saying which character was wrong.
 */
const HEADER = 'source,target,source_password,target_password';
const parse = (lines: string[], header = HEADER) => parseAccountsCsv(new TextEncoder().encode([header, ...lines].join('\r\n') + '\r\n'));

describe('account CSV: duplicate rows', () => {
  it('a row listed twice gets one error naming both columns and the earlier line, and no "ignored"', () => {
    const r = parse(['zhangsan@old.cn,zhangsan@new.cn,a,b', 'lisi@old.cn,lisi@new.cn,c,d', 'ZhangSan@old.cn,zhangsan@NEW.cn,a,b']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toEqual({
      line: 4,
      message: 'The source and target accounts are both the same as on line 2: the pair is listed twice. Delete one of the two rows.',
      messageZh: '待搬家账号和搬家账号都与第 2 行相同：同一对账号填写了两次。请删除其中一行。',
    });
  });

  it('a source clashing with one line and a target with another: one error naming both lines', () => {
    const r = parse(['a@old.cn,a@new.cn,,', 'b@old.cn,b@new.cn,,', 'a@old.cn,b@new.cn,,']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(4);
    expect(r.errors[0]!.message).toMatch(/source account is already listed on line 2 and the target account is already used on line 3/);
    expect(r.errors[0]!.messageZh).toMatch(/待搬家账号与第 2 行重复，搬家账号已在第 3 行使用/);
  });

  it('no duplicate message says the row was ignored: the whole file is refused until it is fixed', () => {
    const r = parse(['a@old.cn,a@new.cn,,', 'a@old.cn,c@new.cn,,', 'd@old.cn,a@new.cn,,', 'a@old.cn,a@new.cn,,', 'a@old.cn,b@new.cn,,']);
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    for (const e of r.errors) {
      expect(e.message).not.toMatch(/ignored|skipped/i);
      expect(e.messageZh).not.toMatch(/忽略|跳过/);
    }
    // What the message asks for instead.
    expect(r.errors[0]!.message).toMatch(/Delete one of the two rows, or correct the address in one of them/);
    expect(r.errors[0]!.messageZh).toMatch(/请删除其中一行，或改正其中一行的地址/);
  });

  it('rows beyond the limit are to be moved out of the file, not said to be left out of it', () => {
    const body = Array.from({ length: 4 }, (_, i) => `u${i}@old.cn,u${i}@new.cn,,`);
    const limited = parseAccountsCsv(new TextEncoder().encode([HEADER, ...body].join('\n')), { maxRows: 3 });
    expect(limited.errors.map((e) => e.line)).toEqual([5]);
    expect(limited.errors[0]!.message).toMatch(/Move the rows from this one on out of this file/);
    expect(limited.errors[0]!.messageZh).toMatch(/请把从此行起的数据移出本文件/);
    expect(limited.errors[0]!.messageZh).not.toMatch(/未导入/);
  });
});

describe('account CSV: full-width characters typed with a Chinese input method', () => {
  it('a full-width ＠ is named, with the half-width @ to type instead, in both languages', () => {
    const r = parse(['lisi@old.cn,lisi@new.cn,,', 'zhangsan＠old.cn,zhangsan@new.cn,,']);
    expect(r.rows.map((row) => row.line)).toEqual([2]);
    expect(r.errors).toEqual([
      {
        line: 3,
        message:
          'The "source" address contains full-width characters, as a Chinese input method types them in full-width mode: "＠": type the half-width "@". Switch the input method to half-width (or English) and type the address again.',
        messageZh: '“待搬家账号”中有全角字符（中文输入法全角模式下输入的）：“＠”请改为半角“@”。请将输入法切换为半角（或英文）后重新输入该地址。',
      },
    ]);
  });

  it('the full-width dot, the ideographic full stop, digits and letters are named too (they passed as valid before)', () => {
    const r = parse(['a@old．cn,a@new.cn,,', 'b@old.cn,b@new。cn,,', 'ｃ１@old.cn,c@new.cn,,']);
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(r.errors[0]!.message).toContain('"．": type the half-width "."');
    expect(r.errors[0]!.messageZh).toContain('“．”请改为半角“.”');
    expect(r.errors[1]!.message).toMatch(/^The "target" address/);
    expect(r.errors[1]!.messageZh).toContain('“搬家账号”中有全角字符');
    expect(r.errors[1]!.messageZh).toContain('“。”请改为半角“.”');
    expect(r.errors[2]!.message).toContain('"ｃ": type the half-width "c"; "１": type the half-width "1"');
    expect(r.errors[2]!.messageZh).toContain('“ｃ”请改为半角“c”；“１”请改为半角“1”');
  });

  it('an ideographic space inside an address is said to be deleted; around it, it is trimmed like any space', () => {
    const r = parse(['zhang\u3000san@old.cn,zhangsan@new.cn,,', '\u3000lisi@old.cn\u3000,lisi@new.cn,,']);
    expect(r.rows.map((row) => row.source)).toEqual(['lisi@old.cn']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toContain('the full-width space (U+3000): delete it, an address has no spaces');
    expect(r.errors[0]!.messageZh).toContain('全角空格（U+3000）请删除，地址中不能有空格');
  });

  it('an address typed all in full-width names a few characters and says the rest are alike', () => {
    const r = parse(['ｚｈａｎｇｓａｎ＠ｏｌｄ．ｃｎ,zhangsan@new.cn,,'], '待搬家账号,搬家账号,待搬家账号密码,搬家账号密码');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^The "待搬家账号" \(source\) address contains full-width characters/);
    expect(r.errors[0]!.message).toContain('; and others like them.');
    expect(r.errors[0]!.messageZh).toContain('；其他全角字符同样处理。');
    expect(r.errors[0]!.messageZh.match(/请改为半角/g)).toHaveLength(4);
  });

  it('Chinese characters in an internationalised address are not full-width forms: still accepted', () => {
    const r = parse(['张三@公司.中国,张三@新公司.中国,,']);
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
  });
});
