import { STRICT_FORBIDDEN } from '../../shared/folders/sanitize';
import { describe, it, expect } from 'vitest';
import {
  compareTargetPaths,
  mapFolders,
  targetParents,
  type FolderMapping,
  type MapOptions,
  type SourceFolder,
  type SpecialUse,
  type TargetLayout,
} from '../../shared/folders';

const folder = (path: string, delimiter: string | null = '/', flags: string[] = [], specialUse?: SpecialUse): SourceFolder =>
  specialUse ? { path, delimiter, flags, specialUse } : { path, delimiter, flags };

const dovecot = (over: Partial<TargetLayout> = {}): TargetLayout => ({
  delimiter: '/',
  prefix: '',
  specialUse: { '\\Sent': 'Sent', '\\Drafts': 'Drafts', '\\Trash': 'Trash', '\\Junk': 'Junk', '\\Archive': 'Archive' },
  existing: ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive'],
  ...over,
});

const courier = (over: Partial<TargetLayout> = {}): TargetLayout => ({
  delimiter: '.',
  prefix: 'INBOX.',
  specialUse: {},
  existing: ['INBOX'],
  ...over,
});

const mapped = (over: Partial<MapOptions> = {}): MapOptions => ({
  mode: 'mapped',
  sourceAddress: 'li.lei@example.com',
  sourcePrefix: '',
  ...over,
});

const targets = (ms: FolderMapping[]): Record<string, string> => Object.fromEntries(ms.map((m) => [m.source, m.target]));
const bySource = (ms: FolderMapping[], source: string): FolderMapping => {
  const m = ms.find((x) => x.source === source);
  if (!m) throw new Error(`no mapping for ${source}`);
  return m;
};

function expectNoSharedTargets(ms: FolderMapping[]): void {
  const seen = new Map<string, string>();
  for (const m of ms) {
    const key = m.target.toLowerCase();
    expect(seen.has(key), `${m.source} and ${seen.get(key)} both → ${m.target}`).toBe(false);
    seen.set(key, m.source);
  }
}

function expectParentsFirst(ms: FolderMapping[], delimiter: string): void {
  const index = new Map(ms.map((m, i) => [m.target, i]));
  ms.forEach((m, i) => {
    const segs = m.target.split(delimiter);
    for (let k = 1; k < segs.length; k++) {
      const anc = segs.slice(0, k).join(delimiter);
      const j = index.get(anc);
      if (j !== undefined) expect(j, `${anc} must precede ${m.target}`).toBeLessThan(i);
    }
  });
}

