import type { ProtocolErrorCode } from '../../shared/protocol/messages';

/** A request the service refuses, with the protocol error code the client gets (and, for a person, what to do in both languages). */
export class ServiceError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly remedy?: { en: string; zh: string },
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
