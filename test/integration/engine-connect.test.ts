import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectImap, closeQuietly } from '../../bridge/engine/connect';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { MigrationError } from '../../bridge/engine/errors';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy } from '../support/recording-proxy';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };

async function connectError(ep: Endpoint): Promise<MigrationError> {
  try {
    const c = await connectImap(ep, { side: 'source' });
    await closeQuietly(c);
  } catch (err) {
    expect(err).toBeInstanceOf(MigrationError);
    return err as MigrationError;
  }
  throw new Error('connection unexpectedly succeeded');
}

describe('connecting: TLS policy, admin (master) login, OAuth2, classified errors', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'conn-src', users: [alice], oauth2Tokens: { 'token-for-alice': alice.user } }),
      // Users exist up front: Dovecot re-reads a passwd-file only when its mtime (seconds) changes.
      startDovecot({ name: 'conn-tgt', users: [bob, { user: 'bob-authzid@new.example.com', password: 'pw' }, { user: 'bob-separator@new.example.com', password: 'pw' }] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(5, 51));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const base = (over: Partial<Endpoint>): Endpoint => ({ ...plainEndpoint(source, alice), ...over });

  it('implicit TLS verifies the certificate: refused when self-signed, accepted when trusted or explicitly allowed', async () => {
    const tls = base({ port: source.imapsPort, security: 'tls', allowPlaintext: false });
    const err = await connectError(tls);
    expect(err.code).toBe('TLS_FAILED');
    // Shown by the CLI and in the extension: what to do, without a command-line flag.
    expect(err.message).toMatch(/self-signed certificate\. If you trust this server, choose to accept a self-signed certificate for it\./);
    expect(err.message).not.toContain('--');
    for (const ok of [{ ...tls, ca: source.caPem }, { ...tls, insecureTls: true }]) {
      const c = await connectImap(ok, { side: 'source' });
      expect(c.secureConnection).toBe(true);
      await closeQuietly(c);
    }
  });

  it('STARTTLS is required on imap:// and verified the same way', async () => {
    const starttls = base({ security: 'starttls', allowPlaintext: false });
    expect((await connectError(starttls)).code).toBe('TLS_FAILED');
    const c = await connectImap({ ...starttls, ca: source.caPem }, { side: 'source' });
    expect(c.secureConnection).toBe(true);
    await closeQuietly(c);
  });

  it('refuses plaintext unless explicitly allowed', async () => {
    const err = await connectError(base({ security: 'plain', allowPlaintext: false }));
    expect(err.code).toBe('PLAINTEXT_REFUSED');
    expect(err.message).toContain(alice.user);
  });

  it('a wrong password is AUTH_FAILED and names the account, without the password', async () => {
    const err = await connectError(base({ auth: { kind: 'password', password: 'Wr0ng-S3cret!' } }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(alice.user);
    expect(err.message).toMatch(/authorization code|app password/);
    expect(err.message).not.toContain('Wr0ng-S3cret!');
  });

  it('logs in with one AUTHENTICATE PLAIN round trip where the server offers SASL-IR (RFC 4959)', async () => {
    // Clear text behind the recording proxy (its STARTTLS hidden), so the login can be read.
    const proxy = await startRecordingProxy(source.imapPort, { hideStartTls: true });
    try {
      const client = await connectImap(base({ port: proxy.port }), { side: 'source' });
      await closeQuietly(client);
      const lines = proxy.events().flatMap((e) => (e.kind === 'line' ? [e.text] : []));
      const auth = lines.filter((l) => /^\S+ AUTHENTICATE /i.test(l));
      expect(auth).toHaveLength(1);
      const [, , mechanism, response] = auth[0]!.split(' ');
      expect(mechanism).toBe('PLAIN');
      expect(Buffer.from(response ?? '', 'base64').toString()).toBe(`\0${alice.user}\0${alice.password}`);
      // nothing sent between the command and its answer: no continuation was waited for
      expect(lines[lines.indexOf(auth[0]!) + 1]).toMatch(/^\S+ [A-Z]/);
      expect(proxy.serverBytes().toString('latin1')).not.toMatch(/\r\n\+ ?\r\n/);
    } finally {
      await proxy.close();
    }
  });

  it('an unreachable server is CONNECT_FAILED', async () => {
    const err = await connectError(base({ port: 1 }));
    expect(err.code).toBe('CONNECT_FAILED');
  });

  it.each([
    ['SASL PLAIN with authzid', 'authzid'],
    ['LOGIN user*admin', 'separator'],
  ] as const)('an admin logs in on behalf of the account (%s) and migrates it', async (_label, form) => {
    const state = tempStore();
    try {
      const src = base({ auth: { kind: 'master', adminUser: source.master.user, password: source.master.password, form, separator: '*' } });
      const tgtUser = { user: `bob-${form}@new.example.com`, password: 'pw' };
      const tgt: Endpoint = { ...plainEndpoint(target, tgtUser), auth: { kind: 'master', adminUser: target.master.user, password: target.master.password, form, separator: '*' } };
      const result = await migrateAccount(job(src, tgt), state.store);
      expect(result.error).toBeNull();
      expect(identities(await readFolder(target, tgtUser, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      state.cleanup();
    }
  });

  it('OAuth2 (XOAUTH2): a valid access token logs in, a wrong one is AUTH_FAILED', async () => {
    const c = await connectImap(base({ auth: { kind: 'oauth2', accessToken: 'token-for-alice' } }), { side: 'source' });
    expect(c.authenticated).toBeTruthy();
    await closeQuietly(c);
    const err = await connectError(base({ auth: { kind: 'oauth2', accessToken: 'not-a-token' } }));
    expect(err.code).toBe('AUTH_FAILED');
  });
});