/** Deterministic shuffle (no Math.random: reproducible). */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('mapFolders, mapped mode: INBOX and roles', () => {
  it('maps INBOX to INBOX, case-insensitively', () => {
    const ms = mapFolders([folder('Inbox')], dovecot(), mapped());
    expect(ms).toEqual([{ source: 'Inbox', target: 'INBOX', selectable: true, sanitized: [], reason: 'inbox' }]);
  });

  it("maps flagged folders onto the target's folders of the same role", () => {
    const ms = mapFolders(
      [
        folder('INBOX'),
        folder('Sent Mail', '/', ['\\Sent']),
        folder('Papierkorb', '/', [], '\\Trash'),
        folder('Bulk', '/', ['\\HasNoChildren', '\\Spam']),
      ],
      dovecot({ specialUse: { '\\Sent': 'Gesendet', '\\Trash': 'Gelöscht', '\\Junk': 'Spam' } }),
      mapped(),
    );
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'Sent Mail': 'Gesendet', Papierkorb: 'Gelöscht', Bulk: 'Spam' });
    expect(bySource(ms, 'Sent Mail')).toMatchObject({ role: '\\Sent', reason: 'special-use', selectable: true });
    expect(bySource(ms, 'Bulk')).toMatchObject({ role: '\\Junk', reason: 'special-use' });
  });

  it('maps localized names (NetEase source) onto the target role folders; 病毒文件夹 stays custom', () => {
    const ms = mapFolders(
      ['INBOX', '草稿箱', '已发送', '已删除', '垃圾邮件', '病毒文件夹', '广告邮件'].map((p) => folder(p)),
      dovecot(),
      mapped({ providerHint: 'netease' }),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      草稿箱: 'Drafts',
      已发送: 'Sent',
      已删除: 'Trash',
      垃圾邮件: 'Junk',
      病毒文件夹: '病毒文件夹',
      广告邮件: '广告邮件',
    });
    expect(bySource(ms, '已发送')).toMatchObject({ role: '\\Sent', reason: 'localized-name' });
    expect(bySource(ms, '病毒文件夹').role).toBeUndefined();
    expect(bySource(ms, '病毒文件夹').reason).toBe('custom');
  });

  it('maps English names onto a Chinese target (Alibaba with SPECIAL-USE)', () => {
    const ms = mapFolders(
      ['INBOX', 'Sent Items', 'Deleted Items', 'Junk E-mail', 'Drafts', 'Outbox'].map((p) => folder(p)),
      dovecot({ specialUse: { '\\Sent': '已发送', '\\Drafts': '草稿', '\\Trash': '已删除', '\\Junk': '垃圾邮件' }, existing: [] }),
      mapped({ providerHint: 'outlook' }),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      'Sent Items': '已发送',
      'Deleted Items': '已删除',
      'Junk E-mail': '垃圾邮件',
      Drafts: '草稿',
      Outbox: 'Outbox',
    });
  });

  it('without a target role folder: an unflagged existing one recognised by name, else the English name under the prefix', () => {
    const ms = mapFolders(
      ['INBOX', 'Sent Messages', 'Deleted Messages', 'Drafts', 'Junk', 'Archive'].map((p) => folder(p)),
      { delimiter: '/', prefix: '', specialUse: {}, existing: ['INBOX', '已发送', '垃圾邮件'] },
      mapped({ providerHint: 'apple' }),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      'Sent Messages': '已发送',
      Junk: '垃圾邮件',
      'Deleted Messages': 'Trash',
      Drafts: 'Drafts',
      Archive: 'Archive',
    });
    const c = mapFolders([folder('INBOX'), folder('已删除')], courier(), mapped());
    expect(targets(c)).toEqual({ INBOX: 'INBOX', 已删除: 'INBOX.Trash' });
  });

  it('does not reuse an existing folder the target flags with another role', () => {
    // The target flags 垃圾箱 as its trash; a source Junk must not land there because of the name.
    const ms = mapFolders(
      [folder('INBOX'), folder('Junk')],
      { delimiter: '/', prefix: '', specialUse: { '\\Trash': '垃圾箱' }, existing: ['INBOX', '垃圾箱'] },
      mapped(),
    );
    expect(bySource(ms, 'Junk')).toMatchObject({ target: 'Junk', role: '\\Junk' });
  });

  it('sub-folders follow their role folder', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('Sent Items'), folder('Sent Items/2019'), folder('Sent Items/2019/Q1')],
      dovecot({ specialUse: { '\\Sent': '已发送' } }),
      mapped(),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      'Sent Items': '已发送',
      'Sent Items/2019': '已发送/2019',
      'Sent Items/2019/Q1': '已发送/2019/Q1',
    });
    expect(bySource(ms, 'Sent Items/2019').role).toBeUndefined();
    // ...also when the source is Courier-style and the target uses '.'
    const c = mapFolders(
      [folder('INBOX', '.'), folder('INBOX.Sent', '.'), folder('INBOX.Sent.2019', '.')],
      courier({ specialUse: { '\\Sent': 'INBOX.Sent Items' } }),
      mapped({ sourcePrefix: 'INBOX.' }),
    );
    expect(targets(c)).toEqual({ INBOX: 'INBOX', 'INBOX.Sent': 'INBOX.Sent Items', 'INBOX.Sent.2019': 'INBOX.Sent Items.2019' });
  });

  it('two folders with one role: the flagged one wins, the other keeps its own name', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('已发送'), folder('Sent Items', '/', ['\\Sent'])],
      dovecot({ specialUse: { '\\Sent': 'Sent Items' } }),
      mapped(),
    );
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'Sent Items': 'Sent Items', 已发送: '已发送' });
    expect(bySource(ms, 'Sent Items')).toMatchObject({ role: '\\Sent', reason: 'special-use' });
    expect(bySource(ms, '已发送')).toMatchObject({ reason: 'custom' });
    expect(bySource(ms, '已发送').role).toBeUndefined();
  });

  it('two name-detected folders with one role: the hinted provider wins, else the first in code-unit order', () => {
    const sources = [folder('INBOX'), folder('Sent'), folder('Sent Messages')];
    const hinted = mapFolders(sources, dovecot({ specialUse: { '\\Sent': 'Sent Items' } }), mapped({ providerHint: 'apple' }));
    expect(targets(hinted)).toEqual({ INBOX: 'INBOX', 'Sent Messages': 'Sent Items', Sent: 'Sent' });
    const plain = mapFolders(sources, dovecot({ specialUse: { '\\Sent': 'Sent Items' } }), mapped());
    expect(targets(plain)).toEqual({ INBOX: 'INBOX', Sent: 'Sent Items', 'Sent Messages': 'Sent Messages' });
  });

  it('a loser whose own name equals the role target gets a suffix instead of merging', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('Sent'), folder('Sent Items', '/', ['\\Sent'])],
      { delimiter: '/', prefix: '', specialUse: {}, existing: ['INBOX'] },
      mapped(),
    );
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'Sent Items': 'Sent', Sent: 'Sent (2)' });
    expect(bySource(ms, 'Sent').sanitized).toEqual([{ segment: 'Sent', value: 'Sent (2)' }]);
  });

  it('providerHint changes the mapping of an ambiguous name (发件箱)', () => {
    const src = [folder('INBOX'), folder('发件箱')];
    expect(targets(mapFolders(src, dovecot(), mapped()))).toEqual({ INBOX: 'INBOX', 发件箱: 'Sent' });
    expect(targets(mapFolders(src, dovecot(), mapped({ providerHint: 'outlook' })))).toEqual({ INBOX: 'INBOX', 发件箱: '发件箱' });
  });

  it('Gmail source: [Gmail] system folders go to roles, the empty [Gmail] shell is not created', () => {
    const ms = mapFolders(
      [
        folder('INBOX'),
        folder('[Gmail]', '/', ['\\Noselect', '\\HasChildren']),
        folder('[Gmail]/Sent Mail', '/', ['\\Sent']),
        folder('[Gmail]/Drafts', '/', ['\\Drafts']),
        folder('[Gmail]/Trash', '/', ['\\Trash']),
        folder('[Gmail]/Spam', '/', ['\\Junk']),
        folder('Receipts'),
      ],
      dovecot(),
      mapped({ providerHint: 'gmail' }),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      '[Gmail]/Sent Mail': 'Sent',
      '[Gmail]/Drafts': 'Drafts',
      '[Gmail]/Trash': 'Trash',
      '[Gmail]/Spam': 'Junk',
      Receipts: 'Receipts',
    });
  });

  it('\\All and \\Flagged without a target folder of that role are copied as custom folders', () => {
    const src = [
      folder('INBOX'),
      folder('[Gmail]', '/', ['\\Noselect', '\\HasChildren']),
      folder('[Gmail]/All Mail', '/', ['\\All']),
      folder('[Gmail]/Starred', '/', ['\\Flagged']),
    ];
    const ms = mapFolders(src, dovecot(), mapped());
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      '[Gmail]': '[Gmail]',
      '[Gmail]/All Mail': '[Gmail]/All Mail',
      '[Gmail]/Starred': '[Gmail]/Starred',
    });
    expect(bySource(ms, '[Gmail]').selectable).toBe(false);
    expect(bySource(ms, '[Gmail]/All Mail').role).toBeUndefined();
    // Into another Gmail account they land on its role folders.
    const g = mapFolders(src, dovecot({ specialUse: { '\\All': '[Gmail]/All Mail', '\\Flagged': '[Gmail]/Starred' } }), mapped());
    expect(bySource(g, '[Gmail]/All Mail')).toMatchObject({ target: '[Gmail]/All Mail', role: '\\All' });
    expect(bySource(g, '[Gmail]/Starred')).toMatchObject({ target: '[Gmail]/Starred', role: '\\Flagged' });
  });
});

