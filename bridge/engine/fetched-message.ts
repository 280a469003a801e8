import type { AppendItem } from './append-batch';

/** A source message fetched whole, ready to APPEND (FetchedChunk.items). */
export interface FetchedMessage {
  uid: number;
  fingerprint: string;
  /** The size its row records (and the report counts as copied). */
  size: number;
  item: AppendItem;
  /** Added to a refusal's reason to name the message where its uid does not (POP3's UIDL). */
  note?: string;
}
