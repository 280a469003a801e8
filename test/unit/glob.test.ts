import { describe, it, expect } from 'vitest';
import { folderMatcher, globName, toGlobPath, unmatchedGlobs } from '../../shared/glob';

describe('toGlobPath', () => {
  it("converts the server's delimiter to '/'", () => {
    expect(toGlobPath('INBOX.Projects.A', '.')).toBe('INBOX/Projects/A');
    expect(toGlobPath('Projects/A', '/')).toBe('Projects/A');
    expect(toGlobPath('a\\b', '\\')).toBe('a/b');
    expect(toGlobPath('flat.name', null)).toBe('flat.name');
    expect(toGlobPath('inbox/x', '/')).toBe('INBOX/x');
  });
});

describe('folderMatcher', () => {
  it('includes everything when include is empty', () => {
    const m = folderMatcher([], []);
    for (const p of ['INBOX', 'Sent', 'a/b/c', '中文/子']) expect(m(p, '/'), p).toBe(true);
  });

  it("'*' matches within one level, '**' any depth", () => {
    const m = folderMatcher(['Projects/*'], []);
    expect(m('Projects/A', '/')).toBe(true);
    expect(m('Projects/A/B', '/')).toBe(false);
    expect(m('Projects', '/')).toBe(false);
    const deep = folderMatcher(['Projects/**'], []);
    expect(deep('Projects/A/B', '/')).toBe(true);
    expect(deep('Projects', '/')).toBe(true);
    expect(deep('Other/Projects', '/')).toBe(false);
    expect(folderMatcher(['*'], [])('a/b', '/')).toBe(false);
    expect(folderMatcher(['**'], [])('a/b', '/')).toBe(true);
  });

  it("'Archive' matches exactly that folder; 'Archive/**' also its children", () => {
    const exact = folderMatcher(['Archive'], []);
    expect(exact('Archive', '/')).toBe(true);
    expect(exact('Archive/2019', '/')).toBe(false);
    expect(exact('Archives', '/')).toBe(false);
    const tree = folderMatcher(['Archive/**'], []);
    expect(tree('Archive', '/')).toBe(true);
    expect(tree('Archive/2019', '/')).toBe(true);
    expect(tree('Archive/2019/Q1', '.')).toBe(true);
    expect(tree('Archive.2019.Q1', '.')).toBe(true);
  });

  it("uses '/' in globs whatever the server delimiter", () => {
    const m = folderMatcher(['INBOX/Projects/*'], []);
    expect(m('INBOX.Projects.A', '.')).toBe(true);
    expect(m('INBOX/Projects/A', '/')).toBe(true);
    expect(m('INBOX.Projects.A.B', '.')).toBe(false);
    // A '.' in a glob is a literal dot, not a separator.
    expect(folderMatcher(['v1.2'], [])('v1.2', '/')).toBe(true);
    expect(folderMatcher(['v1.2'], [])('v1.2', '.')).toBe(false);
  });

  it('is case-sensitive except for INBOX', () => {
    const m = folderMatcher(['Sent'], []);
    expect(m('Sent', '/')).toBe(true);
    expect(m('sent', '/')).toBe(false);
    const inbox = folderMatcher(['inbox/**'], []);
    expect(inbox('INBOX', '/')).toBe(true);
    expect(inbox('INBOX/Receipts', '/')).toBe(true);
    expect(inbox('Inbox.Receipts', '.')).toBe(true);
    expect(folderMatcher(['INBOX'], [])('inbox', '/')).toBe(true);
    expect(folderMatcher(['INBOX/Sent'], [])('INBOX/sent', '/')).toBe(false);
  });

  it('exclude wins over include', () => {
    const m = folderMatcher(['**'], ['Trash', 'Junk/**', '[Gmail]/All Mail']);
    expect(m('INBOX', '/')).toBe(true);
    expect(m('Trash', '/')).toBe(false);
    expect(m('Trash/old', '/')).toBe(true);
    expect(m('Junk', '/')).toBe(false);
    expect(m('Junk/x', '/')).toBe(false);
    expect(m('[Gmail]/All Mail', '/')).toBe(false);
    expect(m('[Gmail]/Sent Mail', '/')).toBe(true);
    const onlyExclude = folderMatcher([], ['*垃圾*']);
    expect(onlyExclude('垃圾邮件', '/')).toBe(false);
    expect(onlyExclude('已发送', '/')).toBe(true);
  });

  it('matches Chinese names and names starting with a dot', () => {
    const m = folderMatcher(['客户/*', '*'], []);
    expect(m('客户/华为', '/')).toBe(true);
    expect(m('.hidden', '/')).toBe(true);
  });

  it('treats [ ] and ( ) literally: Gmail and "(old)" folder names', () => {
    expect(folderMatcher(['[Gmail]/All Mail'], [])('[Gmail]/All Mail', '/')).toBe(true);
    expect(folderMatcher(['[Gmail]/All Mail'], [])('G/All Mail', '/')).toBe(false);
    expect(folderMatcher(['[Gmail]/**'], [])('[Gmail]/Starred', '/')).toBe(true);
    expect(folderMatcher(['[Gmail]/**'], [])('a/Starred', '/')).toBe(false);
    expect(folderMatcher(['Sent (old)'], [])('Sent (old)', '/')).toBe(true);
    expect(folderMatcher(['a+(b)'], [])('ab', '/')).toBe(false);
    expect(folderMatcher(['a+(b)'], [])('a+(b)', '/')).toBe(true);
  });

  it('supports braces and escaped glob characters', () => {
    expect(folderMatcher(['{Sent,Drafts}'], [])('Drafts', '/')).toBe(true);
    expect(folderMatcher(['{Sent,Drafts}'], [])('Trash', '/')).toBe(false);
    expect(folderMatcher(['Report \\*final\\*'], [])('Report *final*', '/')).toBe(true);
    expect(folderMatcher(['Report \\*final\\*'], [])('Report xfinalx', '/')).toBe(false);
  });

  it("treats a leading '!' literally (use exclude to negate)", () => {
    const m = folderMatcher(['!important'], []);
    expect(m('!important', '/')).toBe(true);
    expect(m('other', '/')).toBe(false);
  });

  it('ignores blank globs and leading/trailing slashes', () => {
    expect(folderMatcher(['', '  '], [])('anything', '/')).toBe(true);
    expect(folderMatcher(['/Archive/'], [])('Archive', '/')).toBe(true);
  });

  it('with a prefix, also matches the path relative to the personal namespace (Courier)', () => {
    const m = folderMatcher(['Archive/**'], ['Archive/tmp']);
    expect(m('INBOX.Archive.2019', '.')).toBe(false);
    expect(m('INBOX.Archive.2019', '.', 'INBOX.')).toBe(true);
    expect(m('INBOX.Archive.tmp', '.', 'INBOX.')).toBe(false);
    expect(m('INBOX', '.', 'INBOX.')).toBe(false);
    // The full path still works with a prefix.
    expect(folderMatcher(['INBOX/Archive/**'], [])('INBOX.Archive.x', '.', 'INBOX.')).toBe(true);
  });

  it('does not treat a backslash in a folder name as a separator', () => {
    const m = folderMatcher(['a\\\\b'], []);
    expect(m('a\\b', '/')).toBe(true);
    expect(folderMatcher(['a/b'], [])('a\\b', '/')).toBe(false);
  });
});

