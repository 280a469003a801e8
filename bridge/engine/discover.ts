import type { ImapFlow } from 'imapflow';

export interface DiscoveredFolder {
  path: string;
  delimiter: string | null;
  /** Only what the server itself declares (RFC 6154); names are recognised later from the provider tables. */
  specialUse?: string;
  flags: string[];
}

export interface MailboxLayout {
  delimiter: string;
  /** Personal namespace prefix, e.g. 'INBOX.' on Courier/Cyrus-style servers, '' elsewhere. */
  prefix: string;
  folders: DiscoveredFolder[];
  capabilities: string[];
}

/** LIST, NAMESPACE and special-use of one mailbox. Read-only on every server. */
export async function discoverLayout(client: ImapFlow): Promise<MailboxLayout> {
  const list = await client.list();
  const personal = client.namespace;
  const delimiter = personal?.delimiter || list.find((f) => f.delimiter)?.delimiter || '/';
  const folders: DiscoveredFolder[] = list.map((f) => ({
    path: f.path,
    delimiter: f.delimiter || null,
    // imapflow guesses special-use from English names when the server says nothing;
    // we keep only the server's own flags and apply our per-provider tables instead.
    specialUse: f.specialUse && f.specialUseSource !== 'name' ? f.specialUse : undefined,
    flags: [...(f.flags ?? [])],
  }));
  return {
    delimiter,
    prefix: personal?.prefix ?? '',
    folders,
    capabilities: [...client.capabilities.keys()],
  };
}
