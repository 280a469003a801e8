import { PROVIDER_PRESETS, type ProviderPreset, type ServerSetting } from '../../../shared/providers';
import { Field } from '../../components/Field';
import { useLocale, useText } from '../../i18n/locale-context';

/**
 * The provider list (presets from shared/providers) and, for the chosen one, its known servers
 * as one-click choices. `detectedVia` says why a provider is preselected.
 */
export function ProviderPicker({
  value,
  onChange,
  protocol,
  onPickServer,
  detectedVia,
  label,
  idPrefix,
}: {
  value: string;
  onChange(id: string): void;
  protocol: 'imap' | 'pop3';
  onPickServer(s: ServerSetting): void;
  detectedVia: string | null;
  label: string;
  idPrefix: string;
}) {
  const { t } = useLocale();
  const text = useText();
  const preset = PROVIDER_PRESETS.find((p) => p.id === value);
  const servers: readonly ServerSetting[] = preset ? preset[protocol] : [];
  return (
    <div className="provider-picker">
      <Field label={label} hint={detectedVia}>
        {(p) => (
          <select {...p} name={`${idPrefix}-provider`} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">{t('providerChoose')}</option>
            {groups().map(([kind, presets]) => (
              <optgroup key={kind} label={t(kind === 'enterprise' ? 'providerGroupEnterprise' : kind === 'consumer' ? 'providerGroupConsumer' : 'providerGroupOther')}>
                {presets.map((p) => (
                  <option key={p.id} value={p.id}>
                    {text(p.label)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      {preset && servers.length > 1 && (
        <div className="server-choices" role="group" aria-label={t('providerServers')}>
          {servers.map((s) => (
            <button key={`${s.host}:${s.port}`} type="button" className="chip" onClick={() => onPickServer(s)}>
              <code>
                {s.host}:{s.port}
              </code>
              {s.note && <span className="chip__note">{text(s.note)}</span>}
              {s.confidence === 'unverified' && <span className="chip__note">{t('unverified')}</span>}
            </button>
          ))}
        </div>
      )}
      {preset && servers.length === 0 && preset.hostHint && <p className="hint">{text(preset.hostHint)}</p>}
      {preset && servers[0]?.confidence === 'unverified' && <p className="warn-text">{t('presetUnverified')}</p>}
    </div>
  );
}

function groups(): [ProviderPreset['kind'], ProviderPreset[]][] {
  const order: ProviderPreset['kind'][] = ['enterprise', 'consumer', 'self-hosted', 'generic'];
  const byKind = new Map<ProviderPreset['kind'], ProviderPreset[]>();
  for (const p of PROVIDER_PRESETS) {
    const kind = p.kind === 'self-hosted' ? 'generic' : p.kind;
    byKind.set(kind, [...(byKind.get(kind) ?? []), p]);
  }
  return order.filter((k) => byKind.has(k)).map((k) => [k, byKind.get(k)!]);
}
