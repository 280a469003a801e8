import type { ConnectionReport } from '../../shared/providers';
import type { DnsResolver } from './detect-provider';

export interface Pop3Target {
  /** Default: the IMAP host. */
  host?: string;
  port: number;
  security: 'tls' | 'starttls' | 'plain';
}

export interface TestConnectionOptions {
  /**
   * Which mailbox of the migration the tested server is: its errors name that side, and its remedies
   * leave out the checks written for the old mailbox when it is the new one. Default 'source'.
   */
  side?: 'source' | 'target';
  /**
   * Where the report is read. Advice about a choice the user made (accepting an unverified
   * certificate, allowing plaintext) is said in words that fit the extension's settings and the
   * command line alike; 'cli' adds the command line's flag (--insecure-tls, --allow-plaintext).
   * Default 'ui'.
   */
  surface?: 'cli' | 'ui';
  /** Provider chosen by the user (preset id or alias); otherwise it is detected. */
  provider?: string;
  /** Address used for MX detection; default: the login when it contains '@'. */
  email?: string;
  /** false: no DNS lookups for provider detection (MX, CNAME). Default true. */
  detect?: boolean;
  /** DNS for provider detection (MX, CNAME). Default: node's resolver. */
  resolver?: DnsResolver;
  /** Resolves the server name (A/AAAA). Default: the system resolver (getaddrinfo), as connections use. */
  lookup?: (host: string) => Promise<string[]>;
  /**
   * POP3 server for the inbox-count comparison. undefined: the detected provider's POP3 server when
   * the IMAP host is that provider's; false: no POP3 check.
   */
  pop3?: Pop3Target | false;
  /** Per network step (connect, TLS, greeting, login), default 20 s. */
  timeoutMs?: number;
  /** Folders examined in detail (STATUS, oldest/newest); the rest are listed only. Default 500. */
  maxFolders?: number;
  /** The clock, for the 30-day check and certificate validity. */
  now?: Date;
  /** Called after each step (progress for the CLI / UI). */
  onStep?: (step: ConnectionReport['steps'][number]) => void;
}