describe('unmatchedGlobs', () => {
  it("names the globs that match no folder, in the source's own layout (Cyrus/Courier: INBOX. prefix, '.' levels)", () => {
    const cyrus = [{ path: 'INBOX', delimiter: '.' }, { path: 'INBOX.Work', delimiter: '.' }, { path: 'INBOX.Work.2024', delimiter: '.' }, { path: 'INBOX.已发送', delimiter: '.' }];
    expect(unmatchedGlobs(['Work/**', 'INBOX', 'inbox', '已发送', 'Sent', 'Work/2025', 'Work/*'], cyrus, '.', 'INBOX.')).toEqual(['Sent', 'Work/2025']);
  });
  it("Dovecot's '/' layout without a prefix; an empty glob is not reported", () => {
    const dovecot = [{ path: 'INBOX', delimiter: '/' }, { path: 'Archive/2019', delimiter: null }];
    expect(unmatchedGlobs(['Archive/**', 'Archive', '  ', 'Archiv*', 'Archive/20*'], dovecot, '/')).toEqual(['Archive', 'Archiv*']);
  });
});

describe('globName', () => {
  it("names a folder as a filter does: '/' levels, without the INBOX. prefix; INBOX itself stays", () => {
    expect(globName('INBOX.Projects.2024', '.', 'INBOX.')).toBe('Projects/2024');
    expect(globName('INBOX', '.', 'INBOX.')).toBe('INBOX');
    expect(globName('Work/2024', '/')).toBe('Work/2024');
    for (const [path, delimiter, prefix] of [['INBOX.Projects.2024', '.', 'INBOX.'], ['Work/2024', '/', undefined]] as const) {
      expect(unmatchedGlobs([globName(path, delimiter, prefix)], [{ path, delimiter }], delimiter, prefix)).toEqual([]);
    }
  });
});
