import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useLocale } from '../../i18n/locale-context';
import { formatCount } from '../../lib/format';
import type { WizardState } from './wizard-state';

const ROW = 32;

/** The accounts the job will get, before it starts: every good row of every file (virtualised, files hold up to 1000 rows each). */
export function AccountsPreview({ imports }: { imports: WizardState['imports'] }) {
  const { t, locale } = useLocale();
  const rows = imports.filter((i) => !i.errors.length).flatMap((i) => i.rows.map((r) => ({ ...r, file: i.fileName })));
  const scroller = useRef<HTMLDivElement>(null);
  const height = Math.min(rows.length, 10) * ROW;
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 10, initialRect: { width: 800, height } });
  return (
    <div className="panel" data-testid="accounts-preview">
      <h3>{t('reviewPreviewTitle', { count: formatCount(rows.length, locale) })}</h3>
      <div className="preview-table" role="table" aria-rowcount={rows.length + 1}>
        <div className="preview-row preview-row--head" role="row">
          <span role="columnheader">{t('reviewPreviewSource')}</span>
          <span role="columnheader">{t('reviewPreviewTarget')}</span>
          <span role="columnheader">{t('reviewPreviewLine')}</span>
        </div>
        <div ref={scroller} className="preview-table__body" style={{ height, overflowY: 'auto' }}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const r = rows[item.index]!;
              return (
                <div
                  key={item.key}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className="preview-row"
                  data-testid="preview-row"
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${item.start}px)` }}
                >
                  <span role="cell">{r.source}</span>
                  <span role="cell">{r.target}</span>
                  <span role="cell" className="hint">
                    {r.file} · {r.line}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
