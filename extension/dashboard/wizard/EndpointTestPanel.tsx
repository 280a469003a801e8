import { useState } from 'react';
import type { RequestParamsInput } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import { RequestFailureNote } from '../../components/RequestFailureNote';
import { requestFailureOf } from '../monitor/request-failure';
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
      // Kept as the code and the bridge's text: worded where it is shown, in the UI's language.
      onState({ status: 'failed', failure: requestFailureOf(err) });
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
      {state.status === 'failed' && <RequestFailureNote failure={state.failure} testId={`${testId}-failure`} />}
      {state.status === 'done' && <ConnectionResult result={state.result} providerId={providerId} stale={state.testedKey !== currentKey} />}
    </div>
  );
}
