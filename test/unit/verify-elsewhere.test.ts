import { describe, expect, it } from 'vitest';
import type { MessageMeta } from '../../bridge/verify/folder-meta';
import { asVerifyMessage, findElsewhere } from '../../bridge/verify/verify-account';
import type { VerifyFolder } from '../../shared/verify';

let next = 1;
function meta(fp: string, uid = next++): MessageMeta {
  return { uid, fingerprint: fp, size: 100, flags: ['\\Seen'], internalDate: new Date('2024-01-02T03:04:05Z'), messageId: `<${fp}@x>`, subject: fp };
}
function checked(source: string, target: string, missing: MessageMeta[], extra: MessageMeta[]) {
  const folder: VerifyFolder = { source, target, sourceCount: 0, targetCount: 0, matched: 0, missing: missing.map(asVerifyMessage), extra: extra.map(asVerifyMessage), changed: [], skipped: [], rewritten: [], elsewhere: [], outOfScope: 0 };
  return { folder, missing, extra };
}

describe('verify: a copy filed into another target folder (findElsewhere)', () => {
  it('pairs a missing message with an unaccounted copy in another target folder', () => {
    const out = findElsewhere([checked('INBOX', 'INBOX', [meta('a')], []), checked('Filed', 'Filed', [], [meta('a', 7)])]);
    expect(out[0]!.missing).toEqual([]);
    expect(out[0]!.elsewhere.map((e) => [e.targetFolder, e.targetUid])).toEqual([['Filed', 7]]);
  });

  it('two source folders into one target folder: a copy the other folder accounts for hides no missing message', () => {
    // 'Projects-old' holds 'a' twice, its target 'Projects' one copy: one is missing. 'Projects'
    // (mapped to the same target folder) sees that one copy as extra, since it is not its mail.
    const copy = meta('a', 3);
    const out = findElsewhere([checked('Projects-old', 'Projects', [meta('a')], []), checked('Projects', 'Projects', [], [copy])]);
    expect(out[0]!.missing).toHaveLength(1);
    expect(out[0]!.elsewhere).toEqual([]);
  });

  it('a stray target message seen as extra by two source folders of its target folder is one copy, not two', () => {
    const strayForA = meta('x', 9);
    const strayForB = meta('x', 9);
    const out = findElsewhere([
      checked('A', 'T', [], [strayForA]),
      checked('B', 'T', [], [strayForB]),
      checked('C', 'U', [meta('x'), meta('x')], []),
    ]);
    expect(out[2]!.elsewhere).toHaveLength(1);
    expect(out[2]!.missing).toHaveLength(1);
  });
});

describe('verify: copies in a target folder no source folder maps to, and messages without a Message-ID', () => {
  const noId = (fp: string, uid = next++): MessageMeta => ({ ...meta(fp, uid), messageId: null });

  it('finds a missing message in a target-only folder, each copy taken once', () => {
    const out = findElsewhere([checked('INBOX', 'INBOX', [meta('a'), meta('a'), meta('b')], [])], [{ target: 'Keep', messages: [meta('a', 3), meta('b', 4)] }]);
    expect(out[0]!.elsewhere.map((e) => [e.targetFolder, e.targetUid])).toEqual([['Keep', 3], ['Keep', 4]]);
    expect(out[0]!.missing).toHaveLength(1);
  });

  it('without a Message-ID, only a copy with the same body is the message\'s own', () => {
    const x1 = noId('x');
    const x2 = noId('x');
    const copyOfX2 = noId('x', 9);
    const bodies = { source: new Map([[x1, 'body-1'], [x2, 'body-2']]), target: new Map([['Keep\u00009', 'body-2']]) };
    const out = findElsewhere([checked('INBOX', 'INBOX', [x1, x2], [])], [{ target: 'Keep', messages: [copyOfX2] }], bodies);
    expect(out[0]!.missing.map((m) => m.uid)).toEqual([x1.uid]);
    expect(out[0]!.elsewhere.map((e) => [e.uid, e.targetUid])).toEqual([[x2.uid, 9]]);
  });

  it('a target folder that does not exist (renamed on the new system): all of its mail elsewhere clears the error', () => {
    const c = { ...checked('Work', 'Work', [meta('w')], []), targetAbsent: true };
    c.folder.error = { code: 'FOLDER_NOT_FOUND', message: 'Target folder "Work" does not exist' };
    const out = findElsewhere([c], [{ target: 'Work-2024', messages: [meta('w', 5)] }]);
    expect(out[0]!.error).toBeUndefined();
    expect(out[0]!.elsewhere.map((e) => e.targetFolder)).toEqual(['Work-2024']);
  });
});
