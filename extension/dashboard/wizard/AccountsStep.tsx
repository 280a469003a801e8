import { useLocale } from '../../i18n/locale-context';
import { formatCount } from '../../lib/format';
import { CsvImport } from './CsvImport';
import { ImportModeChoice } from './ImportModeChoice';
import { TemplateLinks } from './TemplateLinks';
import { accountCount, importRules, type WizardState } from './wizard-state';

export { importRules };

/** Step d — 设置搬家账号: the import mode, the template, and the account files. */
export function AccountsStep({ state, patch }: { state: WizardState; patch(p: Partial<WizardState>): void }) {
  const { t, locale } = useLocale();
  const rules = importRules(state);
  const total = accountCount(state.imports);
  return (
    <section className="step" aria-labelledby="step-accounts-title">
      <h2 id="step-accounts-title">{t('stepAccountsTitle')}</h2>
      <p className="step__lead">{t('stepAccountsLead')}</p>
      <ImportModeChoice
        value={state.importMode}
        onChange={(importMode) => patch({ importMode, imports: [] })}
      />
      {state.importMode !== 'admin-with-passwords' && <p className="callout callout--info">{t(state.importMode === 'self-service' ? 'modeSelfNote' : 'modeUnknownNote')}</p>}
      <div className="panel">
        <h3>{t('accountsFileTitle')}</h3>
        <TemplateLinks rules={rules} />
        <CsvImport imports={state.imports} onChange={(imports) => patch({ imports })} rules={rules} />
        <p className="accounts-total" data-testid="accounts-total">
          {t(total === 1 ? 'accountsTotalOne' : 'accountsTotal', { count: formatCount(total, locale) })}
        </p>
      </div>
    </section>
  );
}
