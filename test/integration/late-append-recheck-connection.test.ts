/**
 * The look for held messages (late-appends.ts) opens the target folder and reads it on the
 * worker's target connection. Where a folder's last planning window had nothing to copy, that
 * look was started beside the worker's previous chunk, still running on the same connection
 * (pass-loop.ts, `behind`): when that chunk, of another folder, read its copies back
 * (stored-changes.ts: raw 8-bit headers), its EXAMINE came between the look's EXAMINE and its
 * FETCH, the look read the other folder, took the same mail filed there for the held message,
 * recorded it as copied, and the message never reached its own folder.
 *
 * The order of events is set by proxies, not by luck: the target takes client bytes slowly (the
 * other folder's APPEND lasts about 6 s, past the look's wait: the test fixture's 300 ms); the second worker's source
 * connection is let through only once the first worker asks for the held folder's last window,
 * whose answer is held back until the second worker has fetched the held message.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountKey } from '../../bridge/engine/account-job';
import { migrate } from '../../bridge/engine/migrate';
import { createFolder, folderState, seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { bigMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { startSlowProxy } from '../support/slow-proxy';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Look-src-pw-6Tb' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Look-tgt-pw-2Qe' };
const NEW = new Date('2023-05-06T07:08:09Z');
const OLD = new Date('2001-01-01T00:00:00Z');
/** The same mail in two folders (a copy filed by hand): a raw 8-bit Subject, so its copy is read back. */
const same = Buffer.from('From: a@old.example.com\r\nTo: b@old.example.com\r\nSubject: 季度报告\r\nDate: Mon, 1 May 2023 10:00:00 +0000\r\nMessage-ID: <same@old.example.com>\r\n\r\nbody\r\n', 'utf8');
const old = (id: string) => ({ raw: Buffer.from(`From: a@old.example.com\r\nSubject: ${id}\r\nDate: Mon, 1 Jan 2001 00:00:00 +0000\r\nMessage-ID: <${id}@old.example.com>\r\n\r\nold\r\n`), flags: [], internalDate: OLD });

let source: AnyMailServer;
let target: AnyMailServer;

beforeAll(async () => {
  [source, target] = await Promise.all([startMailServer('dovecot', { name: 'look-src', users: [alice] }), startMailServer('dovecot', { name: 'look-tgt', users: [bob] })]);
  await seedFolder(source, alice, 'INBOX', [{ raw: same, flags: [], internalDate: NEW }, { raw: bigMessage(600_000, 'pad'), flags: [], internalDate: NEW }]);
  await createFolder(source, alice, 'Fold');
  // Planned in windows of 2: [held, old], then [old, old] with nothing in scope (--since).
  await seedFolder(source, alice, 'Fold', [{ raw: same, flags: [], internalDate: NEW }, old('o1'), old('o2'), old('o3')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

/**
 * A proxy in front of the source: the first connection (the first worker) is passed through until
 * it asks for `lastWindow`, then its answers are held; the connections after it wait until then,
 * and once one of them fetches a body, the first one's answers flow again 2 s later.
 */
async function startSourceGate(port: number, lastWindow: RegExp): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  let openOthers: (() => void)[] | undefined = [];
  let releaseFirst: (() => void) | undefined;
  const server: Server = createServer((client) => {
    const first = count++ === 0;
    sockets.add(client);
    let upstream: Socket | undefined;
    const early: Buffer[] = [];
    let seen = '';
    let loggedIn = false;
    let holding = false;
    const held: Buffer[] = [];
    const start = () => {
      upstream = connect(port, '127.0.0.1');
      sockets.add(upstream);
      for (const b of early) upstream.write(b);
      upstream.on('data', (d: Buffer) => {
        const out = loggedIn ? d : Buffer.from(d.toString('latin1').replace(/(?<=[ [])STARTTLS(?=[ \]\r])/g, 'X-NO-STARTTLS'), 'latin1');
        if (holding) held.push(out);
        else client.write(out);
      });
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => client.destroy());
    };
    client.on('data', (d: Buffer) => {
      seen = (seen + d.toString('latin1')).slice(-4096);
      if (/ LOGIN /i.test(seen)) loggedIn = true;
      if (first && !holding && releaseFirst === undefined && lastWindow.test(seen)) {
        holding = true;
        releaseFirst = () => {
          holding = false;
          for (const b of held.splice(0)) client.write(b);
        };
        const waiting = openOthers ?? [];
        openOthers = undefined;
        waiting.forEach((f) => f());
      }
      if (!first && /BODY\.PEEK\[\]/.test(seen) && releaseFirst) {
        const r = releaseFirst;
        releaseFirst = () => undefined;
        setTimeout(r, 2000);
      }
      if (upstream) upstream.write(d);
      else early.push(d);
    });
    client.on('close', () => upstream?.destroy());
    client.on('error', () => upstream?.destroy());
    if (first || openOthers === undefined) start();
    else openOthers.push(start);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

it('a held message of a folder whose last window has nothing to copy reaches its own folder', async () => {
  const gate = await startSourceGate(source.imapPort, /UID FETCH 3:\*/);
  const slow = await startSlowProxy(target.imapPort, 100_000);
  const state = tempStore();
  try {
    const theJob = job(imapEndpoint(source, alice, gate.port), imapEndpoint(target, bob, slow.port), {
      concurrency: 2,
      fixedConcurrency: true,
      chunkMessages: 10,
      since: new Date('2020-01-01T00:00:00Z'),
      maxAttempts: 3,
    });
    // An earlier run's APPEND of the held message went out and no answer came (StateStore.markAppending).
    const { uidValidity } = await folderState(source, alice, 'Fold');
    state.store.markAppending(accountKey(theJob), 'Fold', Number(uidValidity), [1], true);
    const result = await migrate(theJob, state.store, { planWindow: 2 });
    slow.setRate(Infinity);
    const ids = await idsByFolder(target, bob);
    expect({ INBOX: ids.INBOX, Fold: ids.Fold }, passSummary(result)).toEqual({ INBOX: ['pad', 'same'], Fold: ['same'] });
  } finally {
    state.cleanup();
    await slow.close();
    await gate.close();
  }
});
