import type { VerifySummary } from '../../../shared/verify';
import type { PlainKey } from '../../i18n';
import { useLocale } from '../../i18n/locale-context';
import { VERIFY_STATUS_KEYS } from '../../components/status';
import { formatCount } from '../../lib/format';

const HINT: Record<VerifySummary['status'], PlainKey> = { verified: 'verifyHintVerified', differences: 'verifyHintDifferences', failed: 'verifyHintFailed' };
const TONE: Record<VerifySummary['status'], string> = { verified: 'ok', differences: 'warn', failed: 'bad' };

/** 已核验 / 有差异 / 核验失败: the result of the bridge's last independent check of the account. */
export function VerifyBadge({ verify }: { verify: VerifySummary | null | undefined }) {
  const { t, locale } = useLocale();
  if (!verify) return null;
  const totals = t('verifyTotals', {
    matched: formatCount(verify.totals.matched, locale),
    missing: formatCount(verify.totals.missing, locale),
    extra: formatCount(verify.totals.extra, locale),
    changed: formatCount(verify.totals.changed, locale),
  });
  return (
    <span className={`badge badge--${TONE[verify.status]} verify-badge`} title={`${t(HINT[verify.status])} ${totals}`} data-testid="verify-badge" data-verify={verify.status}>
      {t(VERIFY_STATUS_KEYS[verify.status])}
    </span>
  );
}
