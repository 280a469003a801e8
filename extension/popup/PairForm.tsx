import { useState, type FormEvent } from 'react';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { parsePairingLine } from '../../shared/pairing-line';
import { Field } from '../components/Field';
import { useLocale } from '../i18n/locale-context';
import type { PlainKey } from '../i18n';
import { bridgeCommand, PageRequestError } from '../lib/page-client';
import type { BridgeState } from '../lib/runtime-messages';

const PAIR_ERRORS: Record<string, PlainKey> = {
  BAD_CODE: 'pairBadCode',
  RATE_LIMITED: 'pairRateLimited',
  BAD_ORIGIN: 'pairBadOrigin',
  UNREACHABLE: 'pairUnreachable',
};

/** The bridge runs but this browser is not paired: type the code the bridge printed. */
export function PairForm({ state }: { state: BridgeState }) {
  const { t } = useLocale();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The line a bridge on another port prints (K7QM-2XPR@7879) says where to pair, too.
      const line = parsePairingLine(code);
      if (line?.port && line.port !== state.port) await bridgeCommand({ kind: 'bridge.setPort', port: line.port });
      await bridgeCommand({ kind: 'bridge.pair', code: line?.code ?? code.trim() });
    } catch (err) {
      const c = err instanceof PageRequestError ? err.failure.code : '';
      setError(t(PAIR_ERRORS[c] ?? 'pairFailed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--found" aria-hidden="true" />
        {t('foundTitle')}
      </h2>
      <dl className="facts">
        <dt className="bridge-name">{BRIDGE_NAME}</dt>
        {state.version && <dd className="bridge-version">{t('foundVersion', { version: state.version })}</dd>}
      </dl>
      {state.problem === 'token-rejected' && <p className="warn-text">{t('pairTokenRejected')}</p>}
      {state.problem === 'origin-rejected' && <p className="warn-text">{t('pairOriginRejected')}</p>}
      <form className="pair-form" onSubmit={(e) => void submit(e)}>
        <Field label={t('pairCodeLabel')} hint={t('pairCodeHint')} error={error}>
          {(props) => (
            <input
              {...props}
              className="input input--code"
              value={code}
              onChange={(e) => setCode(e.target.value.toUpperCase())}
              placeholder="ABCD-EFGH"
              autoComplete="off"
              spellCheck={false}
              maxLength={20}
              required
              autoFocus
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy || code.trim().length < 8}>
          {busy ? t('pairing') : t('pairButton')}
        </button>
      </form>
    </>
  );
}
