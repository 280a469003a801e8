import type { VerifySummary } from '../../../shared/verify';
import type { PlainKey } from '../../i18n';
import { useLocale } from '../../i18n/locale-context';
import { VERIFY_STATUS_KEYS } from '../../components/status';

const HINT: Record<VerifySummary['status'], PlainKey> = { verified: 'verifyHintVerified', differences: 'verifyHintDifferences', failed: 'verifyHintFailed' };
const TONE: Record<VerifySummary['status'], string> = { verified: 'ok', differences: 'warn', failed: 'bad' };

/** 已核验 / 有差异 / 核验失败: the result of the bridge's last independent check of the account. */
export function VerifyBadge({ verify }: { verify: VerifySummary | null | undefined }) {
  const { t } = useLocale();
  if (!verify) return null;
  const totals = t('verifyTotals', {
    matched: verify.totals.matched,
    missing: verify.totals.missing,
    extra: verify.totals.extra,
    changed: verify.totals.changed,
  });
  return (
    <span className={`badge badge--${TONE[verify.status]} verify-badge`} title={`${t(HINT[verify.status])} ${totals}`} data-testid="verify-badge" data-verify={verify.status}>
      {t(VERIFY_STATUS_KEYS[verify.status])}
    </span>
  );
}
