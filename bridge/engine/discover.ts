import type { ImapFlow } from 'imapflow';

export interface DiscoveredFolder {
  path: string;
  delimiter: string | null;
  /** Only what the server itself declares (RFC 6154); names are recognised later from the provider tables. */
  specialUse?: string;
  flags: string[];
  /** The folder's STATUS as LIST-STATUS (RFC 5819) returned it with the listing, when asked for and offered. */
  status?: ListedStatus;
}

/** What LIST-STATUS tells about a folder without selecting it. */
export interface ListedStatus {
  messages: number;
  uidNext: number;
  uidValidity: number;
  /**
   * HIGHESTMODSEQ (CONDSTORE, RFC 7162), asked for in the same listing where the server offers
   * it: a flag pass skips a folder whose value is still the one of its last pass (flag-sync.ts).
   */
  highestModseq?: bigint;
}

export interface MailboxLayout {
  delimiter: string;
  /** Personal namespace prefix, e.g. 'INBOX.' on Courier/Cyrus-style servers, '' elsewhere. */
  prefix: string;
  folders: DiscoveredFolder[];
  capabilities: string[];
}

/**
 * LIST, NAMESPACE and special-use of one mailbox. Read-only on every server. With
 * `withStatus`, a server offering LIST-STATUS (RFC 5819) also returns each folder's
 * MESSAGES, UIDNEXT and UIDVALIDITY in the same round trip (one STATUS per folder
 * otherwise, which imapflow would send for every folder: not asked for then); with `withModseq`
 * also HIGHESTMODSEQ where the server offers CONDSTORE.
 */
export async function discoverLayout(client: ImapFlow, opts: { withStatus?: boolean; withModseq?: boolean } = {}): Promise<MailboxLayout> {
  const inline = opts.withStatus === true && client.capabilities.has('LIST-STATUS');
  const list = await client.list(inline ? { statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: opts.withModseq === true } } : undefined);
  const personal = client.namespace;
  const delimiter = personal?.delimiter || list.find((f) => f.delimiter)?.delimiter || '/';
  const folders: DiscoveredFolder[] = list.map((f) => ({
    path: f.path,
    delimiter: f.delimiter || null,
    // imapflow guesses special-use from English names when the server says nothing;
    // we keep only the server's own flags and apply our per-provider tables instead.
    specialUse: f.specialUse && f.specialUseSource !== 'name' ? f.specialUse : undefined,
    flags: [...(f.flags ?? [])],
    ...(inline ? listedStatus(f.status) : {}),
  }));
  return {
    delimiter,
    prefix: personal?.prefix ?? '',
    folders,
    capabilities: [...client.capabilities.keys()],
  };
}

function listedStatus(st: { messages?: number; uidNext?: number; uidValidity?: bigint | number; highestModseq?: bigint } | undefined): { status?: ListedStatus } {
  if (!st || st.messages === undefined || st.uidNext === undefined || st.uidValidity === undefined) return {};
  const modseq = typeof st.highestModseq === 'bigint' ? { highestModseq: st.highestModseq } : {};
  return { status: { messages: st.messages, uidNext: st.uidNext, uidValidity: Number(st.uidValidity), ...modseq } };
}
