import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { MigrationError } from '../../bridge/engine/errors';
import { migrate } from '../../bridge/engine/migrate';
import { Pop3Client } from '../../bridge/engine/pop3/client';
import { encodeMultiline } from '../../bridge/engine/pop3/multiline';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startFakePop3, type FakeServer, type Reply } from '../unit/pop3-fake-server';
import { pop3Endpoint } from './pop3-support';

/**
 * Logins other than USER/PASS against Dovecot's POP3 (admin on behalf of the user, in both
 * forms, and OAuth2), and failure handling of a whole POP3 migration against scripted
 * servers: a connection cut mid-RETR is retried from the rows already written, a server
 * without UIDL is refused instead of copied blindly.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Pop3-login-src-Ay3' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Pop3-login-tgt-By4' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Pop3-login-tgt-Cy5' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Pop3-login-tgt-Dy6' };
const erin: DovecotUser = { user: 'erin@new.example.com', password: 'Pop3-login-tgt-Er7' };

describe('POP3 logins on Dovecot', () => {
  let src: DovecotServer;
  const tokens: Record<string, string> = { 'good-token-Tk1': alice.user };

  beforeAll(async () => {
    src = await startDovecot({ name: 'pop3-login', users: [alice], oauth2Tokens: tokens, extraConfig: 'pop3_no_flag_updates = yes' });
    await seedFolder(src, alice, 'INBOX', bulkMessages(3, 95, { prefix: 'login' }));
  });
  afterAll(async () => {
    await src?.stop();
  });

  const count = async (ep: Endpoint) => {
    const c = await Pop3Client.connect(ep);
    try {
      return (await c.uidl()).length;
    } finally {
      await c.quit();
    }
  };

  it.each(['tls', 'starttls'] as const)('%s verifies the certificate against a given CA (no --insecure-tls needed)', async (security) => {
    const c = await Pop3Client.connect(pop3Endpoint(src, alice, security));
    try {
      expect(c.secure).toBe(true);
      expect(c.capabilities?.has('STLS')).toBe(false); // asked again after TLS: no second STLS on offer
      expect((await c.uidl()).length).toBe(3);
    } finally {
      await c.quit();
    }
  });

  it('a POP3 address given the IMAP port says it reached an IMAP server and what to check, not only "invalid response"', async () => {
    const ep = { ...pop3Endpoint(src, alice), port: src.imapPort };
    const err = await Pop3Client.connect(ep).then(
      (c) => c.quit().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/greeted as an IMAP server \("\* OK .*\), not a POP3 one: check the port/);
  });

  it.each(['authzid', 'separator'] as const)('an admin (master user) logs in on behalf of the account (%s)', async (form) => {
    const ep: Endpoint = { ...pop3Endpoint(src, alice), auth: { kind: 'master', adminUser: src.master.user, password: src.master.password, form, separator: '*' } };
    expect(await count(ep)).toBe(3);
  });

  it('OAuth2 (XOAUTH2): a valid token logs in, a wrong one is AUTH_FAILED', async () => {
    expect(await count({ ...pop3Endpoint(src, alice), auth: { kind: 'oauth2', accessToken: 'good-token-Tk1' } })).toBe(3);
    const err = await count({ ...pop3Endpoint(src, alice), auth: { kind: 'oauth2', accessToken: 'bad-token-Tk2' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('AUTH_FAILED');
    expect((err as MigrationError).message).not.toContain('bad-token-Tk2');
  });
});

/** A maildrop served by the scripted server: UIDL, LIST, TOP n 0, RETR. */
function maildrop(messages: Buffer[], opts: { uidl?: boolean; cutRetr?: number } = {}): (line: string) => Reply | undefined {
  let cut = opts.cutRetr;
  return (line) => {
    const [verb, arg] = line.split(' ');
    const n = Number(arg);
    if (verb === 'CAPA') return [`+OK\r\nUSER\r\nTOP\r\n${opts.uidl === false ? '' : 'UIDL\r\n'}.\r\n`];
    if (verb === 'UIDL' && opts.uidl !== false) return [`+OK\r\n${messages.map((_, i) => `${i + 1} uid-${i + 1}\r\n`).join('')}.\r\n`];
    if (verb === 'LIST') return [`+OK\r\n${messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join('')}.\r\n`];
    if (verb === 'RETR' && messages[n - 1]) {
      const wire = Buffer.concat([Buffer.from(`+OK ${messages[n - 1]!.length} octets\r\n`), encodeMultiline(messages[n - 1]!)]);
      if (cut === n) {
        cut = undefined;
        return { pieces: [wire.subarray(0, 30)], then: 'close' };
      }
      return [wire];
    }
    return undefined;
  };
}

