import { useState } from 'react';
import type { VerifySummary } from '../../../shared/verify';
import { ErrorRemedy } from '../../components/ErrorRemedy';
import { useLocale } from '../../i18n/locale-context';
import { formatCount, formatDateTime } from '../../lib/format';
import { bridgeRequest } from '../../lib/page-client';
import { fixRefusalText } from './fix-refusal';
import { requestFailureText } from './request-failure';
import { VerifyBadge } from './VerifyBadge';
import { VerifyDiffLists } from './VerifyDiffLists';
import { VerifyUnsearched } from './VerifyUnsearched';
import { REMEDIES } from '../../../shared/errors';

/**
 * The drawer's 核验 section: when and how deep the account was checked, the totals, and per
 * folder what is missing, extra or changed on the new mailbox (the first entries; the CLI's
 * `verify --json` lists all).
 */
export function VerifyDetails({ verify, fix }: { verify: VerifySummary | null | undefined; /** the account, for 复制缺失邮件 */ fix?: { jobId: string; accountId: string; connected?: boolean } }) {
  const { t, locale } = useLocale();
  const [fixMessage, setFixMessage] = useState<string | null>(null);
  const [fixing, setFixing] = useState(false);
  if (!verify) {
    return (
      <section data-testid="verify-details">
        <h3>{t('verifyTitle')}</h3>
        <p className="hint">{t('verifyNone')}</p>
      </section>
    );
  }
  return (
    <section data-testid="verify-details">
      <h3>{t('verifyTitle')}</h3>
      <p>
        <VerifyBadge verify={verify} />{' '}
        <span className="hint">{t('verifyCheckedAt', { at: formatDateTime(verify.checkedAt, locale), depth: t(verify.depth === 'deep' ? 'verifyDepthDeep' : 'verifyDepthMetadata') })}</span>
      </p>
      <p data-testid="verify-totals">
        {t('verifyTotals', { matched: formatCount(verify.totals.matched, locale), missing: formatCount(verify.totals.missing, locale), extra: formatCount(verify.totals.extra, locale), changed: formatCount(verify.totals.changed, locale) })}
      </p>
      {(verify.rewrittenTotal ?? 0) > 0 && <p data-testid="verify-rewritten-total">{t('verifyRewrittenTotal', { count: verify.rewrittenTotal ?? 0 })}</p>}
      {verify.totals.elsewhere > 0 && <p data-testid="verify-elsewhere-total">{t('verifyElsewhereTotal', { count: verify.totals.elsewhere })}</p>}
      {fix && verify.totals.missing > 0 && (
        <p>
          <button
            type="button"
            className="secondary"
            data-testid="verify-fix-missing"
            title={t('verifyFixMissingHint')}
            disabled={fixing || fix.connected === false}
            onClick={() => {
              setFixing(true);
              setFixMessage(null);
              bridgeRequest('account.fixMissing', { jobId: fix.jobId, accountIds: [fix.accountId] })
                .then((r) => {
                  const mine = r.results.find((x) => x.accountId === fix.accountId);
                  setFixMessage(mine?.ok ? t('verifyFixQueued') : t('verifyFixRefused', { reason: fixRefusalText(mine?.reason, t) }));
                })
                .catch((err: unknown) => setFixMessage(requestFailureText(err, t)))
                .finally(() => setFixing(false));
            }}
          >
            {t('verifyFixMissing')}
          </button>{' '}
          {fixMessage && (
            <span className="hint" role="status" data-testid="verify-fix-message">
              {fixMessage}
            </span>
          )}
        </p>
      )}
      {verify.error && (
        <ErrorRemedy error={{ ...verify.error, remedy: { en: REMEDIES[verify.error.code].en, zh: REMEDIES[verify.error.code].zh }, transient: REMEDIES[verify.error.code].transient }} />
      )}
      <VerifyUnsearched verify={verify} testId="verify-unsearched" />
      {verify.folders.map((f) => (
        <div key={f.source} className="verify-folder" data-testid="verify-folder" data-folder={f.source}>
          <h4>
            {f.source}
            {f.target !== f.source && <span className="hint"> → {f.target}</span>}
          </h4>
          {f.error && <p className="hint">{f.error.message}</p>}
          <VerifyDiffLists folder={f} testIdPrefix="verify" />
        </div>
      ))}
      {(verify.foldersWithDifferences ?? 0) > verify.folders.length && (
        <p className="hint">{t('verifyMore', { count: (verify.foldersWithDifferences ?? 0) - verify.folders.length })}</p>
      )}
    </section>
  );
}
