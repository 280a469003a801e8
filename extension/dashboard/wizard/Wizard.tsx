import { useReducer, useState } from 'react';
import { useLocale } from '../../i18n/locale-context';
import type { BridgeState } from '../../lib/runtime-messages';
import { AccountsStep } from './AccountsStep';
import { ImportErrors } from './ImportErrors';
import { ReviewStep } from './ReviewStep';
import { SourceStep } from './SourceStep';
import { requestFailureOf, type RequestFailureInfo } from '../monitor/request-failure';
import { StartFailure } from './StartFailure';
import { StartRefused, startJob, type StartOutcome } from './start-job';
import { Stepper } from './Stepper';
import { StorageStep } from './StorageStep';
import { TargetStep } from './TargetStep';
import { filtersValid } from './job-filters';
import { INITIAL_WIZARD, STEPS, accountCount, serverProblem, testKey, wizardReducer, type WizardState } from './wizard-state';

/** Whether a step's inputs let the wizard go on (the reason to show otherwise). */
function blocker(state: WizardState, step: number): 'needSourceTest' | 'needServer' | 'fixServer' | 'needAdminUser' | 'needAccounts' | 'fixImportErrors' | null {
  switch (STEPS[step]) {
    case 'source': {
      const ok = state.sourceTest.status === 'done' && state.sourceTest.result.ok && state.sourceTest.testedKey === testKey(state.source, state.protocol, state.verifyUser);
      return ok ? null : 'needSourceTest';
    }
    case 'target': {
      const problem = serverProblem(state.target);
      if (problem) return problem;
      if (state.targetLogin === 'admin' && (!state.targetAdminUser.trim() || !state.targetAdminPassword)) return 'needAdminUser';
      return null;
    }
    case 'accounts':
      if (state.imports.some((i) => i.errors.length)) return 'fixImportErrors';
      return accountCount(state.imports) > 0 ? null : 'needAccounts';
    default:
      return null;
  }
}

export function Wizard({ bridge, onStarted }: { bridge: BridgeState | undefined; onStarted(jobId: string): void }) {
  const { t } = useLocale();
  const [state, dispatch] = useReducer(wizardReducer, INITIAL_WIZARD);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<RequestFailureInfo | null>(null);
  /** Rows the bridge refused when nothing was created: shown as the import's row errors, in the UI's language. */
  const [startRefused, setStartRefused] = useState<StartOutcome['refused'] | null>(null);
  const [outcome, setOutcome] = useState<StartOutcome | null>(null);
  const patch = (p: Partial<WizardState>) => dispatch({ type: 'patch', patch: p });
  const step = state.step;
  const block = blocker(state, step);
  let reachable = 0;
  while (reachable < STEPS.length - 1 && blocker(state, reachable) === null) reachable++;
  const defaultName = t('defaultJobName', { host: state.source.host || '—', date: new Date().toISOString().slice(0, 10) });
  const connected = bridge?.phase === 'connected';

  const start = async () => {
    setStarting(true);
    setStartError(null);
    setStartRefused(null);
    try {
      const result = await startJob(state, defaultName);
      if (result.refused.length) setOutcome(result);
      else onStarted(result.jobId);
    } catch (err) {
      if (err instanceof StartRefused) setStartRefused(err.refused);
      else setStartError(requestFailureOf(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="wizard" data-step={STEPS[step]}>
      <Stepper current={step} reachable={reachable} onGo={(i) => patch({ step: i })} />
      {!connected && <p className="callout callout--warn">{t('wizardNeedsBridge')}</p>}
      {STEPS[step] === 'source' && <SourceStep state={state} patch={patch} />}
      {STEPS[step] === 'storage' && <StorageStep state={state} patch={patch} />}
      {STEPS[step] === 'target' && <TargetStep state={state} patch={patch} />}
      {STEPS[step] === 'accounts' && <AccountsStep state={state} patch={patch} />}
      {STEPS[step] === 'review' && <ReviewStep state={state} patch={patch} defaultName={defaultName} />}

      {outcome && (
        <div className="panel">
          {outcome.refused.map((r) => (
            <div key={r.fileName}>
              <strong>{r.fileName}</strong>
              <ImportErrors errors={r.errors} />
            </div>
          ))}
          <button type="button" className="primary" onClick={() => onStarted(outcome.jobId)}>
            {t('openMonitor')}
          </button>
        </div>
      )}
      <StartFailure refused={startRefused} failure={startError} />

      <div className="wizard__nav">
        <button type="button" className="ghost" onClick={() => patch({ step: step - 1 })} disabled={step === 0}>
          {t('back')}
        </button>
        <span className="wizard__why">{block && t(block)}</span>
        {STEPS[step] === 'review' ? (
          <button type="button" className="primary" onClick={() => void start()} disabled={starting || !connected || outcome !== null || !filtersValid(state)} data-testid="start-migration">
            {starting ? t('starting') : t('startMigration')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => patch({ step: step + 1 })} disabled={block !== null} data-testid="wizard-next">
            {t('next')}
          </button>
        )}
      </div>
    </div>
  );
}
