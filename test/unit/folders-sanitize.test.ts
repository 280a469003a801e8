import { describe, it, expect } from 'vitest';
import { sanitizeSegment, unsanitizeSegment } from '../../shared/folders';
import { STRICT_FORBIDDEN } from '../../shared/folders/sanitize';
import { folderNameForbidden } from '../../shared/folders/target-rules';

describe('sanitizeSegment', () => {
  it('keeps + * \\ / % where the target accepts them (only its delimiter is replaced)', () => {
    for (const delim of ['/', '.']) {
      expect(sanitizeSegment('C++ notes', delim)).toEqual({ value: 'C++ notes', changes: [] });
      expect(sanitizeSegment('a*b', delim).value).toBe('a*b');
      expect(sanitizeSegment('a\\b', delim).value).toBe('a\\b');
      expect(sanitizeSegment('100% sure', delim).value).toBe('100% sure');
    }
    expect(sanitizeSegment('a/b', '.').value).toBe('a/b');
    expect(sanitizeSegment('a/b', '/').value).toBe('a／b');
  });

  it('replaces + * \\ / % with their fullwidth forms for a target known to refuse them', () => {
    const strict = [...STRICT_FORBIDDEN];
    for (const delim of ['/', '.']) {
      expect(sanitizeSegment('C++ notes', delim, strict)).toEqual({ value: 'C＋＋ notes', changes: [{ from: '+', to: '＋' }] });
      expect(sanitizeSegment('a*b', delim, strict).value).toBe('a＊b');
      expect(sanitizeSegment('a\\b', delim, strict).value).toBe('a＼b');
      expect(sanitizeSegment('50%', delim, strict).value).toBe('50％');
    }
    expect(sanitizeSegment('a/b', '.', strict).value).toBe('a／b');
    expect(folderNameForbidden('aliyun')).toEqual(['+', '*', '\\', '/']);
    expect(folderNameForbidden('tencent')).toEqual([]);
    expect(folderNameForbidden(undefined)).toEqual([]);
  });

  it("replaces the target's delimiter inside a segment", () => {
    expect(sanitizeSegment('v1.2', '.')).toEqual({ value: 'v1．2', changes: [{ from: '.', to: '．' }] });
    expect(sanitizeSegment('v1.2', '/')).toEqual({ value: 'v1.2', changes: [] });
    expect(sanitizeSegment('li.lei@example.com', '.').value).toBe('li．lei@example．com');
    expect(sanitizeSegment('a:b', ':').value).toBe('a：b');
  });

  it('honours extraForbidden', () => {
    expect(sanitizeSegment('a&b~c', '/', ['&', '~']).value).toBe('a＆b～c');
    expect(sanitizeSegment('a"b', '/', ['"']).value).toBe('a＂b');
  });

  it('makes control characters, edge spaces and empty segments visible', () => {
    expect(sanitizeSegment('a\tb', '/').value).toBe('a␉b');
    expect(sanitizeSegment('a\u0000b\u007f', '/').value).toBe('a␀b␡');
    expect(sanitizeSegment('  x y ', '/')).toEqual({ value: '␠␠x y␠', changes: [{ from: ' ', to: '␠' }] });
    expect(sanitizeSegment('   ', '/').value).toBe('␠␠␠');
    expect(sanitizeSegment('', '/')).toEqual({ value: '∅', changes: [{ from: '', to: '∅' }] });
  });

  it('leaves ordinary names (Chinese included) alone and reports no change', () => {
    for (const name of ['INBOX', '客户资料', 'Projects 2024', '已发送', 'Sent Items', 'émigré', '😀 fun']) {
      expect(sanitizeSegment(name, '.'), name).toEqual({ value: name, changes: [] });
    }
  });

  it('lists each distinct substitution once, in order of first occurrence', () => {
    expect(sanitizeSegment('a+b*c+d.e', '.', [...STRICT_FORBIDDEN]).changes).toEqual([
      { from: '+', to: '＋' },
      { from: '*', to: '＊' },
      { from: '.', to: '．' },
    ]);
  });

  it('is deterministic', () => {
    expect(sanitizeSegment(' a+b/c.d ', '.')).toEqual(sanitizeSegment(' a+b/c.d ', '.'));
  });
});

describe('unsanitizeSegment round trip', () => {
  const samples = [
    'C++',
    'a*b',
    'back\\slash',
    '100%',
    'x/y/z',
    'v1.2.3',
    ' lead',
    'trail ',
    '  both  ',
    'in side',
    'tab\there',
    'nul\u0000',
    'del\u007f',
    '',
    '客户/项目+2024.Q1',
    '   ',
    'li.lei+tag@example.com',
    'a:b',
  ];
  for (const delim of ['/', '.', ':']) {
    it(`restores the original segment (target delimiter '${delim}')`, () => {
      for (const s of samples) {
        const { value } = sanitizeSegment(s, delim, [...STRICT_FORBIDDEN, '~']);
        expect(unsanitizeSegment(value, delim, [...STRICT_FORBIDDEN, '~']), JSON.stringify(s)).toBe(s);
        // And the sanitised value is safe: no forbidden char, no delimiter, no control char.
        expect(value).not.toMatch(/[+*\\/%~\u0000-\u001f\u007f]/);
        expect(value.includes(delim)).toBe(false);
        expect(value).not.toMatch(/^ | $/);
        expect(value.length).toBeGreaterThan(0);
      }
    });
  }

  it('only turns ␠ back into spaces at the edges', () => {
    expect(unsanitizeSegment('a␠b', '/')).toBe('a␠b');
    expect(unsanitizeSegment('␠a␠', '/')).toBe(' a ');
  });

  it("does not turn '．' back into '.' unless '.' is the delimiter", () => {
    expect(unsanitizeSegment('v1．2', '/')).toBe('v1．2');
    expect(unsanitizeSegment('v1．2', '.')).toBe('v1.2');
  });
});
