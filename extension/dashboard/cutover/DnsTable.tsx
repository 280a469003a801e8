import { useState } from 'react';
import type { DnsCheckReport, DnsRecordCheck } from '../../../shared/protocol';
import { useLocale, useText } from '../../i18n/locale-context';
import type { MessageKey } from '../../i18n';

const BADGE: Record<DnsRecordCheck['status'], string> = { ok: 'badge--ok', missing: 'badge--bad', wrong: 'badge--bad', conflict: 'badge--bad', warning: 'badge--warn' };

/** One record to add, as the DNS host's form asks for it, with a button that copies its value. */
function RecordToAdd({ r }: { r: DnsRecordCheck['add'][number] }) {
  const { t } = useLocale();
  const [copied, setCopied] = useState(false);
  return (
    <div className="dns-add" data-testid="dns-add">
      <span>
        {t('dnsHost')} <code>{r.host}</code> · {t('dnsType')} <code>{r.type}</code> · {t('dnsValue')} <code data-testid="dns-add-value">{r.value}</code>
        {r.priority !== null && (
          <>
            {' '}
            · {t('dnsPriority')} <code>{r.priority}</code>
          </>
        )}{' '}
        · {t('dnsTtl')} <code>{r.ttl}</code>
      </span>{' '}
      <button
        type="button"
        className="ghost"
        data-testid="dns-copy"
        onClick={() => {
          // The value is what is pasted into the DNS host's "记录值" field; the rest is chosen in its form.
          void navigator.clipboard.writeText(r.value).then(() => setCopied(true), () => setCopied(false));
        }}
      >
        {copied ? t('dnsCopied') : t('dnsCopy')}
      </button>
    </div>
  );
}

/** The DNS check of one domain: one row per record, its status, what was found and what to do. */
export function DnsTable({ report }: { report: DnsCheckReport }) {
  const { t } = useLocale();
  const text = useText();
  return (
    <div className="dns-report" data-testid="dns-report" data-domain={report.domain} data-ready={String(report.ready)}>
      <h3>
        <code>{report.domain}</code> — <span className={report.ready ? 'badge badge--ok' : 'badge badge--warn'}>{report.ready ? t('cutoverReady') : t('cutoverNotReady')}</span>
      </h3>
      <table className="table dns-table">
        <thead>
          <tr>
            <th>{t('dnsColKind')}</th>
            <th>{t('dnsColName')}</th>
            <th>{t('dnsColStatus')}</th>
            <th>{t('dnsColFound')}</th>
            <th>{t('dnsColExpected')}</th>
            <th>{t('dnsColFix')}</th>
          </tr>
        </thead>
        <tbody>
          {report.records.map((r) => (
            <tr key={`${r.kind}:${r.name}`} data-testid="dns-row" data-kind={r.kind} data-status={r.status}>
              <td>{r.kind}</td>
              <td>
                <code>{r.name}</code>
              </td>
              <td>
                <span className={`badge ${BADGE[r.status]}`}>{(t as (k: MessageKey) => string)(`dnsStatus_${r.status}` as MessageKey)}</span>
              </td>
              <td>{r.found.length ? r.found.map((f) => <code key={f} className="dns-value">{f}</code>) : <span className="hint">{t('dnsNone')}</span>}</td>
              <td>
                {r.expected.map((e) => (
                  <code key={e} className="dns-value">
                    {e}
                  </code>
                ))}
              </td>
              <td>
                {r.status !== 'ok' && <p data-testid="dns-fix">{text(r.fix)}</p>}
                {r.add.map((a) => (
                  <RecordToAdd key={`${a.type}:${a.host}:${a.value}`} r={a} />
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
