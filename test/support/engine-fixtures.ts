import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationOptionsSchema, type MigrationOptionsInput } from '../../shared/migration';
import type { Endpoint } from '../../bridge/engine/endpoint';
import type { AccountJob } from '../../bridge/engine/migrate-account';
import { StateStore } from '../../bridge/engine/state-store';
import type { DovecotServer, DovecotUser } from '../harness/dovecot';
import { withImap, type MailboxMessage } from '../harness/mailbox';

/** A plain-IMAP endpoint on a harness server (loopback only, so plaintext is allowed explicitly). */
export function plainEndpoint(server: DovecotServer, user: DovecotUser): Endpoint {
  return {
    host: server.host,
    port: server.imapPort,
    security: 'plain',
    user: user.user,
    auth: { kind: 'password', password: user.password },
    allowPlaintext: true,
    insecureTls: false,
  };
}

/**
 * Retries after 50 ms, and messages whose APPEND answer a cut lost are looked for again after
 * 300 ms instead of 10 s, with the uplink taken for what it is here, loopback (late-appends.ts):
 * no server here stores an APPEND late except in the late-append tests, which pass the
 * product's defaults.
 */
export function job(source: Endpoint, target: Endpoint, options: MigrationOptionsInput = {}): AccountJob {
  return { source, target, options: MigrationOptionsSchema.parse({ retryBaseMs: 50, lateAppendMs: 300, lateAppendUplinkBytesPerS: 100_000_000, ...options }) };
}

export function tempStore(): { store: StateStore; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-state-'));
  const store = StateStore.open(dir);
  return { store, dir, cleanup: () => { store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** What must survive a migration: bytes, flags, internal date. UIDs and \Recent do not. */
export function identity(m: MailboxMessage): string {
  return `${m.sha256} ${m.flags.join(',')} ${m.internalDate.getTime()}`;
}

/** Multiset of identities, sorted, so that duplicates count. */
export function identities(msgs: MailboxMessage[]): string[] {
  return msgs.map(identity).sort();
}

/** The stored bytes (BINARY.PEEK[]: NUL bytes intact, unlike BODY[]) of every message in a folder. */
export async function readStoredBytes(server: DovecotServer, user: DovecotUser, folder: string): Promise<Buffer[]> {
  return withImap(server, user, async (client) => {
    await client.mailboxOpen(folder, { readOnly: true });
    const out: Buffer[] = [];
    for (const msg of await client.fetchAll('1:*', { uid: true, source: true }, { binary: true })) if (msg.source) out.push(msg.source);
    return out;
  });
}