describe('mapFolders, mapped mode: custom folders, prefixes and separators', () => {
  it('Courier source (INBOX. prefix, ".") → prefix-less "/" target: the prefix is stripped', () => {
    const ms = mapFolders(
      ['INBOX', 'INBOX.Sent', 'INBOX.Drafts', 'INBOX.Projects', 'INBOX.Projects.Alpha', 'INBOX.客户'].map((p) => folder(p, '.')),
      dovecot(),
      mapped({ sourcePrefix: 'INBOX.' }),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      'INBOX.Sent': 'Sent',
      'INBOX.Drafts': 'Drafts',
      'INBOX.Projects': 'Projects',
      'INBOX.Projects.Alpha': 'Projects/Alpha',
      'INBOX.客户': '客户',
    });
  });

  it('prefix-less "/" source → Courier target: everything goes under INBOX.', () => {
    const ms = mapFolders(
      ['INBOX', 'Projects', 'Projects/Alpha', 'Sent'].map((p) => folder(p)),
      courier(),
      mapped(),
    );
    expect(targets(ms)).toEqual({
      INBOX: 'INBOX',
      Projects: 'INBOX.Projects',
      'Projects/Alpha': 'INBOX.Projects.Alpha',
      Sent: 'INBOX.Sent',
    });
  });

  it('children of INBOX on a prefix-less source stay children of INBOX', () => {
    const toDovecot = mapFolders([folder('INBOX'), folder('INBOX/Receipts'), folder('INBOX/Receipts/2024')], dovecot(), mapped());
    expect(targets(toDovecot)).toEqual({ INBOX: 'INBOX', 'INBOX/Receipts': 'INBOX/Receipts', 'INBOX/Receipts/2024': 'INBOX/Receipts/2024' });
    const lower = mapFolders([folder('INBOX'), folder('inbox/Receipts')], dovecot(), mapped());
    expect(bySource(lower, 'inbox/Receipts').target).toBe('INBOX/Receipts');
  });

  it('on a Courier target a top-level folder and an INBOX child of the same name collide and are told apart', () => {
    const ms = mapFolders([folder('INBOX'), folder('INBOX/Receipts'), folder('Receipts')], courier(), mapped());
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'INBOX/Receipts': 'INBOX.Receipts (2)', Receipts: 'INBOX.Receipts' });
  });

  it('Courier on both sides', () => {
    const ms = mapFolders(
      ['INBOX', 'INBOX.Sent', 'INBOX.a', 'INBOX.a.b'].map((p) => folder(p, '.')),
      courier(),
      mapped({ sourcePrefix: 'INBOX.' }),
    );
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'INBOX.Sent': 'INBOX.Sent', 'INBOX.a': 'INBOX.a', 'INBOX.a.b': 'INBOX.a.b' });
  });

  it('translates "/" → "." and sanitises the new delimiter inside names, keeping what the target accepts', () => {
    const ms = mapFolders([folder('INBOX'), folder('Releases'), folder('Releases/v1.2'), folder('a+b')], courier({ prefix: '' }), mapped());
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', Releases: 'Releases', 'Releases/v1.2': 'Releases.v1．2', 'a+b': 'a+b' });
    expect(bySource(ms, 'Releases/v1.2').sanitized).toEqual([{ segment: 'v1.2', value: 'v1．2' }]);
  });

  it('translates "." → "/" and sanitises a "/" inside a name', () => {
    const ms = mapFolders(
      ['INBOX', 'INBOX.Q1/Q2', 'INBOX.Q1/Q2.Notes'].map((p) => folder(p, '.')),
      dovecot(),
      mapped({ sourcePrefix: 'INBOX.' }),
    );
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'INBOX.Q1/Q2': 'Q1／Q2', 'INBOX.Q1/Q2.Notes': 'Q1／Q2/Notes' });
    // The child's record names the ancestor segment that was changed too.
    expect(bySource(ms, 'INBOX.Q1/Q2.Notes').sanitized).toEqual([{ segment: 'Q1/Q2', value: 'Q1／Q2' }]);
  });

  it('a null (flat) source delimiter keeps the whole name as one segment', () => {
    const ms = mapFolders([folder('INBOX', null), folder('a/b.c', null)], courier({ prefix: '' }), mapped());
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'a/b.c': 'a/b．c' });
  });

  it('applies extraForbidden', () => {
    const ms = mapFolders([folder('INBOX'), folder('R&D')], dovecot(), mapped({ extraForbidden: ['&'] }));
    expect(bySource(ms, 'R&D').target).toBe('R＆D');
  });

  it('accepts a target prefix written without its delimiter', () => {
    const ms = mapFolders([folder('INBOX'), folder('Work')], courier({ prefix: 'INBOX' }), mapped());
    expect(bySource(ms, 'Work').target).toBe('INBOX.Work');
  });
});

