/**
 * The pages' side of the runtime messages: every call goes to the background worker, which
 * owns the bridge connection. Results are validated with the protocol's schemas here too.
 */
import { browser } from 'wxt/browser';
import { parseResult, type RequestParamsInput, type RequestResult, type RequestType } from '../../shared/protocol';
import {
  BridgeStateSchema,
  PageResponseSchema,
  type BridgeState,
  type PageRequest,
  type RequestFailure,
} from './runtime-messages';

export class PageRequestError extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
    this.name = 'PageRequestError';
  }
}

async function send(message: PageRequest): Promise<unknown> {
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage(message);
  } catch (err) {
    throw new PageRequestError({ code: 'NOT_CONNECTED', message: String(err) });
  }
  const response = PageResponseSchema.safeParse(raw);
  if (!response.success) throw new PageRequestError({ code: 'BAD_RESPONSE', message: 'Unexpected answer from the background.' });
  if (!response.data.ok) throw new PageRequestError(response.data.error);
  return response.data.result;
}

export async function bridgeCommand(message: Exclude<PageRequest, { kind: 'bridge.request' }>): Promise<BridgeState> {
  return BridgeStateSchema.parse(await send(message));
}

export async function bridgeRequest<T extends RequestType>(type: T, params: RequestParamsInput<T>): Promise<RequestResult<T>> {
  return parseResult(type, await send({ kind: 'bridge.request', type, params }));
}

/** The result exactly as the bridge sent it (endpoint.test: its diagnosis may be richer than our schema). */
export async function bridgeRequestRaw<T extends RequestType>(type: T, params: RequestParamsInput<T>): Promise<unknown> {
  return send({ kind: 'bridge.request', type, params });
}
