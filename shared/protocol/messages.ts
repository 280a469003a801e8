import { z } from 'zod';
import { RemedySchema } from './common';
import { EVENTS, type EventData, type EventName } from './events';
import { PROTOCOL_VERSION } from './version';
import { REQUESTS, type RequestParamsInput, type RequestResult, type RequestType } from './requests';

/**
 * Error codes of the protocol itself (a request that could not be carried out), as
 * opposed to migration errors (shared/errors.ts), which are data in account views.
 */
export const PROTOCOL_ERROR_CODES = [
  'BAD_JSON', // the frame is not JSON
  'BAD_MESSAGE', // JSON, but not a request envelope
  'UNSUPPORTED_VERSION', // v is not PROTOCOL_VERSION
  'UNKNOWN_TYPE', // no such request
  'INVALID_PARAMS', // params do not match the request's schema; details name the fields
  'UNAUTHORIZED', // no hello yet, or a wrong/revoked token
  'NOT_FOUND', // no such job/account
  'CONFLICT', // the job or account is in a state that does not allow it (closed job, …)
  'SERVER_CHANGED', // a password was typed for a server the job or account no longer uses; nothing stored
  'UNSUPPORTED', // valid, but not implemented by this bridge (e.g. POP3 before the engine has it)
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export const ProtocolErrorCodeSchema = z.enum(PROTOCOL_ERROR_CODES);
export type ProtocolErrorCode = z.infer<typeof ProtocolErrorCodeSchema>;

export const ProtocolErrorSchema = z.object({
  code: ProtocolErrorCodeSchema,
  message: z.string(),
  /** For INVALID_PARAMS: which field, what is wrong. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  remedy: RemedySchema.optional(),
});
export type ProtocolError = z.infer<typeof ProtocolErrorSchema>;

export const OkResponseSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('response'),
  id: z.string(),
  ok: z.literal(true),
  type: z.string(),
  result: z.unknown(),
});
/** id is null when the request's id could not be read (e.g. not JSON). */
export const ErrorResponseSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('response'),
  id: z.string().nullable(),
  ok: z.literal(false),
  error: ProtocolErrorSchema,
});
export const EventMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('event'),
  event: z.enum(Object.keys(EVENTS) as [EventName, ...EventName[]]),
  data: z.unknown(),
});
export const ServerMessageSchema = z.union([OkResponseSchema, ErrorResponseSchema, EventMessageSchema]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Builds a request frame (the extension's side). */
export function encodeRequest<T extends RequestType>(id: string, type: T, params: RequestParamsInput<T>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, id, type, params });
}

export function okResponse<T extends RequestType>(id: string, type: T, result: RequestResult<T>) {
  return { v: PROTOCOL_VERSION, kind: 'response' as const, id, ok: true as const, type, result };
}

export function errorResponse(id: string | null, error: ProtocolError) {
  return { v: PROTOCOL_VERSION, kind: 'response' as const, id, ok: false as const, error };
}

export function eventMessage<E extends EventName>(event: E, data: EventData<E>) {
  return { v: PROTOCOL_VERSION, kind: 'event' as const, event, data };
}

/** Checks a response's result against its request's schema (the extension's side). */
export function parseResult<T extends RequestType>(type: T, result: unknown): RequestResult<T> {
  return REQUESTS[type].result.parse(result) as RequestResult<T>;
}

/** Checks an event's data against its schema (the extension's side). */
export function parseEvent<E extends EventName>(event: E, data: unknown): EventData<E> {
  return EVENTS[event].parse(data) as EventData<E>;
}

/*
 * The handshake that opens every WebSocket (docs/PROTOCOL.md, "Handshake"). The extension must
 * not send anything a stranger on the port could use until the bridge has proved that it holds
 * the pairing key, so the first frames are these, not requests:
 *   extension → auth.challenge {tokenId, nonce}     (the token id is not a secret)
 *   bridge    → auth.proof     {nonce, proof}       proof = HMAC(key, "bridge", …both nonces)
 *   extension → auth.response  {proof}              only if the bridge's proof verified
 *   bridge    → auth.ok        {tokenId, …}         the session is authenticated
 * Before auth.ok the bridge reads exactly one frame per step, each at most
 * HANDSHAKE_MAX_FRAME_BYTES, and closes the socket on anything else.
 */
export const HANDSHAKE_LABEL = 'mailmover-handshake-v1';
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

/** 32 random bytes, base64url (43 characters): nonces, MACs and pairing keys. */
const B64url32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const AuthChallengeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('auth.challenge'),
  tokenId: z.string().min(1).max(64),
  nonce: B64url32,
  clientVersion: z.string().max(64),
  protocol: z.number().int(),
});
export type AuthChallenge = z.infer<typeof AuthChallengeSchema>;

export const AuthProofSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('auth.proof'),
  nonce: B64url32,
  proof: B64url32,
});
export type AuthProof = z.infer<typeof AuthProofSchema>;

export const AuthResponseSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('auth.response'),
  proof: B64url32,
});
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const AuthOkSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('auth.ok'),
  tokenId: z.string(),
  bridgeVersion: z.string(),
  protocol: z.number().int(),
});
export type AuthOk = z.infer<typeof AuthOkSchema>;

/** Pairing key: 32 random bytes, base64url; returned once by POST /pair. */
export const PairingKeySchema = B64url32;