describe('mapFolders: collisions and determinism', () => {
  it('never maps two source folders to one target: sanitising collisions get (2), (3)…', () => {
    // A target known to refuse '+' (extraForbidden), where a+b and a＋b meet.
    const ms = mapFolders([folder('INBOX'), folder('a+b'), folder('a＋b'), folder('a＋b (2)')], dovecot(), mapped({ extraForbidden: [...STRICT_FORBIDDEN] }));
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'a+b': 'a＋b', 'a＋b': 'a＋b (2)', 'a＋b (2)': 'a＋b (2) (2)' });
    expectNoSharedTargets(ms);
  });

  it('treats targets differing only in ASCII case as colliding (case-insensitive targets)', () => {
    const ms = mapFolders([folder('INBOX'), folder('Work'), folder('work'), folder('WORK'), folder('WORK/Sub')], dovecot(), mapped());
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', WORK: 'WORK', 'WORK/Sub': 'WORK/Sub', Work: 'Work (2)', work: 'work (3)' });
    expectNoSharedTargets(ms);
  });

  it('a folder named like INBOX below the Courier prefix does not take INBOX', () => {
    const ms = mapFolders([folder('INBOX', '.'), folder('INBOX.inbox', '.')], dovecot(), mapped({ sourcePrefix: 'INBOX.' }));
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'INBOX.inbox': 'inbox (2)' });
  });

  it('children follow a renamed parent', () => {
    const ms = mapFolders([folder('INBOX'), folder('a+b'), folder('a＋b'), folder('a＋b/child')], dovecot(), mapped({ extraForbidden: [...STRICT_FORBIDDEN] }));
    expect(bySource(ms, 'a＋b/child').target).toBe('a＋b (2)/child');
    expect(bySource(ms, 'a＋b/child').sanitized).toEqual([{ segment: 'a＋b', value: 'a＋b (2)' }]);
  });

  it('gives the same result whatever the input order', () => {
    const src = [
      folder('INBOX'),
      folder('Sent'),
      folder('Sent Items', '/', ['\\Sent']),
      folder('已发送'),
      folder('a+b'),
      folder('a＋b'),
      folder('Work'),
      folder('work'),
      folder('x', '/', ['\\Noselect']),
      folder('x/y'),
      folder('x/y/z'),
      folder('INBOX/Receipts'),
      folder('Receipts'),
      folder('垃圾邮件'),
      folder('Junk'),
    ];
    const expected = mapFolders(src, courier(), mapped());
    for (let seed = 1; seed <= 10; seed++) {
      expect(mapFolders(shuffled(src, seed), courier(), mapped())).toEqual(expected);
    }
    expectNoSharedTargets(expected);
    expectParentsFirst(expected, '.');
  });

  it('only one source folder can be INBOX', () => {
    const ms = mapFolders([folder('Inbox'), folder('INBOX')], dovecot(), mapped());
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', Inbox: 'INBOX (2)' });
  });

  it('ignores a folder listed twice', () => {
    const ms = mapFolders([folder('INBOX'), folder('A'), folder('A')], dovecot(), mapped());
    expect(ms.map((m) => m.source)).toEqual(['INBOX', 'A']);
  });
});

