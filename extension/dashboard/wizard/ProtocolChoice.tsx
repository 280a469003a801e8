import { useLocale } from '../../i18n/locale-context';

/** IMAP (every folder) or POP3 (the inbox only), with the difference spelled out. */
export function ProtocolChoice({ value, onChange }: { value: 'imap' | 'pop3'; onChange(v: 'imap' | 'pop3'): void }) {
  const { t } = useLocale();
  return (
    <fieldset className="choice-group">
      <legend className="field__label">{t('protocol')}</legend>
      <label className={`choice${value === 'imap' ? ' choice--on' : ''}`}>
        <input type="radio" name="protocol" value="imap" checked={value === 'imap'} onChange={() => onChange('imap')} />
        <span>
          <strong>IMAP</strong> <span className="badge badge--ok">{t('recommended')}</span>
          <span className="choice__hint">{t('protocolImapHint')}</span>
        </span>
      </label>
      <label className={`choice${value === 'pop3' ? ' choice--on' : ''}`}>
        <input type="radio" name="protocol" value="pop3" checked={value === 'pop3'} onChange={() => onChange('pop3')} />
        <span>
          <strong>POP3</strong>
          <span className="choice__hint">{t('protocolPop3Hint')}</span>
        </span>
      </label>
    </fieldset>
  );
}
