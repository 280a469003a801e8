import { findPreset } from '../../../shared/providers';
import { Field } from '../../components/Field';
import { useLocale, useText } from '../../i18n/locale-context';
import { formatCount } from '../../lib/format';
import { AccountsPreview } from './AccountsPreview';
import { FiltersPanel } from './FiltersPanel';
import { jobFilters } from './job-filters';
import { accountCount, type WizardState } from './wizard-state';
import { aside, listOf } from '../../i18n/punctuation';

/** Step e — review everything, name the job, start. */
export function ReviewStep({ state, patch, defaultName }: { state: WizardState; patch(p: Partial<WizardState>): void; defaultName: string }) {
  const { t, locale } = useLocale();
  const text = useText();
  const source = findPreset(state.providerId);
  const target = findPreset(state.targetPresetId);
  const filters = jobFilters(state);
  const count = accountCount(state.imports);
  const security = (s: string) => t(s === 'tls' ? 'securityTls' : s === 'starttls' ? 'securityStarttls' : 'securityPlain');
  return (
    <section className="step" aria-labelledby="step-review-title">
      <h2 id="step-review-title">{t('stepReviewTitle')}</h2>
      <p className="step__lead">{t('stepReviewLead')}</p>
      <div className="panel">
        <Field label={t('jobName')} hint={t('jobNameHint')}>
          {(p) => <input {...p} name="job-name" className="input" value={state.jobName} placeholder={defaultName} onChange={(e) => patch({ jobName: e.target.value })} />}
        </Field>
        <dl className="review" data-testid="review">
          <dt>{t('reviewSource')}</dt>
          <dd>
            {source ? `${text(source.label)} · ` : ''}
            {state.protocol.toUpperCase()} <code>{`${state.source.host}:${state.source.port}`}</code>
            {aside(locale, security(state.source.security))}
            {state.source.insecureTls && <span className="badge badge--warn">{t('insecureTls')}</span>}
          </dd>
          <dt>{t('reviewVerified')}</dt>
          <dd>{state.sourceTest.status === 'done' && state.sourceTest.result.ok ? t('reviewVerifiedYes', { address: state.verifyUser }) : t('reviewVerifiedNo')}</dd>
          <dt>{t('reviewStorage')}</dt>
          <dd>{state.storage === 'mapped' ? t('storageMapped') : t('storageUnified')}</dd>
          <dt>{t('reviewTarget')}</dt>
          <dd>
            {target ? `${text(target.label)} · ` : ''}
            <code>{`${state.target.host}:${state.target.port}`}</code>
            {aside(locale, security(state.target.security))}
            {state.target.insecureTls && <span className="badge badge--warn">{t('insecureTls')}</span>} ·{' '}
            {state.targetLogin === 'admin' ? t('reviewAdminLogin', { user: state.targetAdminUser }) : t('loginPerAccount')}
          </dd>
          <dt>{t('reviewAccounts')}</dt>
          <dd>
            {t(count === 1 ? 'accountsTotalOne' : 'accountsTotal', { count: formatCount(count, locale) })} ·{' '}
            {t(state.importMode === 'admin-with-passwords' ? 'modeKnown' : state.importMode === 'admin-without-passwords' ? 'modeUnknown' : 'modeSelf')}
          </dd>
          <dt>{t('reviewFilters')}</dt>
          <dd data-testid="review-filters">
            {!filters.since && !filters.includeFolders.length && !filters.excludeFolders.length
              ? t('reviewFiltersAll')
              : [
                  filters.since ? t('reviewFiltersSince', { date: filters.since }) : t('filterAllMail'),
                  filters.includeFolders.length ? t('reviewFiltersInclude', { folders: listOf(locale, filters.includeFolders) }) : null,
                  filters.excludeFolders.length ? t('reviewFiltersExclude', { folders: listOf(locale, filters.excludeFolders) }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
          </dd>
          <dt>{t('reviewSync')}</dt>
          <dd>{t('reviewSyncValue')}</dd>
        </dl>
        <p className="hint">{t('reviewPasswords')}</p>
      </div>
      <FiltersPanel state={state} patch={patch} />
      <AccountsPreview imports={state.imports} />
    </section>
  );
}
