/**
 * The background worker checks a page's request params with the request's zod schema and
 * forwards what the schema let through (checkPageRequest, which BridgeConnection.request sends
 * as is): a field a page adds (to a job patch, to an endpoint test, to a nested server) never
 * reaches the bridge. Bad params are refused with the field named, before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { checkPageRequest } from '../../extension/background/page-request';
import { BridgeRequestError } from '../../extension/lib/bridge-socket';

const server = { host: 'imap.example.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false };

describe('background: page params go to the bridge as parsed', () => {
  it('drops fields the schema does not know, at the top and nested', () => {
    const out = checkPageRequest('job.update', { jobId: 'job_abcdef', patch: { concurrency: 3, extra: 'x', target: { ...server, sendTo: 'evil.example' } }, debug: true });
    expect(out).toEqual({ type: 'job.update', params: { jobId: 'job_abcdef', patch: { concurrency: 3, target: server } } });
  });

  it('endpoint.test too (sent raw only so that the result keeps newer fields)', () => {
    const { params } = checkPageRequest('endpoint.test', { side: 'source', server: { ...server, protocol: 'imap', via: 'proxy' }, user: 'a@example.com', password: 'Pw-1', note: 'x' });
    expect(params).not.toHaveProperty('note');
    expect((params as { server: unknown }).server).toEqual({ ...server, protocol: 'imap' });
    expect(params).toMatchObject({ side: 'source', user: 'a@example.com', password: 'Pw-1' });
  });

  it('refuses unknown types, hello, and bad params with the field named', () => {
    const failure = (type: string, params: unknown) => {
      try {
        checkPageRequest(type, params);
      } catch (err) {
        return err instanceof BridgeRequestError ? err.failure : err;
      }
      return null;
    };
    expect(failure('nope', {})).toMatchObject({ code: 'BAD_REQUEST' });
    expect(failure('hello', { token: 'x', clientVersion: '1', protocol: 1 })).toMatchObject({ code: 'BAD_REQUEST' });
    expect(failure('job.update', { jobId: 'job_abcdef', patch: { concurrency: 'many' } })).toMatchObject({ code: 'INVALID_PARAMS', details: [{ path: 'patch.concurrency' }] });
  });
});
