import type { ProtocolErrorCode } from '../../shared/protocol/messages';

/** A request the service refuses, with the protocol error code the client gets. */
export class ServiceError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