describe('POP3 migration failure handling (scripted source, Dovecot target)', () => {
  let tgt: DovecotServer;
  let fake: FakeServer | undefined;
  const state = tempStore();
  const messages = bulkMessages(6, 96, { prefix: 'fake' }).map((m) => m.raw);

  beforeAll(async () => {
    tgt = await startDovecot({ name: 'pop3-fail-tgt', users: [bob, carol, dave, erin] });
  });
  afterAll(async () => {
    await fake?.close();
    state.cleanup();
    await tgt?.stop();
  });

  it('a connection cut in the middle of a RETR: the message is sent again on a fresh session; every message arrives once', async () => {
    // The first RETR 4 gets 30 bytes, then the connection drops.
    fake = await startFakePop3({ handle: maildrop(messages, { cutRetr: 4 }) });
    const retries: string[] = [];
    // This server has no whole-message TOP, so RETR is the only way, chosen explicitly (--pop3-retr).
    const result = await migrate(job(fake.endpoint(), plainEndpoint(tgt, bob), { chunkMessages: 2, pop3Retr: true }), state.store, { onRetry: (e) => retries.push(e.code) });
    expect(result.error).toBeNull();
    // Within the pass: no retry of the pass, RETR 4 a second time on a second session.
    expect(retries).toEqual([]);
    expect(fake.commands.filter((c) => c === 'RETR 4')).toHaveLength(2);
    expect(fake.commands.filter((c) => c.startsWith('PASS'))).toHaveLength(2);
    expect(result.messagesCopied).toBe(6);
    const onTarget = await readFolder(tgt, bob, 'INBOX', { withRaw: true });
    expect(onTarget.map((m) => m.raw!.toString('latin1')).sort()).toEqual(messages.map((m) => m.toString('latin1')).sort());
    expect(fake.commands.filter((c) => /^(DELE|RSET)/.test(c))).toEqual([]);
    await fake.close();
    fake = undefined;
  });

  it('without --pop3-retr, a message only RETR could fetch is not fetched (RETR marks it read): skipped with the reason, copied by a run that allows RETR', async () => {
    fake = await startFakePop3({ handle: maildrop(messages) });
    const local = tempStore();
    try {
      const first = await migrate(job(fake.endpoint(), plainEndpoint(tgt, erin)), local.store);
      expect(first.error).toBeNull();
      expect(first.messagesCopied).toBe(0);
      expect(first.skipped).toHaveLength(6);
      expect(first.skipped.every((s) => /^NOT_DOWNLOADED: .*RETR would mark the message as read.*--pop3-retr/.test(s.reason))).toBe(true);
      expect(fake.commands.filter((c) => c.startsWith('RETR'))).toEqual([]);
      expect(await readFolder(tgt, erin, 'INBOX')).toEqual([]);

      const second = await migrate(job(fake.endpoint(), plainEndpoint(tgt, erin), { pop3Retr: true }), local.store);
      expect(second.error).toBeNull();
      expect(second.messagesCopied).toBe(6);
      expect(second.skipped).toEqual([]);
      expect(second.warnings.map((w) => w.message).join('\n')).toMatch(/6 message\(s\) were downloaded with RETR/);
    } finally {
      local.cleanup();
      await fake.close();
      fake = undefined;
    }
  });

  it('a server without UIDL is refused as UNSUPPORTED, not retried and nothing copied', async () => {
    fake = await startFakePop3({ handle: maildrop(messages, { uidl: false }) });
    const retries: string[] = [];
    const result = await migrate(job(fake.endpoint(), plainEndpoint(tgt, carol)), state.store, { onRetry: (e) => retries.push(e.code) });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('UNSUPPORTED');
    expect(result.error?.message).toMatch(/does not support UIDL/);
    expect(retries).toEqual([]);
    expect(await readFolder(tgt, carol, 'INBOX')).toEqual([]);
    await fake.close();
    fake = undefined;
  });

  it('a wrong password through the dispatcher: AUTH_FAILED naming the account, no retry, nothing on the target', async () => {
    fake = await startFakePop3({ handle: (line) => (line.startsWith('PASS') ? ['-ERR [AUTH] Authentication failed.\r\n'] : undefined) });
    const retries: string[] = [];
    const result = await migrate(job(fake.endpoint(), plainEndpoint(tgt, dave)), state.store, { onRetry: (e) => retries.push(e.code) });
    expect(result.error?.code).toBe('AUTH_FAILED');
    expect(result.error?.message).toContain('alice@old.example.com');
    expect(retries).toEqual([]);
    expect(await readFolder(tgt, dave, 'INBOX')).toEqual([]);
  });
});
