/**
 * Types of the provider preset table (shared/providers/presets.ts). Pure TypeScript: no Node APIs,
 * so the extension can show presets, pitfalls and remedies too.
 */
import type { ErrorCode } from '../errors';

/** A text shown to people, always in both languages. */
export interface Text {
  en: string;
  zh: string;
}

/**
 * How far a value can be trusted. Nothing here was checked against the live servers (this code is
 * written offline); the level says where the value comes from:
 * - 'guide'      stated in a published migration guide (guides.ts; source: 'guide:ce-net-notes')
 * - 'documented' seen in a public page, repository or DNS listing while writing this table
 *                (source: where); not checked against the live server
 * - 'known'      widely published setting, from the author's knowledge; not re-checked here
 * - 'unverified' plausible but NOT confirmed: check it before relying on it. The UI marks these.
 */
export type Confidence = 'guide' | 'documented' | 'known' | 'unverified';

export interface Sourced {
  confidence: Confidence;
  /** A migration guide ('guide:alimail-migration'), a URL, or a short description of where the value was seen. */
  source?: string;
}

export type Security = 'tls' | 'starttls' | 'plain';

export interface ServerSetting extends Sourced {
  host: string;
  port: number;
  /** 'tls' = implicit TLS (993/995/465), 'starttls' = upgrade on the plain port. */
  security: Security;
  /** When to use this one instead of the first, e.g. "outside mainland China". */
  note?: Text;
}

/**
 * A host-name glob matched against MX hosts (lower case, without the trailing dot):
 * labels are separated by '.'; inside a label '*' matches any run of [a-z0-9-] (also empty) and
 * '#' one or more digits; a label that is exactly '**' matches one or more whole labels.
 * e.g. 'mxbiz#.qq.com', '**.mxhichina.com', 'qiye163mx#.mxmail.netease.com'.
 */
export interface MxPattern extends Sourced {
  pattern: string;
  /** MX hosts this pattern must match (the unit tests check them, and that no other preset matches). */
  examples: string[];
  /**
   * IMAP hosts to suggest first when this pattern matched (e.g. the older imap.mxhichina.com for
   * a domain whose MX is still mxhichina). Must be hosts of the preset's `imap` list.
   */
  preferImapHosts?: string[];
}

export interface Limit extends Sourced {
  /** null: not known. */
  value: number | null;
  unit: 'connections' | 'bytes' | 'bytes/day' | 'messages';
  note: Text;
}

/**
 * What makes a pitfall relevant: an error code of the connection test or migration, or one of the
 * findings of the connection test.
 * - 'recent-window'   only recent mail (about 30 days) is visible to clients
 * - 'missing-folders' folders or their mail are hidden from clients (folder locks, "my folders")
 * - 'empty-bodies'    messages come back with headers only
 * - 'before-start'    to do (or avoid) before the migration starts, shown in the checklist
 */
export type PitfallTrigger = ErrorCode | 'recent-window' | 'missing-folders' | 'empty-bodies' | 'before-start';

export interface Pitfall extends Sourced {
  /** Unique within the preset ('enable-imap'); generic ones start with 'generic-'. */
  id: string;
  /** What the person does with the setting. */
  action: 'enable' | 'disable' | 'set' | 'use' | 'check' | 'avoid' | 'contact';
  /** Who can change it: the mailbox user or the domain administrator. */
  audience: 'user' | 'admin';
  /** The setting, as the provider's UI names it (zh keeps the provider's own wording). */
  what: Text;
  /** Where in the provider's settings (menu path), when known. */
  where?: Text;
  why: Text;
  appliesTo: readonly PitfallTrigger[];
  /**
   * 'outdated': advice a published migration guide gives that no longer works (kept so the table
   * traces every such statement); never shown as a remedy.
   */
  status?: 'current' | 'outdated';
  /** Why it is outdated, or other remarks. */
  remark?: Text;
}

/** Server reply text that means something specific at this provider. */
export interface ResponsePattern extends Sourced {
  /** Regular expression source, matched case-insensitively against the server's text. */
  regex: string;
  code: ErrorCode;
  meaning: Text;
  /** Pitfall ids of the same preset to show with it. */
  pitfalls?: string[];
}

export type ProviderKind = 'enterprise' | 'consumer' | 'self-hosted' | 'generic';

export interface ProviderPreset {
  /**
   * Unique id. The main preset of a provider uses the provider's folder-names id
   * (shared/folders/localized-names.ts: aliyun, tencent, netease, ...); variants add a suffix
   * ('tencent-qq', 'netease-163').
   */
  id: string;
  /** The provider id of shared/folders/localized-names.ts whose folder names apply. */
  provider: string;
  label: Text;
  kind: ProviderKind;
  /** Other names accepted by findPreset (case-insensitive). */
  aliases: readonly string[];
  /** Preferred first. Empty for self-hosted systems (no fixed host: ask the administrator). */
  imap: readonly ServerSetting[];
  pop3: readonly ServerSetting[];
  smtp: readonly ServerSetting[];
  /** Self-hosted: where to find the server name. */
  hostHint?: Text;
  /** Mail domains served by this preset that need no DNS lookup (consumer mail). */
  consumerDomains: readonly string[];
  mx: readonly MxPattern[];
  /** Regular expressions (case-insensitive) matching the IMAP greeting or ID reply of this server software. */
  greeting?: readonly (Sourced & { regex: string })[];
  limits: {
    connectionsPerIp?: Limit;
    connectionsPerAccount?: Limit;
    maxMessageBytes?: Limit;
    downloadPerDay?: Limit;
  };
  /** Parallel connections per account we suggest for this provider (migrate --concurrency). */
  recommendedConcurrency: number;
  /**
   * Days of mail clients see by default when the user has not switched the download range to
   * "all" (收取范围 / 收取选项): 30 for Tencent, NetEase and 263 (the providers' and resellers' migration guides). null: no such limit known.
   */
  defaultWindowDays: number | null;
  /** What POP3 shows: the inbox (most), or all mail (Gmail), which decides whether POP3 and IMAP INBOX counts can be compared. */
  pop3Scope: 'inbox' | 'all-mail' | 'unknown';
  /** How the password for IMAP is obtained. */
  auth: {
    /** The name of a client-specific password at this provider, when it has one. */
    clientPassword?: Text & Sourced;
    /** 'required': basic (password) login is off, an OAuth2 access token is needed. */
    oauth2: 'required' | 'supported' | 'no' | 'unknown';
  };
  pitfalls: readonly Pitfall[];
  responses?: readonly ResponsePattern[];
}
