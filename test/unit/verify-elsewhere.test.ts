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
