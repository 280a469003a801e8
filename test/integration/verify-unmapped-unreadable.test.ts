/**
 * verify looks for a message missing from its target folder in the target folders no source
 * folder maps to (mail the user filed there on the new system: `elsewhere`). One of those the
 * target cannot read must not fail the verify of the folders that were migrated, nor be taken
 * for empty in silence: it is left out of the search, the messages whose copy may be there are
 * reported missing (never found on a guess), and the report names the folder and the reason.
 *
 * Before: a BAD, or a connection cut while the folder was opened (a BYE, a lost answer), failed
 * the whole verify; a NO was taken for "nothing there" with no word of it in the report.
 *
 * Each kind of the matrix as the target, Dovecot as the source. The refusals are the server's
 * own where it can produce one (Dovecot: a folder directory it cannot read; Cyrus and Courier:
 * an ACL without the read right), and a proxy in front of the real target answers BAD, BYE or
 * cuts the connection after forwarding the EXAMINE, which no test server does on cue. The
 * search reads on a connection of its own; a target that refuses that second login has it read
 * on the verify's own, which a refusal must leave usable for the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { summarise } from '../../bridge/verify/summary';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { VerifyAccountSchema, type VerifyAccount } from '../../shared/verify';
import { createFolder, readFolder, seedFolder, withImap } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy, type StandIn } from '../support/answering-proxy';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { refuseReading } from '../support/unreadable-target-folder';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Vun-src-pw-3Ka' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Vun-tgt-pw-8Lb' };
const date = new Date('2024-05-06T07:08:09Z');
const mail = (id: string, withId = true): CorpusMessage => ({
  raw: textMessage({ id: withId ? `${id}@old.example.com` : null, subject: id, date, body: `${id} body` }),
  flags: ['\\Seen'],
  internalDate: date,
});
const brief = (a: VerifyAccount) =>
  JSON.stringify({
    status: a.status,
    error: a.error,
    unsearched: a.unsearched,
    folders: a.folders.map((f) => ({ s: f.source, missing: f.missing.map((m) => m.subject), elsewhere: f.elsewhere.map((e) => [e.subject, e.targetFolder]) })),
  });

/** How the proxy treats an EXAMINE or SELECT of the unreadable folder. */
const STAND_INS = {
  bad: { reply: 'BAD Mailbox index damaged (test)' },
  bye: { bye: 'Mailbox index damaged (test)' },
  // Forwarded, the server opens it, and the connection ends before its answer arrives.
  cut: { loseReply: true },
} as const satisfies Record<string, StandIn>;

