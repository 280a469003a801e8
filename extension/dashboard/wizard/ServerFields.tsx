import { useState } from 'react';
import { asciiFor } from '../../../shared/full-width';
import { Field } from '../../components/Field';
import { useLocale } from '../../i18n/locale-context';
import { fullWidthFieldError, subjectOf } from '../../lib/full-width-field';
import { withServerAddress, type ServerDraft } from './wizard-state';

const DEFAULT_PORTS: Record<'imap' | 'pop3', Record<ServerDraft['security'], string>> = {
  imap: { tls: '993', starttls: '143', plain: '143' },
  pop3: { tls: '995', starttls: '110', plain: '110' },
};

/**
 * The port after a change of 加密方式: the new security's usual port while the field still holds
 * the previous one's (or nothing); a port the admin typed (44841) stays.
 */
export function portAfterSecurityChange(value: ServerDraft, protocol: 'imap' | 'pop3', security: ServerDraft['security']): string {
  const previousDefault = DEFAULT_PORTS[protocol][value.security];
  return value.port === '' || value.port === previousDefault ? DEFAULT_PORTS[protocol][security] : value.port;
}

/**
 * The port field keeps digits only, but a full-width digit or space (９９３ typed in Chinese
 * input mode) stays, to be named under the field: dropped, the field went blank with no reason.
 */
export function portTyped(value: string): string {
  return [...value].filter((ch) => /[0-9]/.test(ch) || asciiFor(ch) !== null).join('');
}

/** Host, port and transport security of one server; changing the security suggests its usual port unless one was typed. */
export function ServerFields({
  value,
  onChange,
  protocol = 'imap',
  idPrefix,
}: {
  value: ServerDraft;
  onChange(v: ServerDraft): void;
  protocol?: 'imap' | 'pop3';
  idPrefix: string;
}) {
  const { t, locale } = useLocale();
  // The host whose self-signed certificate was accepted, when a new address turned that off: said, not silently undone.
  const [acceptedFor, setAcceptedFor] = useState<string | null>(null);
  const set = (patch: Partial<ServerDraft>) => {
    const next = withServerAddress(value, patch);
    if ('insecureTls' in patch) setAcceptedFor(null);
    else if (value.insecureTls && !next.insecureTls) setAcceptedFor(value.host.trim());
    onChange(next);
  };
  const portNumber = Number(value.port);
  const hostError = fullWidthFieldError(value.host, subjectOf('fullWidthServerHost'), locale);
  const portError =
    fullWidthFieldError(value.port, subjectOf('fullWidthServerPort'), locale, 'port') ??
    (value.port !== '' && !(Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536) ? t('portInvalid') : null);
  return (
    <div className="server-fields" data-testid={`${idPrefix}-server`}>
      <div className="grid grid--server">
        <Field label={t('serverHost')} hint={t('serverHostHint')} error={hostError}>
          {(p) => (
            <input
              {...p}
              name={`${idPrefix}-host`}
              className="input"
              value={value.host}
              onChange={(e) => set({ host: e.target.value })}
              placeholder={protocol === 'pop3' ? 'pop.example.com' : 'imap.example.com'}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label={t('serverPort')} error={portError}>
          {(p) => (
            <input {...p} name={`${idPrefix}-port`} className="input" inputMode="numeric" value={value.port} onChange={(e) => set({ port: portTyped(e.target.value) })} />
          )}
        </Field>
        <Field label={t('serverSecurity')}>
          {(p) => (
            <select
              {...p}
              name={`${idPrefix}-security`}
              className="input"
              value={value.security}
              onChange={(e) => {
                const security = e.target.value as ServerDraft['security'];
                set({ security, port: portAfterSecurityChange(value, protocol, security) });
              }}
            >
              <option value="tls">{t('securityTls')}</option>
              <option value="starttls">{t('securityStarttls')}</option>
              <option value="plain">{t('securityPlain')}</option>
            </select>
          )}
        </Field>
      </div>
      {value.security === 'plain' && <p className="warn-text">{t('securityPlainWarning')}</p>}
      {value.security !== 'plain' && (
        <label className="check">
          <input type="checkbox" checked={value.insecureTls} onChange={(e) => set({ insecureTls: e.target.checked })} />
          <span>
            {t('insecureTls')}
            <span className="check__hint">{t('insecureTlsHint')}</span>
          </span>
        </label>
      )}
      {acceptedFor && value.security !== 'plain' && !value.insecureTls && (
        <p className="hint" data-testid={`${idPrefix}-insecure-reset`}>
          {t('insecureTlsReset', { host: acceptedFor })}
        </p>
      )}
    </div>
  );
}

export { DEFAULT_PORTS };
