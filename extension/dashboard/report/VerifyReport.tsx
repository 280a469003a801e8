import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import { errorMessage } from '../../../shared/errors';
import type { JobView } from '../../../shared/protocol';
import type { AccountView } from '../../../shared/protocol/account';
import type { VerifySummary } from '../../../shared/verify';
import { STATUS_KEYS, VERIFY_STATUS_KEYS } from '../../components/status';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { formatCount, formatDateTime } from '../../lib/format';
import { VerifyDiffLists } from '../monitor/VerifyDiffLists';
import { VerifyUnsearched } from '../monitor/VerifyUnsearched';
import { WarningsList } from '../monitor/WarningsList';
import { aside } from '../../i18n/punctuation';

type ReportAccount = Pick<AccountView, 'id' | 'source' | 'target' | 'verify'> & Partial<Pick<AccountView, 'warnings' | 'warningsOmitted' | 'status' | 'firstPassDoneAt' | 'error'>>;

/**
 * Where an account without a verify stands: migrated and waiting for its check, or never
 * migrated (failed, or not through its first pass), which no check will change. Without its
 * status (a caller that has only the verify) it counts as waiting for its check.
 */
type Standing = 'checked' | 'unchecked' | 'migration-failed' | 'not-migrated';
function standing(a: ReportAccount): Standing {
  if (a.verify) return 'checked';
  if (a.status === undefined || (a.firstPassDoneAt ?? null) !== null) return 'unchecked';
  return a.status === 'failed' || a.status === 'password_needed' ? 'migration-failed' : 'not-migrated';
}

type FolderRow = Pick<VerifySummary['folders'][number], 'source' | 'target' | 'sourceCount' | 'targetCount' | 'matched' | 'missingCount' | 'extraCount' | 'changedCount' | 'elsewhereCount' | 'error'>;

/**
 * Every folder's counts when the summary has them (clean folders with 0 differences), the
 * folders with a difference first-class either way; older summaries list those only.
 */
function folderRows(v: VerifySummary): FolderRow[] {
  const differing = new Map(v.folders.map((f) => [f.source, f]));
  if (!v.folderCounts) return v.folders;
  const rows: FolderRow[] = v.folderCounts.map((c) => differing.get(c.source) ?? { ...c, missingCount: 0, extraCount: 0, changedCount: 0 });
  // A folder with a difference beyond the counts' cap is still listed.
  for (const f of v.folders) if (!v.folderCounts.some((c) => c.source === f.source)) rows.push(f);
  return rows;
}


/**
 * 搬家核验报告: the last verify of every account of a job, per account and folder (counts,
 * the first entries of what is missing, extra, changed or rewritten by the new server, when it
 * was checked and how deep), and the warnings of the account's passes,
 * in the admin's language, laid out for the browser's "Save as PDF" (print CSS in
 * dashboard.css hides the app's chrome). Pure: the page below feeds it from the local mirror.
 */
