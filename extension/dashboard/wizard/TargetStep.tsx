import { useState } from 'react';
import { findPreset, type ServerSetting } from '../../../shared/providers';
import { Field } from '../../components/Field';
import { useLocale } from '../../i18n/locale-context';
import { fullWidthFieldError, subjectOf } from '../../lib/full-width-field';
import { EndpointTestPanel } from './EndpointTestPanel';
import { ProviderPicker } from './ProviderPicker';
import { ServerFields } from './ServerFields';
import { ADDRESS_RE, serverProblem, testKey, toServer, withServerAddress, type WizardState } from './wizard-state';

/** Step c — the new system: its IMAP server, and how the bridge logs in to each new mailbox. */
export function TargetStep({ state, patch }: { state: WizardState; patch(p: Partial<WizardState>): void }) {
  const { t, locale } = useLocale();
  const [testPassword, setTestPassword] = useState('');
  const pickPreset = (id: string) => {
    const first = findPreset(id)?.imap[0];
    const target = first ? withServerAddress(state.target, { host: first.host, port: String(first.port), security: first.security }) : state.target;
    // Another provider is another server, even where its preset leaves the host as typed.
    patch({ targetPresetId: id, target: id === state.targetPresetId ? target : { ...target, insecureTls: false } });
  };
  const applyServer = (s: ServerSetting) => patch({ target: withServerAddress(state.target, { host: s.host, port: String(s.port), security: s.security }) });
  const admin = state.targetLogin === 'admin';
  const password = admin ? state.targetAdminPassword : testPassword;
  const problem = serverProblem(state.target);
  const testUserError = fullWidthFieldError(state.targetTestUser, subjectOf('fullWidthTargetTestUser'), locale);
  // Full-width letters pass the address format: checked before it, or the test would log in as another user.
  const disabledReason = problem
    ? t(problem)
    : testUserError
      ? t('fixTargetTestUser')
      : !ADDRESS_RE.test(state.targetTestUser.trim())
        ? t('needTargetTestUser')
        : !password
          ? t('needVerifyPassword')
          : admin && !state.targetAdminUser.trim()
            ? t('needAdminUser')
            : null;

  return (
    <section className="step" aria-labelledby="step-target-title">
      <h2 id="step-target-title">{t('stepTargetTitle')}</h2>
      <p className="step__lead">{t('stepTargetLead')}</p>
      <div className="panel">
        <h3>{t('targetServerTitle')}</h3>
        <ProviderPicker
          idPrefix="target"
          label={t('targetProvider')}
          value={state.targetPresetId}
          onChange={pickPreset}
          protocol="imap"
          onPickServer={applyServer}
          detectedVia={null}
        />
        <ServerFields idPrefix="target" value={state.target} onChange={(target) => patch({ target })} />
      </div>

      <div className="panel">
        <h3>{t('targetLoginTitle')}</h3>
        <fieldset className="choice-group">
          <legend className="sr-only">{t('targetLoginTitle')}</legend>
          <label className={`choice${!admin ? ' choice--on' : ''}`}>
            <input type="radio" name="target-login" value="per-account" checked={!admin} onChange={() => patch({ targetLogin: 'per-account' })} />
            <span>
              <strong>{t('loginPerAccount')}</strong>
              <span className="choice__hint">{t('loginPerAccountHint')}</span>
            </span>
          </label>
          <label className={`choice${admin ? ' choice--on' : ''}`}>
            <input type="radio" name="target-login" value="admin" checked={admin} onChange={() => patch({ targetLogin: 'admin' })} />
            <span>
              <strong>{t('loginAdmin')}</strong>
              <span className="choice__hint">{t('loginAdminHint')}</span>
            </span>
          </label>
        </fieldset>
        {admin && (
          <div className="grid grid--3">
            <Field label={t('adminUser')}>
              {(p) => <input {...p} name="target-admin-user" className="input" value={state.targetAdminUser} onChange={(e) => patch({ targetAdminUser: e.target.value })} autoComplete="off" />}
            </Field>
            <Field label={t('adminPassword')}>
              {(p) => (
                <input
                  {...p}
                  name="target-admin-password"
                  type="password"
                  className="input"
                  value={state.targetAdminPassword}
                  onChange={(e) => patch({ targetAdminPassword: e.target.value })}
                  autoComplete="new-password"
                />
              )}
            </Field>
            <Field label={t('adminForm')} hint={t('adminFormHint')}>
              {(p) => (
                <select {...p} className="input" value={state.targetAdminForm} onChange={(e) => patch({ targetAdminForm: e.target.value === 'separator' ? 'separator' : 'authzid' })}>
                  <option value="authzid">SASL PLAIN (authzid)</option>
                  <option value="separator">user*admin</option>
                </select>
              )}
            </Field>
          </div>
        )}
      </div>

      <div className="panel">
        <h3>{t('targetTestTitle')}</h3>
        <p className="hint">{t('targetTestHint')}</p>
        <div className="grid grid--2">
          <Field label={t('targetTestUser')} error={testUserError}>
            {(p) => <input {...p} name="target-test-user" type="email" className="input" value={state.targetTestUser} onChange={(e) => patch({ targetTestUser: e.target.value })} autoComplete="off" />}
          </Field>
          {!admin && (
            <Field label={t('targetTestPassword')}>
              {(p) => <input {...p} name="target-test-password" type="password" className="input" value={testPassword} onChange={(e) => setTestPassword(e.target.value)} autoComplete="new-password" />}
            </Field>
          )}
        </div>
        <EndpointTestPanel
          testId="test-target"
          state={state.targetTest}
          onState={(targetTest) => patch({ targetTest })}
          currentKey={testKey(state.target, 'imap', state.targetTestUser)}
          providerId={state.targetPresetId}
          disabledReason={disabledReason}
          params={() => ({
            side: 'target',
            server: { ...toServer(state.target), protocol: 'imap' },
            user: state.targetTestUser.trim(),
            password,
            ...(admin ? { adminUser: state.targetAdminUser.trim(), adminForm: state.targetAdminForm } : {}),
          })}
        />
      </div>
    </section>
  );
}
