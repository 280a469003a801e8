import { findPreset, remedyFor, type ConnectionReport } from '../../../shared/providers';
import type { ErrorCode } from '../../../shared/errors';
import { ErrorRemedy } from '../../components/ErrorRemedy';
import { useLocale, useText } from '../../i18n/locale-context';
import { formatBytes, formatCount, formatDateTime } from '../../lib/format';
import { PitfallList } from './PitfallList';
import type { EndpointTestView } from './wizard-state';

/** The bridge's diagnosis of a connection test: success with what it saw, or the failure and the remedy. */
export function ConnectionResult({ result, providerId, stale }: { result: EndpointTestView; providerId: string; stale: boolean }) {
  const { t, locale } = useLocale();
  const preset = findPreset(providerId);
  const report = result.report;
  if (!result.ok && result.error) {
    // The bridge's hints are for the side tested (the new mailbox gets none of the old one's
    // checks); the preset's own list stands in when a test brought no report.
    const pitfalls = report?.error?.hints ?? remedyFor(result.error.code as ErrorCode, preset).pitfalls;
    return (
      <div className="test-result test-result--bad" data-testid="test-result" data-ok="false" role="status">
        <h4>{t('testFailed')}</h4>
        <ErrorRemedy error={result.error} />
        {/* The server's own words are technical and mostly English: a Chinese UI goes by the code's sentence and remedy above. */}
        {locale === 'en' && report?.error?.serverText && (
          <p className="hint">
            {t('serverSaid')} <code>{report.error.serverText}</code>
          </p>
        )}
        {pitfalls.length > 0 && <PitfallList title={t('checkTheseSettings')} pitfalls={pitfalls} />}
        {report && <ReportDetails report={report} />}
      </div>
    );
  }
  return (
    <div className="test-result test-result--ok" data-testid="test-result" data-ok="true" role="status">
      <h4>{t('testOk', { ms: result.ms })}</h4>
      {stale && <p className="warn-text">{t('testStale')}</p>}
      {!report && result.folders !== null && <p>{t(result.folders === 1 ? 'testFoldersOne' : 'testFolders', { count: formatCount(result.folders, locale) })}</p>}
      {report && <ReportDetails report={report} />}
      {report?.totals && (
        <p>
          {t(report.totals.oldest ? 'testTotalsOldest' : 'testTotals', {
            folders: t(report.totals.folders === 1 ? 'testFolderListOne' : 'testFolderList', { count: formatCount(report.totals.folders, locale) }),
            messages: t(report.totals.messages === 1 ? 'testMessageCountOne' : 'testMessageCount', { count: formatCount(report.totals.messages, locale) }),
            size: report.totals.size === null ? '—' : formatBytes(report.totals.size),
            oldest: formatDateTime(report.totals.oldest, locale),
          })}
        </p>
      )}
    </div>
  );
}

function ReportDetails({ report }: { report: ConnectionReport }) {
  const { t, locale } = useLocale();
  const text = useText();
  const cert = report.tls?.certificate;
  return (
    <>
      {report.tls && (
        <dl className="kv">
          <dt>{t('certificate')}</dt>
          <dd>
            {cert ? `${cert.subject} · ${t('certIssuer')} ${cert.issuer} · ${t('certValidTo')} ${formatDateTime(cert.validTo, locale)}` : '—'}{' '}
            <span className={`badge badge--${report.tls.trusted ? 'ok' : 'warn'}`}>
              {report.tls.trusted ? t('certTrusted') : report.tls.selfSigned ? t('certSelfSigned') : t('certUntrusted')}
            </span>
          </dd>
          {report.tls.protocol && (
            <>
              <dt>TLS</dt>
              <dd>{report.tls.protocol}</dd>
            </>
          )}
        </dl>
      )}
      {report.warnings.length > 0 && (
        <ul className="warnings">
          {report.warnings.map((w) => (
            <li key={w.code} className={`warning warning--${w.severity}`} data-code={w.code}>
              {text(w.message)}
              {w.hints.length > 0 && <PitfallList pitfalls={w.hints} />}
            </li>
          ))}
        </ul>
      )}
      {report.folders && report.folders.length > 0 && (
        <details className="folder-counts">
          <summary>{t(report.folders.length === 1 ? 'testFolderListOne' : 'testFolderList', { count: formatCount(report.folders.length, locale) })}</summary>
          <table className="mini-table">
            <thead>
              <tr>
                <th scope="col">{t('folder')}</th>
                <th scope="col">{t('messages')}</th>
                <th scope="col">{t('size')}</th>
              </tr>
            </thead>
            <tbody>
              {report.folders.map((f) => (
                <tr key={f.path}>
                  <td>{f.path}</td>
                  <td>{f.messages === null ? '—' : formatCount(f.messages, locale)}</td>
                  <td>{f.size === null ? '—' : formatBytes(f.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}