export function VerifyReport({ job, accounts, generatedAt }: { job: Pick<JobView, 'id' | 'name'>; accounts: ReportAccount[]; generatedAt: string }) {
  const { t, locale } = useLocale();
  const n = (x: number) => formatCount(x, locale);
  const sorted = [...accounts].sort((a, b) => a.source.localeCompare(b.source));
  const count = (s: VerifySummary['status']) => sorted.filter((a) => a.verify?.status === s).length;
  const standingOf = (s: Standing) => sorted.filter((a) => standing(a) === s).length;
  const lang = locale === 'zh-CN' ? 'zh' : 'en';
  /** What the report says of an account that has no verify. */
  const unverified = (a: ReportAccount): string => {
    const s = standing(a);
    if (s === 'migration-failed') return `${t('verifyReportMigrationFailed')}${a.error ? aside(locale, a.error.code) : ''}`;
    if (s === 'not-migrated') return `${t('verifyReportNotMigrated')}${a.status ? aside(locale, t(STATUS_KEYS[a.status])) : ''}`;
    return t('verifyReportUnchecked');
  };

  return (
    <article className="verify-report" data-testid="verify-report" lang={locale}>
      <header className="verify-report__head">
        <h1>{t('verifyReportTitle')}</h1>
        <p>{t('verifyReportJob', { name: job.name })}</p>
        <p className="hint">{t('verifyReportGenerated', { at: formatDateTime(generatedAt, locale) })}</p>
        <p data-testid="verify-report-summary">
          {t('verifyReportSummary', { accounts: sorted.length, verified: count('verified'), differences: count('differences'), failed: count('failed'), unchecked: standingOf('unchecked') })}
          {standingOf('migration-failed') + standingOf('not-migrated') > 0 && (
            <> {t('verifyReportSummaryNotMigrated', { failed: standingOf('migration-failed'), pending: standingOf('not-migrated') })}</>
          )}
        </p>
      </header>

      <table className="mini-table verify-report__overview" data-testid="verify-report-overview">
        <thead>
          <tr>
            <th scope="col">{t('verifyReportAccount')}</th>
            <th scope="col">{t('verifyReportStatus')}</th>
            <th scope="col">{t('verifyReportCheckedAt')}</th>
            <th scope="col">{t('verifyReportMatched')}</th>
            <th scope="col">{t('verifyMissing')}</th>
            <th scope="col">{t('verifyExtra')}</th>
            <th scope="col">{t('verifyChanged')}</th>
            <th scope="col">{t('verifyReportElsewhere')}</th>
            <th scope="col">{t('verifyReportRewritten')}</th>
            <th scope="col">{t('warningsColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((a) => (
            <tr key={a.id} data-testid="verify-report-row" data-account={a.source}>
              <td>
                {a.source}
                {a.target !== a.source && <> → {a.target}</>}
              </td>
              <td data-testid="verify-report-result" data-standing={standing(a)}>
                {a.verify ? t(VERIFY_STATUS_KEYS[a.verify.status]) : unverified(a)}
              </td>
              <td>{a.verify ? formatDateTime(a.verify.checkedAt, locale) : '—'}</td>
              <td>{a.verify ? n(a.verify.totals.matched) : '—'}</td>
              <td>{a.verify ? n(a.verify.totals.missing) : '—'}</td>
              <td>{a.verify ? n(a.verify.totals.extra) : '—'}</td>
              <td>{a.verify ? n(a.verify.totals.changed) : '—'}</td>
              <td>{a.verify ? n(a.verify.totals.elsewhere) : '—'}</td>
              <td>{a.verify ? n(a.verify.rewrittenTotal ?? 0) : '—'}</td>
              <td data-testid="verify-report-warnings-count">{n((a.warnings?.length ?? 0) + (a.warningsOmitted ?? 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {sorted.map((a) => {
        const v = a.verify;
        return (
          <section key={a.id} className="verify-report__account" data-testid="verify-report-account" data-account={a.source}>
            <h2>
              {a.source} → {a.target}
            </h2>
            {!v ? (
              <>
                <p className="hint" data-testid="verify-report-unverified">
                  {unverified(a)}
                </p>
                {standing(a) === 'migration-failed' && a.error && <p>{errorMessage(a.error, lang)}</p>}
              </>
            ) : (
              <>
                <p>
                  <strong>{t(VERIFY_STATUS_KEYS[v.status])}</strong> ·{' '}
                  {t('verifyCheckedAt', { at: formatDateTime(v.checkedAt, locale), depth: t(v.depth === 'deep' ? 'verifyDepthDeep' : 'verifyDepthMetadata') })}
                </p>
                <p>{t('verifyTotals', { matched: n(v.totals.matched), missing: n(v.totals.missing), extra: n(v.totals.extra), changed: n(v.totals.changed) })}</p>
                {v.totals.elsewhere > 0 && <p data-testid="verify-report-elsewhere-total">{t('verifyElsewhereTotal', { count: n(v.totals.elsewhere) })}</p>}
                {v.error && <p className="callout callout--warn">{v.error.message}</p>}
                {v.status === 'verified' && v.folders.every((f) => f.missingCount + f.extraCount + f.changedCount === 0) && <p>{t('verifyReportAllFoldersMatch')}</p>}
                {folderRows(v).length > 0 && (
                  <table className="mini-table verify-report__folders">
                    <thead>
                      <tr>
                        <th scope="col">{t('verifyReportFolder')}</th>
                        <th scope="col">{t('verifyReportSourceCount')}</th>
                        <th scope="col">{t('verifyReportTargetCount')}</th>
                        <th scope="col">{t('verifyReportMatched')}</th>
                        <th scope="col">{t('verifyMissing')}</th>
                        <th scope="col">{t('verifyExtra')}</th>
                        <th scope="col">{t('verifyChanged')}</th>
                        <th scope="col">{t('verifyReportElsewhere')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {folderRows(v).map((f) => (
                        <tr key={f.source} data-testid="verify-report-folder" data-folder={f.source}>
                          <td>
                            {f.source}
                            {f.target !== f.source && <> → {f.target}</>}
                            {f.error && <div className="hint">{f.error.message}</div>}
                          </td>
                          <td>{n(f.sourceCount)}</td>
                          <td>{n(f.targetCount)}</td>
                          <td>{n(f.matched)}</td>
                          <td>{n(f.missingCount)}</td>
                          <td>{n(f.extraCount)}</td>
                          <td>{n(f.changedCount)}</td>
                          <td>{n(f.elsewhereCount)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {(v.folderTotal ?? 0) > (v.folderCounts?.length ?? 0) && <p className="hint">{t('verifyReportMoreFolderCounts', { count: (v.folderTotal ?? 0) - (v.folderCounts?.length ?? 0) })}</p>}
                {(v.rewrittenTotal ?? 0) > 0 && <p data-testid="verify-report-rewritten-total">{t('verifyRewrittenTotal', { count: n(v.rewrittenTotal ?? 0) })}</p>}
                <VerifyUnsearched verify={v} testId="verify-report-unsearched" count={n} />
                {v.folders.map((f) =>
                  f.missingCount + f.extraCount + f.changedCount + f.elsewhereCount + f.rewrittenCount === 0 ? null : (
                    <div key={f.source} className="verify-report__diffs" data-testid="verify-report-diffs" data-folder={f.source}>
                      <h3>{f.source}</h3>
                      <VerifyDiffLists folder={f} testIdPrefix="verify-report" heading="h4" count={n} withMessageId />
                    </div>
                  ),
                )}
                {(v.foldersWithDifferences ?? 0) > v.folders.length && <p className="hint">{t('verifyReportMoreFolders', { count: (v.foldersWithDifferences ?? 0) - v.folders.length })}</p>}
              </>
            )}
            <WarningsList account={a} heading="h3" testId="verify-report-warnings" />
          </section>
        );
      })}
    </article>
  );
}

/** #/jobs/<id>/verify-report: the report of one job from the local mirror, with a print button. */
export function VerifyReportPage({ jobId }: { jobId: string }) {
  const { t } = useLocale();
  const job = useLiveQuery(() => db().jobs.get(jobId), [jobId]);
  const accounts = useLiveQuery(() => db().accounts.where('jobId').equals(jobId).toArray(), [jobId]);
  useEffect(() => {
    // The browser offers the title as the PDF's file name.
    if (job) document.title = `${t('verifyReportTitle')} - ${job.name}`;
  }, [job, t]);
  if (job === undefined && accounts === undefined) return <p className="hint">{t('loading')}</p>;
  if (!job) return <p className="callout callout--warn">{t('verifyReportNotFound')}</p>;
  return (
    <div className="verify-report-page">
      <p className="no-print">
        <a href={`#/jobs/${job.id}`}>{t('verifyReportBack')}</a>{' '}
        <button type="button" className="secondary" data-testid="verify-report-print" onClick={() => window.print()}>
          {t('verifyReportPrint')}
        </button>
      </p>
      <VerifyReport job={job} accounts={accounts ?? []} generatedAt={new Date().toISOString()} />
    </div>
  );
}
