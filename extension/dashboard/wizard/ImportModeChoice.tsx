import type { ImportMode } from '../../../shared/protocol';
import { useLocale } from '../../i18n/locale-context';
import type { PlainKey } from '../../i18n';

const MODES: { mode: ImportMode; title: PlainKey; hint: PlainKey }[] = [
  { mode: 'admin-with-passwords', title: 'modeKnown', hint: 'modeKnownHint' },
  { mode: 'admin-without-passwords', title: 'modeUnknown', hint: 'modeUnknownHint' },
  { mode: 'self-service', title: 'modeSelf', hint: 'modeSelfHint' },
];

/** 选择搬家方案: the three ways accounts enter a migration. */
export function ImportModeChoice({ value, onChange }: { value: ImportMode; onChange(m: ImportMode): void }) {
  const { t } = useLocale();
  return (
    <fieldset className="choice-group choice-group--cards choice-group--3">
      <legend className="field__label">{t('importMode')}</legend>
      {MODES.map((m) => (
        <label key={m.mode} className={`choice choice--card${value === m.mode ? ' choice--on' : ''}`}>
          <input type="radio" name="import-mode" value={m.mode} checked={value === m.mode} onChange={() => onChange(m.mode)} />
          <span>
            <strong>{t(m.title)}</strong>
            <span className="choice__hint">{t(m.hint)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
