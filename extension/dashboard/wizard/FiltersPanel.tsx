import { Field } from '../../components/Field';
import { useLocale } from '../../i18n/locale-context';
import { folderNames, monthsValid, sinceDate } from './job-filters';
import type { WizardState } from './wizard-state';

/** 搬家范围: 全部邮件 or 近 N 个月邮件, and all folders, only some (指定文件夹) or all but some. */
export function FiltersPanel({ state, patch }: { state: WizardState; patch(p: Partial<WizardState>): void }) {
  const { t } = useLocale();
  const monthsOk = monthsValid(state.recentMonths);
  const foldersMissing = state.folderScope !== 'all' && folderNames(state.folderList).length === 0;
  return (
    <div className="panel" data-testid="filters">
      <h3>{t('filtersTitle')}</h3>
      <fieldset className="choice-group choice-group--inline">
        <legend>{t('filterTime')}</legend>
        <label className="check">
          <input type="radio" name="mail-range" value="all" checked={state.mailRange === 'all'} onChange={() => patch({ mailRange: 'all' })} />
          <span>{t('filterAllMail')}</span>
        </label>
        <label className="check">
          <input type="radio" name="mail-range" value="recent" checked={state.mailRange === 'recent'} onChange={() => patch({ mailRange: 'recent' })} />
          <span>{t('filterRecent')}</span>
        </label>
      </fieldset>
      {state.mailRange === 'recent' && (
        <Field label={t('filterMonths')} hint={monthsOk ? t('filterMonthsHint', { date: sinceDate(Number(state.recentMonths)) }) : undefined} error={monthsOk ? null : t('filterMonths')}>
          {(p) => (
            <input {...p} name="recent-months" className="input input--short" inputMode="numeric" value={state.recentMonths} onChange={(e) => patch({ recentMonths: e.target.value.replace(/\D/g, '') })} />
          )}
        </Field>
      )}
      <fieldset className="choice-group choice-group--inline">
        <legend>{t('filterFoldersTitle')}</legend>
        {(['all', 'include', 'exclude'] as const).map((scope) => (
          <label key={scope} className="check">
            <input type="radio" name="folder-scope" value={scope} checked={state.folderScope === scope} onChange={() => patch({ folderScope: scope })} />
            <span>{t(scope === 'all' ? 'filterFoldersAll' : scope === 'include' ? 'filterInclude' : 'filterExclude')}</span>
          </label>
        ))}
      </fieldset>
      {state.folderScope !== 'all' && (
        <Field label={t('filterFoldersList')} hint={t('filterFoldersHint')} error={foldersMissing ? t('filterFoldersEmpty') : null}>
          {(p) => <textarea {...p} name="folder-list" className="input" rows={4} value={state.folderList} onChange={(e) => patch({ folderList: e.target.value })} spellCheck={false} />}
        </Field>
      )}
    </div>
  );
}
