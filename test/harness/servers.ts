/**
 * One way to start any harness mail server, so engine suites can be parametrised over servers:
 *
 *   const server = await startMailServer('cyrus', { name: 'tgt', users: [bob], separator: '/' });
 *   await seedFolder(server, bob, 'Work/2024', messages);   // mailbox.ts helpers take any MailServer
 *   ...
 *   await server.stop();
 *
 * or by a named configuration of the matrix:
 *
 *   for (const config of MATRIX) { const s = await startConfig(config, { name, users }); ... }
 *
 * Kinds: 'dovecot' (test/harness/dovecot.ts, installed on the host), 'cyrus' and 'courier'
 * (test/harness/cyrus.ts, courier.ts, each in a bookworm chroot built by scripts/ensure-test-deps.ts).
 * The facts each server object carries (supportsMultiAppend, acceptsBareLf, ...) are asserted against
 * the real servers in test/integration/harness-matrix.test.ts.
 */
import { startCourier, type CourierServer } from './courier.js';
import { startCyrus, type CyrusServer } from './cyrus.js';
import { startDovecot, type DovecotServer, type StartDovecotOptions } from './dovecot.js';
import type { MailServer, MailUser, ServerKind } from './server-common.js';

export type { MailServer, MailUser, ServerKind } from './server-common.js';
export type { CyrusServer } from './cyrus.js';
export type { CourierServer } from './courier.js';

export const SERVER_KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];

export interface StartMailServerOptions {
  name: string;
  users: MailUser[];
  /** admin/master user (Dovecot: master passdb; Cyrus: proxyservers). Not available on Courier. */
  master?: MailUser;
  /**
   * Dovecot: '/' (default) or '.'; Cyrus: '.' (default, Debian's config, prefix INBOX.) or '/'
   * (altnamespace + unixhierarchysep, prefix ''); Courier: only '.'.
   */
  separator?: '/' | '.';
  /** Dovecot only: '' or 'INBOX.' (Cyrus and Courier follow from the separator / are fixed) */
  prefix?: '' | 'INBOX.';
  /** Special-use folders pre-created with their flags (default true). Courier: only false. */
  specialUse?: boolean;
  /** Dovecot only: see StartDovecotOptions */
  dovecot?: Omit<StartDovecotOptions, 'name' | 'users' | 'master' | 'separator' | 'prefix' | 'specialUse'>;
  /** Cyrus only: imapd.conf lines appended */
  cyrusExtraConfig?: string;
}

export type DovecotMailServer = DovecotServer & MailServer & { kind: 'dovecot' };
export type AnyMailServer = DovecotMailServer | CyrusServer | CourierServer;

/** Adds the MailServer facts to a DovecotServer (same object, so doveadm() etc. stay available). */
export function asMailServer(d: DovecotServer): DovecotMailServer {
  return Object.assign(d, {
    kind: 'dovecot' as const,
    supportsSpecialUse: true,
    supportsCreateSpecialUse: false,
    supportsLiteralPlus: true,
    supportsMultiAppend: true,
    acceptsBareLf: true,
    rewrites8bitHeaders: false,
    pop3NeedsUtf8ForRawHeaders: false,
  });
}