describe('mapFolders: \\Noselect, \\NonExistent and ordering', () => {
  it('keeps \\Noselect parents as selectable=false so the tree is created', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('Archive2', '/', ['\\Noselect', '\\HasChildren']), folder('Archive2/2019'), folder('Empty', '/', ['\\NoSelect'])],
      dovecot(),
      mapped(),
    );
    expect(bySource(ms, 'Archive2')).toMatchObject({ target: 'Archive2', selectable: false, reason: 'custom' });
    expect(bySource(ms, 'Archive2/2019')).toMatchObject({ target: 'Archive2/2019', selectable: true });
    expect(bySource(ms, 'Empty')).toMatchObject({ selectable: false });
  });

  it('a \\Noselect folder never takes a role', () => {
    const ms = mapFolders([folder('INBOX'), folder('Sent', '/', ['\\Noselect']), folder('Sent/old')], { delimiter: '/', prefix: '', specialUse: {}, existing: [] }, mapped());
    expect(bySource(ms, 'Sent')).toMatchObject({ target: 'Sent', selectable: false, reason: 'custom' });
    expect(bySource(ms, 'Sent').role).toBeUndefined();
  });

  it('drops \\NonExistent folders; targetParents still lists their target', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('Ghost', '/', ['\\NonExistent', '\\HasChildren']), folder('Ghost/Real')],
      dovecot(),
      mapped(),
    );
    expect(ms.map((m) => m.source)).toEqual(['INBOX', 'Ghost/Real']);
    expect(bySource(ms, 'Ghost/Real').target).toBe('Ghost/Real');
    expect(targetParents(ms, '/')).toEqual(['Ghost']);
    expect(targetParents(ms, '/', ['Ghost'])).toEqual([]);
  });

  it('a folder whose parent is not listed is placed under the parent it would have had', () => {
    const ms = mapFolders([folder('INBOX', '.'), folder('INBOX.p.q.r', '.')], dovecot(), mapped({ sourcePrefix: 'INBOX.' }));
    expect(targets(ms)).toEqual({ INBOX: 'INBOX', 'INBOX.p.q.r': 'p/q/r' });
    expect(targetParents(ms, '/')).toEqual(['p', 'p/q']);
  });

  it('sorts parents first, INBOX first', () => {
    const src = ['b/c/d', 'b', 'b/c', 'a', 'INBOX/x', 'INBOX', 'Z', '中文', '中文/子'].map((p) => folder(p));
    const ms = mapFolders(src, dovecot(), mapped());
    expect(ms.map((m) => m.target)).toEqual(['INBOX', 'INBOX/x', 'Z', 'a', 'b', 'b/c', 'b/c/d', '中文', '中文/子']);
    expectParentsFirst(ms, '/');
  });

  it('compareTargetPaths orders a parent before its children even when a sibling sorts between them', () => {
    // 'a b' < 'a/b' in plain string order (' ' < '/'), but 'a' must still come right before 'a/b'.
    const paths = ['a b', 'a/b', 'a'];
    expect([...paths].sort((x, y) => compareTargetPaths(x, y, '/'))).toEqual(['a', 'a/b', 'a b']);
  });
});

