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

/** A command line on a connection (the recorder also splits literal data into lines). */
const COMMAND = /^\S+ (APPEND|STATUS|EXAMINE|SELECT|UNSELECT|CLOSE|UID|FETCH|NOOP|LOGOUT|CREATE|SUBSCRIBE|LIST|LSUB|ID|ENABLE|NAMESPACE|CAPABILITY|AUTHENTICATE|LOGIN|STARTTLS)\b/i;
const answerOf = (events: readonly WireEvent[], line: WireEvent) => {
  const tag = line.kind === 'line' ? line.text.split(' ')[0] : '';
  return events.find((r) => r.kind === 'reply' && r.conn === line.conn && r.seq > line.seq && r.text.startsWith(`${tag} `))?.seq ?? Infinity;
};
/** The command of connection `conn` sent before `seq` and answered after it, if any. */
function commandUnansweredAt(events: readonly WireEvent[], conn: number, seq: number) {
  for (const e of events) {
    if (e.kind !== 'line' || e.conn !== conn || e.seq >= seq || !COMMAND.test(e.text)) continue;
    const answeredAt = answerOf(events, e);
    if (answeredAt > seq) return { line: e, answeredAt };
  }
  return undefined;
}

const isLogin = (e: WireEvent) => e.kind === 'line' && /^\S+ (AUTHENTICATE|LOGIN)\b/i.test(e.text);
const commands = (events: readonly WireEvent[], verb: string) =>
  events.flatMap((e) => (e.kind === 'line' && new RegExp(`^\\S+ ${verb}\\b`, 'i').test(e.text) ? [e.text] : []));

describe.each([
  { targetListStatus: true, label: 'a target with LIST-STATUS' },
  { targetListStatus: false, label: 'a target without LIST-STATUS' },
])("a pass's worker connections, $label", ({ targetListStatus }) => {
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
    targetProxy = await startRecordingProxy(target.imapPort, { hideStartTls: true, hideCapabilities: targetListStatus ? [] : ['LIST-STATUS'] });
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

  it("ask NAMESPACE once per side: the workers take the first connection's answer", () => {
    const [src, tgt] = [proxy.events(), targetProxy.events()];
    for (const events of [src, tgt]) {
      expect(new Set(events.filter((e) => e.kind === 'open').map((e) => e.conn)).size).toBe(4);
      const asked = events.filter((e) => e.kind === 'line' && /^\S+ NAMESPACE\b/i.test(e.text));
      expect(asked.map((e) => e.conn)).toEqual([1]);
    }
    // ...and work with it: workers opened folders on the source and appended on the target.
    const did = (events: readonly WireEvent[], conn: number, verb: string) => events.some((e) => e.kind === 'line' && e.conn === conn && new RegExp(`^\\S+ ${verb}\\b`, 'i').test(e.text));
    expect([2, 3, 4].filter((conn) => did(src, conn, 'EXAMINE')).length).toBeGreaterThan(0);
    expect([2, 3, 4].filter((conn) => did(tgt, conn, 'APPEND')).length).toBeGreaterThan(0);
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

  // Each target gets the test of its own way of planning (not a skipped test for the other).
  if (targetListStatus) it("take every target folder's STATUS from one LIST-STATUS after the CREATEs, before any APPEND: no STATUS per folder to plan it", () => {
    const events = targetProxy.events();
    const lines = events.filter((e): e is WireEvent & { kind: 'line'; text: string } => e.kind === 'line' && COMMAND.test(e.text));
    const listStatus = lines.filter((e) => /^\S+ LIST "" "\*" RETURN \(.*STATUS \(MESSAGES UIDNEXT UIDVALIDITY\)/i.test(e.text));
    expect(listStatus).toHaveLength(1);
    const at = listStatus[0]!.seq;
    expect(lines.filter((e) => /^\S+ CREATE /i.test(e.text) && e.seq > at)).toEqual([]);
    expect(lines.filter((e) => /^\S+ APPEND /i.test(e.text) && e.seq < at)).toEqual([]);
    // The STATUS a plan asks for has MESSAGES; the one after a folder's last chunk (its checkpoint) does not.
    expect(lines.filter((e) => /^\S+ STATUS .*MESSAGES/i.test(e.text)).map((e) => e.text)).toEqual([]);
    expect(lines.filter((e) => /^\S+ STATUS /i.test(e.text)).length).toBeGreaterThanOrEqual(FOLDERS.length);
  });

  else it("ask the target folder's STATUS while the source fetches the folder's metadata, or as soon as the target connection is free", () => {
    // When each folder's metadata FETCH (the one with the fingerprint headers) ended on the
    // source, and when the source opened the folder (its planning started).
    const fetched = new Map<string, number>();
    const opened = new Map<string, number>();
    const examined = new Map<number, string>();
    const pending = new Map<string, string>();
    for (const e of proxy.events()) {
      if (e.kind === 'line') {
        const box = /^\S+ EXAMINE "?([^"]+)"?$/.exec(e.text);
        if (box) {
          examined.set(e.conn, box[1]!);
          if (!opened.has(box[1]!)) opened.set(box[1]!, e.seq);
        }
        const meta = /^(\S+) UID FETCH .*HEADER\.FIELDS/.exec(e.text);
        if (meta) pending.set(`${e.conn} ${meta[1]}`, examined.get(e.conn)!);
      } else if (e.kind === 'reply') {
        const tag = /^(\S+) OK/.exec(e.text)?.[1];
        const folder = tag ? pending.get(`${e.conn} ${tag}`) : undefined;
        if (folder && !fetched.has(folder)) fetched.set(folder, e.seq);
      }
    }
    const targetEvents = targetProxy.events();
    for (const folder of FOLDERS) {
      const asked = targetEvents.find((e) => e.kind === 'line' && new RegExp(`^\\S+ STATUS "?${folder}"? \\(.*MESSAGES`).test(e.text));
      expect(fetched.get(folder), folder).toBeDefined();
      expect(asked, folder).toBeDefined();
      // A worker plans its next folder while its target connection still runs the commands of
      // its last task (the APPEND of a chunk, the first worker's SUBSCRIBEs): the STATUS is then
      // queued behind them, and is still the plan's first command there about its folder.
      const busy = commandUnansweredAt(targetEvents, asked!.conn, opened.get(folder)!);
      if (busy) {
        const aboutFolder = targetEvents.find((e) => e.kind === 'line' && e.conn === asked!.conn && e.seq > busy.line.seq && COMMAND.test(e.text) && e.text.includes(folder));
        expect(aboutFolder, folder).toBe(asked);
      } else {
        expect(asked!.seq, folder).toBeLessThan(fetched.get(folder)!);
      }
    }
  });
});
