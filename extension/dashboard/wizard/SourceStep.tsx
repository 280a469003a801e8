import { beforeStartChecklist, findPreset, pitfallsFor, type ServerSetting } from '../../../shared/providers';
import { Field } from '../../components/Field';
import { useLocale, useText } from '../../i18n/locale-context';
import { fullWidthFieldError, subjectOf } from '../../lib/full-width-field';
import { useEffect, useRef, useState } from 'react';
import { detectByMx, detectProvider } from './detect';
import { EndpointTestPanel } from './EndpointTestPanel';
import { PitfallList } from './PitfallList';
import { ProtocolChoice } from './ProtocolChoice';
import { ProviderPicker } from './ProviderPicker';
import { ServerFields } from './ServerFields';
import { ADDRESS_RE, serverProblem, testKey, toServer, withServerAddress, type ServerDraft, type WizardState } from './wizard-state';

/** Step a — 原邮箱系统验证: the old system's server, checked with one verification account. */
export function SourceStep({ state, patch }: { state: WizardState; patch(p: Partial<WizardState>): void }) {
  const { t, locale } = useLocale();
  const text = useText();
  const preset = findPreset(state.providerId);

  const applyServer = (s: Pick<ServerSetting, 'host' | 'port' | 'security'>) =>
    patch({ source: withServerAddress(state.source, { host: s.host, port: String(s.port), security: s.security }) });

  const pickProvider = (id: string, protocol = state.protocol) => {
    const p = findPreset(id);
    const first = p?.[protocol][0];
    const source = first ? withServerAddress(state.source, { host: first.host, port: String(first.port), security: first.security }) : state.source;
    // Another provider is another server, even where its preset leaves the host as typed.
    patch({ providerId: id, protocol, source: id === state.providerId ? source : { ...source, insecureTls: false } });
  };

  const addressError = fullWidthFieldError(state.verifyUser, subjectOf('fullWidthVerifyAddress'), locale);
  const detection = detectProvider(state.verifyUser, state.source.host);
  // An enterprise domain: the bridge looks up its MX records (provider.detect).
  const [mxPresetId, setMxPresetId] = useState<string | null>(null);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });
  const onAddressBlur = () => {
    // An address the field says is mistyped is not looked up: its domain is not the one meant.
    if (state.providerId || addressError) return;
    if (detection.preset) {
      pickProvider(detection.preset.id);
      return;
    }
    const address = state.verifyUser.trim();
    if (!ADDRESS_RE.test(address)) return;
    void detectByMx(address).then((preset) => {
      const now = latest.current;
      // Only if nothing was chosen meanwhile and the address is still the same.
      if (!preset || now.providerId || now.verifyUser.trim() !== address) return;
      const first = preset[now.protocol][0];
      setMxPresetId(preset.id);
      patch({
        providerId: preset.id,
        source: { ...(first ? withServerAddress(now.source, { host: first.host, port: String(first.port), security: first.security }) : now.source), insecureTls: false },
      });
    });
  };
  const detectedVia =
    detection.preset && detection.preset.id === state.providerId
      ? t(detection.via === 'domain' ? 'detectedByDomain' : 'detectedByHost', { provider: text(detection.preset.label) })
      : preset && mxPresetId === state.providerId
        ? t('detectedByMx', { provider: text(preset.label) })
        : null;

  const key = testKey(state.source, state.protocol, state.verifyUser);
  const problem = serverProblem(state.source);
  // Full-width letters pass the address format: checked first, or the test would log in as another user.
  const disabledReason = addressError
    ? t('fixVerifyAddress')
    : !ADDRESS_RE.test(state.verifyUser.trim())
      ? t('needVerifyAddress')
      : !state.verifyPassword
        ? t('needVerifyPassword')
        : problem
          ? t(problem)
          : null;
  const recent = preset?.defaultWindowDays ? pitfallsFor(preset, 'recent-window') : [];
  const checklist = beforeStartChecklist(preset);

  return (
    <section className="step" aria-labelledby="step-source-title">
      <h2 id="step-source-title">{t('stepSourceTitle')}</h2>
      <p className="step__lead">{t('stepSourceLead')}</p>

      <div className="panel">
        <h3>{t('verifyAccountTitle')}</h3>
        <div className="grid grid--2">
          <Field label={t('verifyAddress')} hint={t('verifyAddressHint')} error={addressError}>
            {(p) => (
              <input
                {...p}
                name="verify-user"
                type="email"
                className="input"
                value={state.verifyUser}
                onChange={(e) => patch({ verifyUser: e.target.value })}
                onBlur={onAddressBlur}
                autoComplete="off"
                placeholder="zhangsan@example.com"
              />
            )}
          </Field>
          <Field label={t('verifyPassword')} hint={t('verifyPasswordHint')}>
            {(p) => (
              <input
                {...p}
                name="verify-password"
                type="password"
                className="input"
                value={state.verifyPassword}
                onChange={(e) => patch({ verifyPassword: e.target.value })}
                autoComplete="new-password"
              />
            )}
          </Field>
        </div>
      </div>

      <div className="panel">
        <h3>{t('sourceServerTitle')}</h3>
        <ProviderPicker
          idPrefix="source"
          label={t('sourceProvider')}
          value={state.providerId}
          onChange={(id) => pickProvider(id)}
          protocol={state.protocol}
          onPickServer={applyServer}
          detectedVia={detectedVia}
        />
        <ProtocolChoice value={state.protocol} onChange={(protocol) => pickProvider(state.providerId, protocol)} />
        <ServerFields idPrefix="source" value={state.source} protocol={state.protocol} onChange={(source: ServerDraft) => patch({ source })} />
        {preset?.defaultWindowDays && (
          <div className="callout callout--warn" data-testid="recent-window-warning">
            <strong>{t('recentWindowTitle', { days: preset.defaultWindowDays })}</strong> {t('recentWindowBody')}
            {recent.length > 0 && <PitfallList pitfalls={recent} />}
          </div>
        )}
        <EndpointTestPanel
          testId="test-source"
          state={state.sourceTest}
          onState={(sourceTest) => patch({ sourceTest })}
          currentKey={key}
          providerId={state.providerId}
          disabledReason={disabledReason}
          params={() => ({
            side: 'source',
            server: { ...toServer(state.source), protocol: state.protocol },
            user: state.verifyUser.trim(),
            password: state.verifyPassword,
          })}
        />
      </div>

      {checklist.length > 0 && (
        <details className="panel panel--quiet">
          <summary>{t('beforeStartTitle')}</summary>
          <PitfallList pitfalls={checklist} />
        </details>
      )}
    </section>
  );
}
