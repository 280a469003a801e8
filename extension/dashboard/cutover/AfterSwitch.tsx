import { CUTOVER_CHECKLIST_ITEMS, type CutoverChecklistItem, type CutoverView } from '../../../shared/protocol';
import { dnsExpectationsFor } from '../../../shared/providers/dns-expectations';
import { presetById } from '../../../shared/providers/match';
import { useLocale, useText } from '../../i18n/locale-context';
import type { MessageKey } from '../../i18n';
import { aside } from '../../i18n/punctuation';

/** The mail clients employees use most, each with where the manual IMAP set-up is. */
const CLIENT_STEPS = ['clientStepsOutlook', 'clientStepsFoxmail', 'clientStepsIos', 'clientStepsAndroid'] as const;

/**
 * After the switch: what reached the old servers since (per account), the checklist the admin
 * ticks (kept in the job by the bridge), and the client settings of the new provider.
 */
export function AfterSwitch({ view, disabled, onTick }: { view: CutoverView; disabled: boolean; onTick(item: CutoverChecklistItem, done: boolean): void }) {
  const { t, locale } = useLocale();
  const text = useText();
  const exp = dnsExpectationsFor(view.config.targetProvider);
  const preset = exp ? presetById(exp.providerId) : undefined;
  const imap = preset?.imap[0];
  const smtp = preset?.smtp[0];
  const security = (s: 'tls' | 'starttls' | 'plain') => (s === 'tls' ? 'SSL/TLS' : s === 'starttls' ? 'STARTTLS' : '—');
  return (
    <div className="cutover-after">
      {view.mxOnTargetAt && (
        <section data-testid="cutover-arrivals">
          <h3>{t('cutoverArrivalsTitle')}</h3>
          <table className="table">
            <thead>
              <tr>
                <th>{t('dnsColName')}</th>
                <th>{t('cutoverArrivalCol')}</th>
                <th>{t('cutoverLastArrivalCol')}</th>
              </tr>
            </thead>
            <tbody>
              {view.accounts.map((a) => (
                <tr key={a.accountId}>
                  <td>{a.source}</td>
                  <td>{a.arrivedAfterSwitch}</td>
                  <td>{a.lastArrivalAt ? new Date(a.lastArrivalAt).toLocaleString() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section data-testid="cutover-checklist">
        <h3>{t('checklistTitle')}</h3>
        <ul className="checklist">
          {CUTOVER_CHECKLIST_ITEMS.map((item) => (
            <li key={item}>
              <label className="check">
                <input
                  type="checkbox"
                  name={`checklist-${item}`}
                  checked={!!view.checklist[item]}
                  disabled={disabled}
                  onChange={(e) => onTick(item, e.target.checked)}
                />{' '}
                {(t as (k: MessageKey) => string)(`checklist_${item}` as MessageKey)}
              </label>
            </li>
          ))}
        </ul>
      </section>
      {exp && imap && smtp && (
        <section data-testid="client-settings">
          <h3>{t('clientSettingsTitle', { provider: text(exp.label) })}</h3>
          <p className="hint">{t('clientSettingsLead')}</p>
          <dl className="client-settings">
            <dt>{t('clientIncoming')}</dt>
            <dd>
              <code>{imap.host}</code> : <code>{imap.port}</code>
              {aside(locale, security(imap.security))}
            </dd>
            <dt>{t('clientOutgoing')}</dt>
            <dd>
              <code>{smtp.host}</code> : <code>{smtp.port}</code>
              {aside(locale, security(smtp.security))}
            </dd>
          </dl>
          <h4>{t('clientStepsTitle')}</h4>
          <ol className="client-steps" data-testid="client-steps">
            {CLIENT_STEPS.map((key) => (
              <li key={key}>{t(key)}</li>
            ))}
          </ol>
          <p className="hint">{t('clientStepsOldAccount')}</p>
        </section>
      )}
    </div>
  );
}
