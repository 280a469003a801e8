import { useCallback, useEffect, useState } from 'react';
import type { CutoverChecklistItem, CutoverView } from '../../../shared/protocol';
import { DNS_EXPECTATIONS } from '../../../shared/providers/dns-expectations';
import { Field } from '../../components/Field';
import { useLocale, useText } from '../../i18n/locale-context';
import { RequestFailureNote, TechnicalDetails } from '../../components/RequestFailureNote';
import { bridgeRequest } from '../../lib/page-client';
import { requestFailureOf, type RequestFailureInfo } from '../monitor/request-failure';
import { AfterSwitch } from './AfterSwitch';
import { DnsTable } from './DnsTable';

/** How often the page reads the bridge's stored state; the bridge itself re-checks DNS every few minutes. */
const REFRESH_MS = 10_000;

/**
 * 切换 (cut-over) step of a job: its domains and providers, the DNS check table with the records
 * to add, a loud warning when MX is on the new provider before every first pass is done, and
 * after the switch what still reaches the old servers and the checklist.
 */
export function CutoverStep({ jobId, connected, defaultTarget }: { jobId: string; connected: boolean; defaultTarget?: string | null }) {
  const { t, locale } = useLocale();
  const text = useText();
  const [view, setView] = useState<CutoverView | null | undefined>(undefined);
  const [error, setError] = useState<RequestFailureInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [domains, setDomains] = useState('');
  // A job whose new system is not a provider with known DNS records (another IMAP server) gets no
  // provider picked for it: the admin chooses the one the domain's MX is to point at.
  const [target, setTarget] = useState(defaultTarget && DNS_EXPECTATIONS.some((e) => e.providerId === defaultTarget) ? defaultTarget : '');
  const [old, setOld] = useState('');
  const [selector, setSelector] = useState('');
  const [quietHours, setQuietHours] = useState('72');

  const adopt = useCallback((v: CutoverView | null) => {
    setView(v);
    if (v) {
      setDomains((d) => d || v.config.domains.join(', '));
      setTarget(v.config.targetProvider);
      setOld(v.config.oldProvider ?? '');
      setSelector(v.config.dkimSelector ?? '');
      setQuietHours(String(v.config.quietHours));
    }
  }, []);

  const run = useCallback(async (fn: () => Promise<{ cutover: CutoverView | null }>) => {
    setBusy(true);
    setError(null);
    try {
      adopt((await fn()).cutover);
    } catch (err) {
      setError(requestFailureOf(err));
    } finally {
      setBusy(false);
    }
  }, [adopt]);

  useEffect(() => {
    if (!connected) return;
    const load = () => bridgeRequest('cutover.get', { jobId }).then((r) => adopt(r.cutover), () => undefined);
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [jobId, connected, adopt]);

  const save = () =>
    run(() =>
      bridgeRequest('cutover.set', {
        jobId,
        domains: domains.split(/[\s,，;；]+/).filter(Boolean),
        targetProvider: target,
        oldProvider: old || null,
        dkimSelector: selector.trim() || null,
        ...(Number(quietHours) > 0 ? { quietHours: Number(quietHours) } : {}),
      }),
    );
  const tick = (item: CutoverChecklistItem, done: boolean) => void run(() => bridgeRequest('cutover.checklist', { jobId, item, done }));

  const stageText = view
    ? view.stage === 'prepare'
      ? t('cutoverStagePrepare', { pending: view.pendingFirstPass })
      : view.stage === 'ready-to-switch'
        ? t('cutoverStageReady')
        : view.stage === 'switched'
          ? t('cutoverStageSwitched', { at: new Date(view.mxOnTargetAt!).toLocaleString() })
          : t('cutoverStageQuiet', { hours: view.config.quietHours })
    : null;

  return (
    <section className="cutover" data-testid="cutover" data-stage={view?.stage ?? 'unset'}>
      <h2>{t('cutoverTitle')}</h2>
      <p className="hint">{t('cutoverLead')}</p>
      {view?.earlyMx && (
        <div className="callout callout--danger" role="alert" data-testid="cutover-early-mx">
          <strong>⚠ {t('cutoverEarlyMx', { pending: view.pendingFirstPass })}</strong>
        </div>
      )}
      <form
        className="cutover__form grid grid--3"
        onSubmit={(e) => {
          e.preventDefault();
          // The select is required; a form submitted around it (no browser check) sends nothing.
          if (target) void save();
        }}
      >
        <Field label={t('cutoverDomains')} hint={t('cutoverDomainsHint')}>
          {(p) => <input {...p} name="cutover-domains" className="input" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com" required />}
        </Field>
        <Field label={t('cutoverTarget')}>
          {(p) => (
            <select {...p} name="cutover-target" className="input" value={target} onChange={(e) => setTarget(e.target.value)} required>
              <option value="" disabled>
                {t('cutoverTargetChoose')}
              </option>
              {DNS_EXPECTATIONS.map((e) => (
                <option key={e.providerId} value={e.providerId}>
                  {text(e.label)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('cutoverOld')}>
          {(p) => (
            <select {...p} name="cutover-old" className="input" value={old} onChange={(e) => setOld(e.target.value)}>
              <option value="">{t('cutoverOldNone')}</option>
              {DNS_EXPECTATIONS.map((e) => (
                <option key={e.providerId} value={e.providerId}>
                  {text(e.label)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('cutoverSelector')}>
          {(p) => <input {...p} name="cutover-selector" className="input" value={selector} onChange={(e) => setSelector(e.target.value)} />}
        </Field>
        <Field label={t('cutoverQuietHours')}>
          {(p) => <input {...p} name="cutover-quiet-hours" type="number" min={1} max={1440} className="input" value={quietHours} onChange={(e) => setQuietHours(e.target.value)} />}
        </Field>
        <div className="cutover__actions">
          <button type="submit" className="primary" disabled={!connected || busy} data-testid="cutover-save">
            {t('cutoverSave')}
          </button>{' '}
          <button type="button" className="secondary" disabled={!connected || busy || !view} data-testid="cutover-check" onClick={() => void run(() => bridgeRequest('cutover.check', { jobId }))}>
            {t('cutoverCheckNow')}
          </button>
        </div>
      </form>
      {error && <RequestFailureNote failure={error} className="error-inline" testId="cutover-error" />}
      {view === null && <p className="hint">{t('cutoverNotSet')}</p>}
      {view && (
        <>
          <p className={view.stage === 'prepare' ? 'callout callout--warn' : 'callout callout--info'} data-testid="cutover-stage">
            {stageText}
          </p>
          {view.mxOnTargetAt && view.oldMxTtl !== null && (
            <p className="hint" data-testid="cutover-old-ttl">
              {t('cutoverOldMxTtl', { ttl: view.oldMxTtl })}
            </p>
          )}
          {view.checkError && (
            <>
              {/* The resolver's error is English and technical: worded as what it means, the text itself in English mode only. */}
              <p className="warn-text" data-testid="cutover-check-error">
                {t('cutoverCheckFailed')}
              </p>
              {locale === 'en' && <TechnicalDetails text={view.checkError} />}
            </>
          )}
          {view.lastCheckedAt && <p className="hint">{t('cutoverCheckedAt', { at: new Date(view.lastCheckedAt).toLocaleString() })}</p>}
          {view.closeProposed && (
            <p className="callout callout--info" data-testid="cutover-close-proposed">
              {t('cutoverCloseProposed', { hours: view.config.quietHours })}
            </p>
          )}
          {view.reports.map((r) => (
            <DnsTable key={r.domain} report={r} />
          ))}
          <AfterSwitch view={view} disabled={!connected || busy} onTick={tick} />
        </>
      )}
    </section>
  );
}
