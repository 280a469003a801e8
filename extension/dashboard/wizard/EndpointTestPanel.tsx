import { useState } from 'react';
import type { RequestParamsInput } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import { PageRequestError } from '../../lib/page-client';
import { ConnectionResult } from './ConnectionResult';
import { runEndpointTest } from './run-endpoint-test';
import type { TestState } from './wizard-state';

/** The "test connection" button and its outcome. */
export function EndpointTestPanel({
  state,
  onState,
  params,
  currentKey,
  providerId,
  disabledReason,
  testId,
}: {
  state: TestState;
  onState(s: TestState): void;
  params: () => RequestParamsInput<'endpoint.test'>;
  currentKey: string;
  providerId: string;
  disabledReason: string | null;
  testId: string;
}) {
  const { t } = useLocale();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    onState({ status: 'running' });
    try {
      const result = await runEndpointTest(params());
      onState({ status: 'done', result, testedKey: currentKey });
    } catch (err) {
      const f = err instanceof PageRequestError ? err.failure : { code: 'INTERNAL', message: String(err) };
      onState({ status: 'failed', message: f.code === 'NOT_CONNECTED' ? t('bridgeNeeded') : `${f.code}: ${f.message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="test-panel">
      <button type="button" className="secondary" onClick={() => void run()} disabled={busy || disabledReason !== null} data-testid={testId}>
        {busy ? t('testing') : t('testConnection')}
      </button>
      {disabledReason && <span className="hint test-panel__why">{disabledReason}</span>}
      {state.status === 'running' && <p className="hint" role="status">{t('testRunning')}</p>}
      {state.status === 'failed' && (
        <p className="field__error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'done' && <ConnectionResult result={state.result} providerId={providerId} stale={state.testedKey !== currentKey} />}
    </div>
  );
}
