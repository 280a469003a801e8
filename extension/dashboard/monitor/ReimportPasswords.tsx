import { useLiveQuery } from 'dexie-react-hooks';
import { useRef, useState } from 'react';
import { db } from '../../db/schema';
import { useLocale } from '../../i18n/locale-context';
import { bridgeRequest } from '../../lib/page-client';
import { readFileBytes } from '../wizard/read-file';
import { requestFailureText } from './request-failure';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * 批量更新密码: a CSV of just the accounts whose passwords were wrong, with their passwords,
 * imported into the same job (accounts.import). The bridge replaces the stored passwords of
 * those already in the job and retries the failed ones (and those waiting for a password).
 * `jobId` falls back to the job of the first account shown.
 */
export function ReimportPasswords({ jobId, firstAccountId, disabled }: { jobId?: string | undefined; firstAccountId?: string | undefined; disabled: boolean }) {
  const { t, locale } = useLocale();
  const input = useRef<HTMLInputElement>(null);
  const [lines, setLines] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const looked = useLiveQuery(async () => (jobId || !firstAccountId ? undefined : (await db().accounts.get(firstAccountId))?.jobId), [jobId, firstAccountId]);
  const job = jobId ?? looked;

  const upload = async (file: File) => {
    if (!job) return;
    setBusy(true);
    setLines([]);
    try {
      const csvBase64 = toBase64(await readFileBytes(file));
      const r = await bridgeRequest('accounts.import', { jobId: job, mode: 'admin-with-passwords', csvBase64, autoStart: true });
      if (r.errors.length) {
        setLines([
          t('reimportErrors', { count: r.errors.length }),
          ...r.errors.slice(0, 5).map((e) => t('reimportLine', { line: e.line, message: locale === 'zh-CN' ? e.messageZh : e.message })),
        ]);
      } else {
        setLines([t('reimportDone', { updated: r.updated, imported: r.imported })]);
      }
    } catch (err) {
      setLines([requestFailureText(err, t)]);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <details className="panel panel--quiet reimport" data-testid="reimport-passwords">
      <summary>{t('reimportTitle')}</summary>
      <p className="hint">{t('reimportHint')}</p>
      <label className="field">
        <span>{t('reimportButton')}</span>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          name="reimport-csv"
          data-testid="reimport-file"
          disabled={disabled || busy || !job}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void upload(f);
          }}
        />
      </label>
      {lines.length > 0 && (
        <div role="status" data-testid="reimport-result">
          {lines.map((l, i) => (
            <p key={i} className="hint">
              {l}
            </p>
          ))}
        </div>
      )}
    </details>
  );
}