describe('mapFolders, unified mode (统一存储模式)', () => {
  const src = [
    folder('INBOX'),
    folder('Sent', '/', ['\\Sent']),
    folder('a'),
    folder('a/b'),
    folder('x+y'),
  ];

  it("puts everything under one folder named after the address ('/' target)", () => {
    const ms = mapFolders(src, dovecot(), { mode: 'unified', sourceAddress: 'li.lei@example.com', sourcePrefix: '' });
    expect(targets(ms)).toEqual({
      INBOX: 'li.lei@example.com/INBOX',
      Sent: 'li.lei@example.com/Sent',
      a: 'li.lei@example.com/a',
      'a/b': 'li.lei@example.com/a/b',
      'x+y': 'li.lei@example.com/x+y',
    });
    for (const m of ms) {
      expect(m.reason).toBe('unified');
      expect(m.role).toBeUndefined();
    }
    expect(targetParents(ms, '/')).toEqual(['li.lei@example.com']);
    expectParentsFirst(ms, '/');
  });

  it("sanitises the address on a '.' target so it does not become a hierarchy", () => {
    const ms = mapFolders(src, courier(), { mode: 'unified', sourceAddress: 'li.lei@example.com', sourcePrefix: '' });
    const root = 'INBOX.li．lei@example．com';
    expect(targets(ms)).toEqual({
      INBOX: `${root}.INBOX`,
      Sent: `${root}.Sent`,
      a: `${root}.a`,
      'a/b': `${root}.a.b`,
      'x+y': `${root}.x+y`,
    });
    expect(bySource(ms, 'a/b').sanitized).toEqual([{ segment: 'li.lei@example.com', value: 'li．lei@example．com' }]);
    expect(bySource(ms, 'x+y').sanitized).toEqual([{ segment: 'li.lei@example.com', value: 'li．lei@example．com' }]);
    expect(targetParents(ms, '.')).toEqual([root]);
  });

  it('unified from a Courier source keeps the sub-tree relative to the namespace', () => {
    const ms = mapFolders(
      ['INBOX', 'INBOX.Sent', 'INBOX.a', 'INBOX.a.b'].map((p) => folder(p, '.')),
      dovecot(),
      { mode: 'unified', sourceAddress: 'u@example.com', sourcePrefix: 'INBOX.' },
    );
    expect(targets(ms)).toEqual({
      INBOX: 'u@example.com/INBOX',
      'INBOX.Sent': 'u@example.com/Sent',
      'INBOX.a': 'u@example.com/a',
      'INBOX.a.b': 'u@example.com/a/b',
    });
  });

  it('unified: children of INBOX stay under INBOX, and a plus address is kept, or sanitised for a target known to refuse +', () => {
    const ms = mapFolders([folder('INBOX'), folder('INBOX/x')], dovecot(), { mode: 'unified', sourceAddress: 'a+b@example.com', sourcePrefix: '' });
    expect(targets(ms)).toEqual({ INBOX: 'a+b@example.com/INBOX', 'INBOX/x': 'a+b@example.com/INBOX/x' });
    const strict = mapFolders([folder('INBOX'), folder('INBOX/x')], dovecot(), {
      mode: 'unified',
      sourceAddress: 'a+b@example.com',
      sourcePrefix: '',
      extraForbidden: [...STRICT_FORBIDDEN],
    });
    expect(targets(strict)).toEqual({ INBOX: 'a＋b@example.com/INBOX', 'INBOX/x': 'a＋b@example.com/INBOX/x' });
  });

  it('unified: keeps \\Noselect parents and resolves collisions', () => {
    const ms = mapFolders(
      [folder('INBOX'), folder('p', '/', ['\\Noselect']), folder('p/q'), folder('k+1'), folder('k＋1')],
      dovecot(),
      { mode: 'unified', sourceAddress: 'u@example.com', sourcePrefix: '', extraForbidden: [...STRICT_FORBIDDEN] },
    );
    expect(bySource(ms, 'p')).toMatchObject({ target: 'u@example.com/p', selectable: false });
    expect(bySource(ms, 'k+1').target).toBe('u@example.com/k＋1');
    expect(bySource(ms, 'k＋1').target).toBe('u@example.com/k＋1 (2)');
    expectNoSharedTargets(ms);
  });
});
