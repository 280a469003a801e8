// @vitest-environment jsdom
/**
 * The jobs list names each job's servers (walkthrough 33): it showed hosts only, so two jobs on
 * one host ("127.0.0.1 → 127.0.0.1") could not be told apart. A port other than the protocol's
 * usual one for the security (IMAP 993/143, POP3 995/110) is shown as host:port.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { JobsPage } from '../../extension/dashboard/jobs/JobsPage';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { serverLabel } from '../../extension/lib/format';
import { makeJob } from './extension-account-fixture';

afterEach(cleanup);

const server = { host: '127.0.0.1', security: 'starttls' as const, allowPlaintext: false, insecureTls: false };

describe('the jobs list', () => {
  it('shows host:port for ports other than the usual ones, the host alone on the usual ones', async () => {
    const mirror = openDb('jobs-list-ports');
    installDb(mirror);
    await mirror.jobs.bulkPut([
      { ...makeJob({ id: 'job_a', name: 'A', source: { ...server, port: 33819, protocol: 'imap' }, target: { ...server, port: 32931 }, updatedAt: '2025-01-02T00:00:00.000Z' }), syncedAt: '2025-01-02T00:00:00.000Z' },
      { ...makeJob({ id: 'job_b', name: 'B', updatedAt: '2025-01-01T00:00:00.000Z' }), syncedAt: '2025-01-01T00:00:00.000Z' },
    ] as never);
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobsPage bridge={undefined} onOpen={() => undefined} onNew={() => undefined} />
      </LocaleProvider>,
    );
    const [a, b] = await screen.findAllByTestId('job-card');
    expect(a!.textContent).toContain('127.0.0.1:33819 → 127.0.0.1:32931 ·');
    expect(b!.textContent).toContain('imap.exmail.qq.com → imap.qiye.aliyun.com ·');
  });

  it('knows the usual ports of IMAP and POP3 for each security', () => {
    const at = (port: number, security: 'tls' | 'starttls' | 'plain') => ({ host: 'mail.example.com', port, security });
    expect(serverLabel(at(993, 'tls'))).toBe('mail.example.com');
    expect(serverLabel(at(143, 'starttls'))).toBe('mail.example.com');
    expect(serverLabel(at(143, 'plain'))).toBe('mail.example.com');
    expect(serverLabel(at(995, 'tls'), 'pop3')).toBe('mail.example.com');
    expect(serverLabel(at(110, 'plain'), 'pop3')).toBe('mail.example.com');
    expect(serverLabel(at(995, 'tls'))).toBe('mail.example.com:995');
    expect(serverLabel(at(993, 'tls'), 'pop3')).toBe('mail.example.com:993');
    expect(serverLabel({ host: '::1', port: 1143, security: 'plain' })).toBe('[::1]:1143');
  });
});