describe.each(MATRIX.map((c) => [c.describe, c] as const))('verify, a target folder no source folder maps to that cannot be read: %s', (_name, config) => {
  let source: AnyMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;
  let refuse: keyof typeof STAND_INS | undefined;
  let brokenOpened = 0;
  /** How many more logins the proxy lets through; undefined: all. */
  let loginsLeft: number | undefined;
  let loginsRefused = 0;
  const state = tempStore();
  let filed = '';
  let broken = '';

  beforeAll(async () => {
    [source, target] = await Promise.all([startConfig(MATRIX[0]!, { name: `vun-src-${config.id}`, users: [alice] }), startConfig(config, { name: `vun-tgt-${config.id}`, users: [bob] })]);
    filed = folderPath(target, 'Filed');
    broken = folderPath(target, 'Broken');
    proxy = await startAnsweringProxy(target.imapPort, (c) => {
      if ((c.verb === 'LOGIN' || c.verb === 'AUTHENTICATE') && loginsLeft !== undefined && loginsLeft-- <= 0) {
        loginsRefused++;
        return { reply: 'NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=1)' };
      }
      if ((c.verb !== 'EXAMINE' && c.verb !== 'SELECT') || !c.line.includes(broken)) return undefined;
      brokenOpened++;
      return refuse && STAND_INS[refuse];
    });
    // 'noid' has no Message-ID: a deep verify reads its body and its candidate's, on the target
    // after the unreadable folder's failure.
    await seedFolder(source, alice, 'INBOX', [mail('kept'), mail('filed'), mail('noid', false), mail('in-broken'), mail('lost')]);
    expect((await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob)), state.store)).status).toBe('done');
    // On the new system: two messages filed into a folder of the user's own, one into another
    // one, and one lost.
    await createFolder(target, bob, filed);
    await createFolder(target, bob, broken);
    const inbox = await readFolder(target, bob, 'INBOX', { withRaw: true });
    const uidOf = (id: string) => inbox.find((m) => m.raw!.toString('latin1').includes(`Subject: ${id}\r\n`))!.uid;
    await withImap(target, bob, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(`${uidOf('filed')},${uidOf('noid')}`, filed, { uid: true });
      await c.messageMove(String(uidOf('in-broken')), broken, { uid: true });
      await c.messageDelete(String(uidOf('lost')), { uid: true });
    });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    state.cleanup();
  });

  const viaProxy = () => job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port));
  const inboxOf = (r: VerifyAccount) => r.folders.find((f) => f.source === 'INBOX')!;
  /** The verify completed, the unreadable folder's message is missing, the others are found where the user filed them, the report says why. */
  const expectLeftOut = (r: VerifyAccount, said: RegExp, what: string) => {
    expect(r.status, `${what} ${brief(r)}`).toBe('differences');
    expect(r.error, `${what} ${brief(r)}`).toBeUndefined();
    expect(inboxOf(r).missing.map((m) => m.subject).sort(), `${what} ${brief(r)}`).toEqual(['in-broken', 'lost']);
    expect(inboxOf(r).elsewhere.map((e) => [e.subject, e.targetFolder]).sort(), `${what} ${brief(r)}`).toEqual([
      ['filed', filed],
      ['noid', filed],
    ]);
    expect(r.unsearched?.map((u) => u.folder), `${what} ${brief(r)}`).toEqual([broken]);
    expect(r.unsearched![0]!.reason, what).toMatch(said);
    // What the CLI prints, and what its --json keeps.
    const summary = summarise(r);
    expect(summary, what).toContain(`"${broken}"`);
    expect(summary, what).toMatch(/could not be searched/);
    expect(VerifyAccountSchema.parse(JSON.parse(JSON.stringify(r))).unsearched, what).toEqual(r.unsearched);
  };

  it('readable, it is searched: only the lost message is missing', async () => {
    const readable = await verifyAccount(viaProxy(), { deep: true, stateDir: state.dir });
    expect(inboxOf(readable).missing.map((m) => m.subject), brief(readable)).toEqual(['lost']);
    expect(inboxOf(readable).elsewhere.map((e) => [e.subject, e.targetFolder]).sort(), brief(readable)).toEqual([
      ['filed', filed],
      ['in-broken', broken],
      ['noid', filed],
    ]);
    expect(readable.unsearched, brief(readable)).toBeUndefined();
  }, 120_000);

  it.each(['bad', 'bye', 'cut'] as const)('its EXAMINE answered %s (proxy): left out of the search with the reason, the verify completes', async (mode) => {
    for (const deep of [false, true]) {
      refuse = mode;
      brokenOpened = 0;
      const r = await verifyAccount(viaProxy(), { deep, stateDir: state.dir });
      refuse = undefined;
      expect(brokenOpened, `${mode} deep=${deep}`).toBeGreaterThan(0);
      expectLeftOut(r, mode === 'bad' ? /index damaged/ : /lost|closed/i, `${mode} deep=${deep}`);
    }
  }, 120_000);

  it('a POP3 source: the same', async () => {
    const pop3 = job(pop3Endpoint(source, alice), imapEndpoint(target, bob, proxy.port));
    for (const mode of ['bad', 'bye'] as const) {
      for (const deep of [false, true]) {
        refuse = mode;
        try {
          expectLeftOut(await verifyAccount(pop3, { deep, stateDir: state.dir }), mode === 'bad' ? /index damaged/ : /lost|closed/i, `pop3 ${mode} deep=${deep}`);
        } finally {
          refuse = undefined;
        }
      }
    }
  }, 120_000);

  it('the server itself refuses to open it (NO): left out of the search with its reason', async () => {
    const unreadable = await refuseReading(target, bob, broken);
    try {
      for (const deep of [false, true]) expectLeftOut(await verifyAccount(viaProxy(), { deep, stateDir: state.dir }), unreadable.said, `${config.kind} refusal deep=${deep}`);
    } finally {
      await unreadable.restore();
    }
  }, 120_000);

  it('a target that lets the verify open no second connection: the search reads on the verify\'s own, which a refusal leaves usable', async () => {
    const oneLogin = async (deep: boolean) => {
      // The verify's own connection logs in; the one the search would read on is refused.
      loginsLeft = 1;
      loginsRefused = 0;
      try {
        return await verifyAccount(viaProxy(), { deep, stateDir: state.dir });
      } finally {
        loginsLeft = undefined;
        expect(loginsRefused, 'the second login refused').toBe(1);
      }
    };
    const readable = await oneLogin(true);
    expect(inboxOf(readable).missing.map((m) => m.subject), brief(readable)).toEqual(['lost']);
    expect(inboxOf(readable).elsewhere.map((e) => e.subject).sort(), brief(readable)).toEqual(['filed', 'in-broken', 'noid']);
    expect(readable.unsearched, brief(readable)).toBeUndefined();
    // After the BAD, the other folder is still read (and in a deep verify its bodies) on that one connection.
    refuse = 'bad';
    try {
      for (const deep of [false, true]) expectLeftOut(await oneLogin(deep), /index damaged/, `one login, bad, deep=${deep}`);
    } finally {
      refuse = undefined;
    }
  }, 120_000);

  it('--fix after a verify that could not search it copies both messages whose copy may be there, and the check after it completes', async () => {
    refuse = 'bad';
    try {
      const before = await verifyAccount(viaProxy(), { deep: false, stateDir: state.dir });
      expect(before.unsearched?.map((u) => u.folder), brief(before)).toEqual([broken]);
      // At worst one more copy of the message filed into the unreadable folder; never one lost.
      expect(await copyMissing(viaProxy(), before, state.store)).toEqual({ copied: 2, refused: [] });
      const after = await verifyAccount(viaProxy(), { deep: false, stateDir: state.dir });
      expect(after.status, brief(after)).toBe('verified');
      expect(inboxOf(after).missing, brief(after)).toEqual([]);
    } finally {
      refuse = undefined;
    }
    expect((await readFolder(target, bob, 'INBOX')).length).toBe(3);
  }, 120_000);
});
