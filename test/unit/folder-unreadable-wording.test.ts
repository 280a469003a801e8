/**
 * What FOLDER_UNREADABLE's remedy says in either language: nothing it cannot know, in words a
 * reader of each language takes as meant.
 */
import { describe, expect, it } from 'vitest';
import { REMEDIES } from '../../shared/errors';

describe('FOLDER_UNREADABLE remedy', () => {
  it('does not state that the other folders were copied: a second damaged folder, or one not reached yet, is not', () => {
    // The remedy is the same for every account: it cannot know that every other folder was
    // copied (a second folder the server cannot read fails a later attempt or run).
    expect(REMEDIES.FOLDER_UNREADABLE.en).not.toMatch(/the other folders were copied/i);
    expect(REMEDIES.FOLDER_UNREADABLE.zh).not.toContain('其他文件夹已搬完');
  });

  it('zh: the server reads the other folders\' mail (a server does not "send folders")', () => {
    expect(REMEDIES.FOLDER_UNREADABLE.zh).not.toContain('发送其他文件夹');
    expect(REMEDIES.FOLDER_UNREADABLE.zh).toContain('读取其他文件夹中的邮件');
  });
});
