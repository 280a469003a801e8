import { useState, type FormEvent } from 'react';
import { parsePairingLine } from '../../shared/pairing-line';
import { Field } from '../components/Field';
import { useLocale } from '../i18n/locale-context';
import { BRIDGE_HOST } from '../lib/bridge';
import { bridgeCommand } from '../lib/page-client';

/**
 * Nothing answers on the port: how to start the bridge, and where to say it listens elsewhere
 * (its port, or the pairing line it printed, e.g. K7QM-2XPR@7879, which also pairs at once).
 */
export function NotFound({ port, onRetry }: { port: number; onRetry: () => void }) {
  const { t } = useLocale();
  const [copied, setCopied] = useState(false);
  const [where, setWhere] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText('npm start').then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  const lookThere = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parsePairingLine(where);
    if (!parsed?.port) {
      setError(t('notFoundPortInvalid'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await bridgeCommand({ kind: 'bridge.setPort', port: parsed.port });
      // A pairing line carries the code too: pair right away (the unpaired card shows a refusal).
      if (parsed.code) await bridgeCommand({ kind: 'bridge.pair', code: parsed.code }).catch(() => undefined);
    } catch {
      // The card follows the background's state; an unreachable port stays "not found" with its address.
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2 className="status-line">
        <span className="dot dot--not-found" aria-hidden="true" />
        {t('notFoundTitle')}
      </h2>
      <p className="lead">{t('notFoundBody')}</p>
      <div className="command">
        <code>npm start</code>
        <button type="button" className="link-button" onClick={copy}>
          {copied ? t('copied') : t('copy')}
        </button>
      </div>
      <p className="hint">{t('notFoundHint', { address: `${BRIDGE_HOST}:${port}` })}</p>
      <button type="button" className="primary" onClick={onRetry}>
        {t('retry')}
      </button>
      <form className="port-form" onSubmit={(e) => void lookThere(e)} data-testid="port-form">
        <Field label={t('notFoundPortLabel')} hint={t('notFoundPortHint')} error={error}>
          {(props) => (
            <input
              {...props}
              name="bridge-port"
              className="input"
              value={where}
              onChange={(e) => setWhere(e.target.value)}
              placeholder="7879"
              autoComplete="off"
              spellCheck={false}
              maxLength={32}
            />
          )}
        </Field>
        <button type="submit" className="secondary" disabled={busy || !where.trim()}>
          {t('notFoundPortButton')}
        </button>
      </form>
    </>
  );
}
