// @vitest-environment jsdom
/**
 * "Accept a self-signed certificate" is an opt-out given for one server: picking another
 * provider (or one of its servers) or typing another host clears it, in the wizard's source and
 * target steps and in the server-change dialog, so the opt-out never carries over to a server the
 * admin did not give it for.
 */
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render } from '@testing-library/react';
import { useReducer } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async () => ({ detection: { presetId: null } })),
  bridgeRequestRaw: vi.fn(async () => ({})),
});

const { SourceStep } = await import('../../extension/dashboard/wizard/SourceStep');
const { TargetStep } = await import('../../extension/dashboard/wizard/TargetStep');
const { ServerChangeDialog } = await import('../../extension/dashboard/monitor/ServerChangeDialog');
const { INITIAL_WIZARD, wizardReducer } = await import('../../extension/dashboard/wizard/wizard-state');

beforeAll(() => installDb(openDb('insecure-tls-per-server')));
afterEach(cleanup);

const q = <T extends Element = HTMLInputElement>(selector: string) => document.querySelector(selector) as unknown as T;
const insecureBox = (prefix: string) => q(`[data-testid="${prefix}-server"] input[type="checkbox"]`);

function Wizard({ step }: { step: 'source' | 'target' }) {
  const [state, dispatch] = useReducer(wizardReducer, INITIAL_WIZARD);
  const patch = (p: Partial<typeof state>) => dispatch({ type: 'patch', patch: p });
  return <LocaleProvider initial="en" persist={false}>{step === 'source' ? <SourceStep state={state} patch={patch} /> : <TargetStep state={state} patch={patch} />}</LocaleProvider>;
}

describe('the self-signed opt-out belongs to one server', () => {
  it('source step: another provider clears it', () => {
    render(<Wizard step="source" />);
    fireEvent.change(q('select[name="source-provider"]'), { target: { value: 'tencent' } });
    const host = q('input[name="source-host"]').value;
    fireEvent.click(insecureBox('source'));
    expect(insecureBox('source').checked).toBe(true);
    fireEvent.change(q('select[name="source-provider"]'), { target: { value: 'aliyun' } });
    expect(q('input[name="source-host"]').value).not.toBe(host);
    expect(insecureBox('source').checked).toBe(false);
  });

  it('source step: another host typed clears it; the same host with other case or spaces keeps it', () => {
    render(<Wizard step="source" />);
    fireEvent.change(q('input[name="source-host"]'), { target: { value: 'mail.a.example' } });
    fireEvent.click(insecureBox('source'));
    fireEvent.change(q('input[name="source-host"]'), { target: { value: 'Mail.A.example ' } });
    expect(insecureBox('source').checked).toBe(true);
    fireEvent.change(q('input[name="source-host"]'), { target: { value: 'mail.b.example' } });
    expect(insecureBox('source').checked).toBe(false);
  });

  it('target step: another provider or host clears it', () => {
    render(<Wizard step="target" />);
    fireEvent.change(q('input[name="target-host"]'), { target: { value: 'imap.self.example' } });
    fireEvent.click(insecureBox('target'));
    fireEvent.change(q('select[name="target-provider"]'), { target: { value: 'aliyun' } });
    expect(insecureBox('target').checked).toBe(false);
    fireEvent.click(insecureBox('target'));
    fireEvent.change(q('input[name="target-host"]'), { target: { value: 'imap.other.example' } });
    expect(insecureBox('target').checked).toBe(false);
  });

  it('server-change dialog: the job opted out for its server; a new host starts verified', () => {
    const job = makeJob();
    render(
      <LocaleProvider initial="en" persist={false}>
        <ServerChangeDialog job={makeJob({ source: { ...job.source, host: 'imap.self.example', insecureTls: true } })} onClose={() => {}} />
      </LocaleProvider>,
    );
    expect(insecureBox('change').checked).toBe(true);
    fireEvent.change(q('input[name="change-host"]'), { target: { value: 'imap.new.example' } });
    expect(insecureBox('change').checked).toBe(false);
  });
});
