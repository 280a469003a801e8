/**
 * Messages between the extension's pages (popup, dashboard, content scripts) and the
 * background worker, which owns the one WebSocket to the bridge. Both directions are
 * validated with zod: a message that does not parse is answered with an error, never acted on.
 */
import { z } from 'zod';

const Port = z.number().int().min(1).max(65535);

export const PageRequestSchema = z.discriminatedUnion('kind', [
  /** Current bridge state (also kept in Dexie settings 'bridge'); wakes the worker. */
  z.object({ kind: z.literal('bridge.status') }),
  /** Look for the bridge again now (the popup's "check again"). */
  z.object({ kind: z.literal('bridge.reconnect') }),
  /** The code the bridge printed; the background POSTs /pair and keeps the token. */
  z.object({ kind: z.literal('bridge.pair'), code: z.string().min(1).max(32) }),
  /** Forget the token (the bridge then needs a new pairing code). */
  z.object({ kind: z.literal('bridge.unpair') }),
  z.object({ kind: z.literal('bridge.setPort'), port: Port }),
  /** One protocol request, forwarded as is; params are checked against the protocol schema. */
  z.object({ kind: z.literal('bridge.request'), type: z.string().min(1).max(64), params: z.unknown() }),
]);
export type PageRequest = z.infer<typeof PageRequestSchema>;

/** impostor: something answers on the port but could not prove it holds the pairing key ("not your bridge"). */
export const BRIDGE_PHASES = ['checking', 'not-found', 'unpaired', 'connecting', 'connected', 'impostor'] as const;
export type BridgePhase = (typeof BRIDGE_PHASES)[number];

/** Why the last attempt failed, as a key the UI translates. */
export const BridgeProblemSchema = z.enum(['token-rejected', 'origin-rejected', 'version-mismatch', 'connection-lost', 'socket-error']);
export type BridgeProblem = z.infer<typeof BridgeProblemSchema>;

export const BridgeStateSchema = z.object({
  phase: z.enum(BRIDGE_PHASES),
  port: Port,
  version: z.string().nullable(),
  /** Paired: a pairing is stored (its token id and the origin it was paired for; never the key). */
  paired: z.boolean(),
  tokenId: z.string().nullable(),
  origin: z.string().nullable(),
  problem: BridgeProblemSchema.nullable(),
  lastConnectedAt: z.string().nullable(),
  /** When the background looks again (not found / reconnecting). */
  nextAttemptAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type BridgeState = z.infer<typeof BridgeStateSchema>;

/** Failures of a forwarded request: protocol errors from the bridge, or the connection itself. */
export const RequestFailureSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  remedy: z.object({ en: z.string(), zh: z.string() }).optional(),
});
export type RequestFailure = z.infer<typeof RequestFailureSchema>;

export const PageResponseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: RequestFailureSchema }),
]);
export type PageResponse = z.infer<typeof PageResponseSchema>;
