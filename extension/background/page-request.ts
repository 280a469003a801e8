/**
 * A page's bridge request as the background forwards it. Kept apart from bridge-connection.ts
 * (which needs WXT's generated types) so that it is unit-tested on its own.
 */
import { REQUESTS, isRequestType, type RequestType } from '../../shared/protocol/requests';
import { BridgeRequestError } from '../lib/bridge-socket';

/**
 * The params to send for a page's request: what the request's schema parsed, not the page's
 * object, so a field a page adds (a compromised page, a bug) never reaches the bridge. The
 * schemas' transforms are idempotent: the bridge parses this value again to the same. Throws
 * before anything is sent, with the fields named.
 */
export function checkPageRequest(type: string, params: unknown): { type: Exclude<RequestType, 'hello'>; params: unknown } {
  if (!isRequestType(type) || type === 'hello') {
    throw new BridgeRequestError({ code: 'BAD_REQUEST', message: `Unknown request type ${type}.` });
  }
  const checked = REQUESTS[type as RequestType].params.safeParse(params ?? {});
  if (!checked.success) {
    throw new BridgeRequestError({
      code: 'INVALID_PARAMS',
      message: `Invalid params for ${type}.`,
      details: checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return { type: type as Exclude<RequestType, 'hello'>, params: checked.data };
}
