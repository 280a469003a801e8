import { findPreset } from '../../../shared/providers';
import { useLocale } from '../../i18n/locale-context';
import { useEffect, useState } from 'react';
import type { RequestResult } from '../../../shared/protocol';
import { bridgeRequest } from '../../lib/page-client';
import { previewFolders } from './folder-preview';
import { testKey, toServer, type WizardState } from './wizard-state';

type ServerMappings = RequestResult<'folders.preview'>['mappings'];

/**
 * The real mapping from the bridge (folders.preview) once the source test passed with an IMAP
 * server; null until then, for a POP3 source, or when the bridge cannot give it.
 */
function useServerPreview(state: WizardState): { key: string; mappings: ServerMappings } | null {
  const ready = state.sourceTest.status === 'done' && state.sourceTest.result.ok && state.protocol === 'imap';
  const key = `${testKey(state.source, state.protocol, state.verifyUser)}|${state.storage}`;
  const [preview, setPreview] = useState<{ key: string; mappings: ServerMappings } | null>(null);
  const preset = findPreset(state.providerId);
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    bridgeRequest('folders.preview', {
      source: { server: toServer(state.source), user: state.verifyUser.trim(), password: state.verifyPassword },
      storage: state.storage,
      ...(preset?.provider ? { provider: preset.provider } : {}),
    }).then(
      (r) => {
        if (!cancelled && r.ok) setPreview({ key, mappings: r.mappings });
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
    // The key names everything the preview depends on (server, address, storage).
  }, [ready, key]);
  return ready && preview?.key === key ? preview : null;
}

/** Step b — 存储方案: mapped (原所在文件夹) or unified (以邮箱地址命名的文件夹), with a preview. */
export function StorageStep({ state, patch }: { state: WizardState; patch(p: Partial<WizardState>): void }) {
  const { t, locale } = useLocale();
  const report = state.sourceTest.status === 'done' ? state.sourceTest.result.report : null;
  const preset = findPreset(state.providerId);
  const local = previewFolders(report, {
    mode: state.storage,
    sourceAddress: state.verifyUser,
    providerHint: preset?.provider,
    chineseExample: locale === 'zh-CN' || !!preset?.label.zh,
  });
  const server = useServerPreview(state);
  const preview = server
    ? { example: false, mappings: server.mappings.map((m) => ({ source: m.source, target: m.target, reason: m.reason, sanitized: m.sanitized ? [m.source] : [] })) }
    : local;
  return (
    <section className="step" aria-labelledby="step-storage-title">
      <h2 id="step-storage-title">{t('stepStorageTitle')}</h2>
      <p className="step__lead">{t('stepStorageLead')}</p>
      <fieldset className="choice-group choice-group--cards">
        <legend className="sr-only">{t('stepStorageTitle')}</legend>
        <label className={`choice choice--card${state.storage === 'mapped' ? ' choice--on' : ''}`}>
          <input type="radio" name="storage" value="mapped" checked={state.storage === 'mapped'} onChange={() => patch({ storage: 'mapped' })} />
          <span>
            <strong>{t('storageMapped')}</strong>
            <span className="choice__hint">• {t('storageMappedHint1')}</span>
            <span className="choice__hint">• {t('storageMappedHint2')}</span>
          </span>
        </label>
        <label className={`choice choice--card${state.storage === 'unified' ? ' choice--on' : ''}`}>
          <input type="radio" name="storage" value="unified" checked={state.storage === 'unified'} onChange={() => patch({ storage: 'unified' })} />
          <span>
            <strong>{t('storageUnified')}</strong>
            <span className="choice__hint">• {t('storageUnifiedHint')}</span>
          </span>
        </label>
      </fieldset>

      <div className="panel" data-testid="folder-preview" data-source={server ? 'bridge' : preview.example ? 'example' : 'report'}>
        <h3>{t('folderPreviewTitle')}</h3>
        <p className="hint">
          {server ? t('folderPreviewServer', { address: state.verifyUser }) : preview.example ? t('folderPreviewExample') : t('folderPreviewReal', { address: state.verifyUser })}
        </p>
        <table className="mini-table mapping-table">
          <thead>
            <tr>
              <th scope="col">{t('folderSource')}</th>
              <th scope="col" aria-hidden="true" />
              <th scope="col">{t('folderTarget')}</th>
              <th scope="col">{t('folderWhy')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.mappings.map((m) => (
              <tr key={m.source}>
                <td>{m.source}</td>
                <td aria-hidden="true">→</td>
                <td>
                  <code>{m.target}</code>
                </td>
                <td className="hint">
                  {t(
                    m.reason === 'inbox'
                      ? 'reasonInbox'
                      : m.reason === 'special-use'
                        ? 'reasonSpecialUse'
                        : m.reason === 'localized-name'
                          ? 'reasonLocalized'
                          : m.reason === 'unified'
                            ? 'reasonUnified'
                            : 'reasonCustom',
                  )}
                  {m.sanitized.length > 0 && ` · ${t('reasonSanitized')}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
