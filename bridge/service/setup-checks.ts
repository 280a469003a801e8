import type { RequestParams, RequestResult } from '../../shared/protocol/requests';
import { detectProvider } from '../diagnose/detect-provider';
import { previewFolders } from '../diagnose/preview-folders';
import type { Endpoint } from '../engine/endpoint';
import { testEndpoint, verificationAuth } from './endpoint-test';
import { classified } from './views';

/**
 * The wizard's checks before a job exists (provider detection, the connection test, the folder
 * preview): no state of the service is read or written, so they are plain functions.
 */
export const setupChecks = {
  testEndpoint: (p: RequestParams<'endpoint.test'>): Promise<RequestResult<'endpoint.test'>> => testEndpoint(p),

  async detectProvider(p: RequestParams<'provider.detect'>): Promise<RequestResult<'provider.detect'>> {
    return { detection: await detectProvider(p.address) };
  },

  /** The folder mapping a migration would use, from a verification account's folders (nothing is written). */
  async previewFolders(p: RequestParams<'folders.preview'>): Promise<RequestResult<'folders.preview'>> {
    const ep = (side: NonNullable<typeof p.target>): Endpoint => ({
      host: side.server.host,
      port: side.server.port,
      security: side.server.security,
      user: side.user,
      auth: verificationAuth(side),
      allowPlaintext: side.server.allowPlaintext,
      insecureTls: side.server.insecureTls,
    });
    const r = await previewFolders(ep(p.source), p.target ? ep(p.target) : undefined, p);
    return { ...r, error: r.error ? classified(r.error) : null };
  },
};
