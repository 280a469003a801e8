import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy, type WireEvent } from '../support/recording-proxy';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const FOLDERS = ['INBOX', 'Archive', 'Work', 'Projects'];

const isLogin = (e: WireEvent) => e.kind === 'line' && /^\S+ (AUTHENTICATE|LOGIN)\b/i.test(e.text);
const commands = (events: readonly WireEvent[], verb: string) =>
  events.flatMap((e) => (e.kind === 'line' && new RegExp(`^\\S+ ${verb}\\b`, 'i').test(e.text) ? [e.text] : []));

describe("a pass's worker connections", () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let proxy: RecordingProxy;
  let targetProxy: RecordingProxy;
  let copied: number;
  let sourceFolders: Map<string, string[]>;
  let targetFolders: Map<string, string[]>;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'workers-src', users: [alice] }), startDovecot({ name: 'workers-tgt', users: [bob] })]);
    for (const [i, folder] of FOLDERS.entries()) await seedFolder(source, alice, folder, bulkMessages(200, 60 + i, { prefix: folder }));
    // The source in clear text (its STARTTLS hidden), so every command of every connection can be read.
    proxy = await startRecordingProxy(source.imapPort, { hideStartTls: true });
    targetProxy = await startRecordingProxy(target.imapPort, { hideStartTls: true });
    const state = tempStore();
    try {
      // 800 messages: four workers, each with its own source and target connection.
      const result = await migrateAccount(job({ ...plainEndpoint(source, alice), port: proxy.port }, { ...plainEndpoint(target, bob), port: targetProxy.port }, { concurrency: 4 }), state.store);
      expect(result.error).toBeNull();
      copied = result.messagesCopied;
    } finally {
      state.cleanup();
    }
    sourceFolders = new Map();
    targetFolders = new Map();
    for (const folder of FOLDERS) {
      sourceFolders.set(folder, identities(await readFolder(source, alice, folder)));
      targetFolders.set(folder, identities(await readFolder(target, bob, folder)));
    }
  });
  afterAll(async () => {
    await proxy?.close();
    await targetProxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('copies every message once', () => {
    expect(copied).toBe(800);
    for (const folder of FOLDERS) expect(targetFolders.get(folder), folder).toEqual(sourceFolders.get(folder));
  });

  it('log in at once: every extra connection is open before the first of them logs in', () => {
    const events = proxy.events();
    const extra = (e: WireEvent) => e.conn > 1;
    expect(new Set(events.map((e) => e.conn)).size).toBe(4);
    const lastOpen = events.findLastIndex((e) => extra(e) && e.kind === 'open');
    const firstLogin = events.findIndex((e) => extra(e) && isLogin(e));
    expect(firstLogin).toBeGreaterThan(-1);
    // One after another, the second connection would log in before the third was opened.
    expect(lastOpen).toBeLessThan(firstLogin);
  });

  it("open folders without listing each again: the pass's one LIST is all", () => {
    const events = proxy.events();
    // imapflow sends LIST "" <folder> (and LSUB) before EXAMINE on a connection that has not listed it.
    expect(commands(events, 'LIST')).toEqual([expect.stringMatching(/^\S+ LIST "" "\*"/)]);
    expect(commands(events, 'LSUB')).toEqual([]);
    // every folder was opened, by more than one connection between them
    const examined = events.filter((e) => e.kind === 'line' && /^\S+ EXAMINE /i.test(e.text));
    expect(new Set(examined.map((e) => e.conn)).size).toBeGreaterThan(1);
    for (const folder of FOLDERS) expect(examined.some((e) => e.kind === 'line' && e.text.includes(folder)), folder).toBe(true);
  });

  it("ask the target folder's STATUS while the source fetches the folder's metadata, not after", () => {
    // When each folder's metadata FETCH (the one with the fingerprint headers) ended on the source.
    const fetched = new Map<string, number>();
    const examined = new Map<number, string>();
    const pending = new Map<string, string>();
    for (const e of proxy.events()) {
      if (e.kind === 'line') {
        const box = /^\S+ EXAMINE "?([^"]+)"?$/.exec(e.text);
        if (box) examined.set(e.conn, box[1]!);
        const meta = /^(\S+) UID FETCH .*HEADER\.FIELDS/.exec(e.text);
        if (meta) pending.set(`${e.conn} ${meta[1]}`, examined.get(e.conn)!);
      } else if (e.kind === 'reply') {
        const tag = /^(\S+) OK/.exec(e.text)?.[1];
        const folder = tag ? pending.get(`${e.conn} ${tag}`) : undefined;
        if (folder && !fetched.has(folder)) fetched.set(folder, e.seq);
      }
    }
    for (const folder of FOLDERS) {
      const asked = targetProxy.events().find((e) => e.kind === 'line' && new RegExp(`^\\S+ STATUS "?${folder}"? \\(`).test(e.text));
      expect(fetched.get(folder), folder).toBeDefined();
      expect(asked, folder).toBeDefined();
      expect(asked!.seq, folder).toBeLessThan(fetched.get(folder)!);
    }
  });
});
