// @vitest-environment jsdom
/**
 * A failed connection test lists the settings to check that the bridge's diagnosis gave for the
 * side tested: for the new mailbox, not the old one's (IMAP switched on in the old mailbox, the
 * old service not expired), which the provider's generic list would bring back.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { remedyFor, type ConnectionReport } from '../../shared/providers';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { ConnectionResult } from '../../extension/dashboard/wizard/ConnectionResult';

const authFailed = { code: 'AUTH_FAILED' as const, message: 'Login to the target bob@new.example.com failed.', side: 'target' as const, remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false };
const report = (hints: ConnectionReport['error'] extends infer E ? (E extends { hints: infer H } ? H : never) : never) =>
  ({ ok: false, tls: null, warnings: [], folders: null, totals: null, checklist: [], error: { ...authFailed, stage: 'auth', serverText: null, hints } }) as unknown as ConnectionReport;

afterEach(cleanup);

describe('a failed connection test', () => {
  it("lists the diagnosis's hints for the side tested, not the provider's generic ones", () => {
    const generic = remedyFor('AUTH_FAILED', undefined).pitfalls;
    expect(generic.length).toBeGreaterThan(0);
    render(
      <LocaleProvider initial="en" persist={false}>
        <ConnectionResult result={{ ok: false, error: authFailed, folders: null, ms: 40, report: report([]) } as never} providerId="generic" stale={false} />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('test-result').dataset.ok).toBe('false');
    for (const p of generic) expect(document.body.textContent).not.toContain(p.what.en);
    expect(document.body.textContent).not.toContain('Check these settings');
  });

  it("without a report, the provider's own list still shows", () => {
    const generic = remedyFor('AUTH_FAILED', undefined).pitfalls;
    render(
      <LocaleProvider initial="en" persist={false}>
        <ConnectionResult result={{ ok: false, error: authFailed, folders: null, ms: 40, report: null } as never} providerId="generic" stale={false} />
      </LocaleProvider>,
    );
    expect(document.body.textContent).toContain(generic[0]!.what.en);
  });
});