export function startMailServer(kind: 'dovecot', opts: StartMailServerOptions): Promise<DovecotMailServer>;
export function startMailServer(kind: 'cyrus', opts: StartMailServerOptions): Promise<CyrusServer>;
export function startMailServer(kind: 'courier', opts: StartMailServerOptions): Promise<CourierServer>;
export function startMailServer(kind: ServerKind, opts: StartMailServerOptions): Promise<AnyMailServer>;
export async function startMailServer(kind: ServerKind, opts: StartMailServerOptions): Promise<AnyMailServer> {
  switch (kind) {
    case 'dovecot': {
      const d = await startDovecot({
        ...opts.dovecot,
        name: opts.name,
        users: opts.users,
        ...(opts.master ? { master: opts.master } : {}),
        ...(opts.separator ? { separator: opts.separator } : {}),
        ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
        ...(opts.specialUse !== undefined ? { specialUse: opts.specialUse } : {}),
      });
      return asMailServer(d);
    }
    case 'cyrus': {
      if (opts.prefix !== undefined && opts.prefix !== (opts.separator === '/' ? '' : 'INBOX.')) {
        throw new Error(`startMailServer(cyrus): prefix follows from the separator ('.' -> 'INBOX.', '/' -> '')`);
      }
      if (opts.dovecot) throw new Error('startMailServer(cyrus): dovecot options given');
      return startCyrus({
        name: opts.name,
        users: opts.users,
        ...(opts.master ? { master: opts.master } : {}),
        ...(opts.separator ? { separator: opts.separator } : {}),
        ...(opts.specialUse !== undefined ? { specialUse: opts.specialUse } : {}),
        ...(opts.cyrusExtraConfig ? { extraConfig: opts.cyrusExtraConfig } : {}),
      });
    }
    case 'courier': {
      if (opts.separator === '/' || opts.prefix === '' || opts.specialUse === true || opts.master || opts.dovecot || opts.cyrusExtraConfig) {
        throw new Error("startMailServer(courier): Courier has only the 'INBOX.' + '.' namespace, no special-use folders and no master user");
      }
      return startCourier({ name: opts.name, users: opts.users });
    }
  }
}

/** A named server configuration of the matrix. */
export interface ServerConfig {
  /** short id, used in test names and server names */
  id: string;
  kind: ServerKind;
  separator?: '/' | '.';
  prefix?: '' | 'INBOX.';
  specialUse?: boolean;
  /** one line for test output */
  describe: string;
}

export const SERVER_CONFIGS = {
  dovecot: { id: 'dovecot', kind: 'dovecot', describe: "Dovecot 2.3, '/' separator, special-use folders" },
  'dovecot-inbox-dot': {
    id: 'dovecot-inbox-dot',
    kind: 'dovecot',
    separator: '.',
    prefix: 'INBOX.',
    specialUse: false,
    describe: "Dovecot 2.3, INBOX. prefix, '.' separator, no special-use",
  },
  cyrus: { id: 'cyrus', kind: 'cyrus', separator: '.', specialUse: true, describe: "Cyrus 3.6 Debian config: INBOX. prefix, '.' separator, special-use folders" },
  'cyrus-plain': { id: 'cyrus-plain', kind: 'cyrus', separator: '.', specialUse: false, describe: "Cyrus 3.6, INBOX. prefix, '.' separator, no special-use folders yet" },
  'cyrus-slash': { id: 'cyrus-slash', kind: 'cyrus', separator: '/', specialUse: true, describe: "Cyrus 3.6 upstream defaults: altnamespace + unixhierarchysep ('/'), special-use folders" },
  courier: { id: 'courier', kind: 'courier', describe: "Courier-IMAP 5.0 / courier-pop: INBOX. prefix, '.' separator, no SPECIAL-USE" },
} as const satisfies Record<string, ServerConfig>;

export type ServerConfigId = keyof typeof SERVER_CONFIGS;

/** One configuration per kind with its most common setup: what engine suites iterate over. */
export const MATRIX: readonly ServerConfig[] = [SERVER_CONFIGS.dovecot, SERVER_CONFIGS.cyrus, SERVER_CONFIGS.courier];

export function startConfig(config: ServerConfig, opts: { name: string; users: MailUser[]; master?: MailUser }): Promise<AnyMailServer> {
  return startMailServer(config.kind, {
    name: opts.name,
    users: opts.users,
    ...(opts.master ? { master: opts.master } : {}),
    ...(config.separator ? { separator: config.separator } : {}),
    ...(config.prefix !== undefined ? { prefix: config.prefix } : {}),
    ...(config.specialUse !== undefined ? { specialUse: config.specialUse } : {}),
  });
}

/** Full path of a personal folder on `server` from its hierarchy levels, e.g. ['Work','2024']. */
export function folderPath(server: Pick<MailServer, 'prefix' | 'separator'>, ...levels: string[]): string {
  if (levels.length === 1 && levels[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  return server.prefix + levels.join(server.separator);
}
