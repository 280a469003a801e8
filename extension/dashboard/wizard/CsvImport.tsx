import { useRef, useState, type DragEvent } from 'react';
import { DEFAULT_MAX_ROWS } from '../../../shared/csv/accounts-csv';
import { useLocale } from '../../i18n/locale-context';
import { checkImport, type CheckedImport, type ImportRules } from '../../lib/csv-import';
import { formatCount } from '../../lib/format';
import { ImportErrors } from './ImportErrors';
import { readFileBytes } from './read-file';
import { dataRowCount, recheckImports } from './wizard-state';

let nextId = 1;

/** Rows of the "already in an earlier file" list shown; its last line counts the rest. */
const DUPLICATES_SHOWN = 20;

/**
 * CSV import by file picker or drag-and-drop. Each file is one import of at most 1000 rows;
 * more imports append. Every bad row is listed with its line number and reason, duplicates of
 * earlier imports are flagged, and nothing starts while a file has errors.
 */
export function CsvImport({ imports, onChange, rules }: { imports: CheckedImport[]; onChange(next: CheckedImport[]): void; rules: ImportRules }) {
  const { t, locale } = useLocale();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [reading, setReading] = useState(false);

  const addFiles = async (files: FileList | File[]) => {
    setReading(true);
    let next = [...imports];
    for (const file of Array.from(files)) {
      const bytes = await readFileBytes(file);
      next = [...next, checkImport(`import-${nextId++}`, file.name, bytes, rules, next.filter((i) => !i.errors.length))];
    }
    setReading(false);
    onChange(next);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) void addFiles(e.dataTransfer.files);
  };

  return (
    <div className="csv-import">
      <div
        className={`dropzone${dragging ? ' dropzone--over' : ''}`}
        data-testid="csv-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p className="dropzone__title">{t('dropCsv')}</p>
        <p className="hint">{t('dropCsvHint', { max: DEFAULT_MAX_ROWS })}</p>
        <label className="secondary dropzone__button">
          {t('chooseCsv')}
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            multiple
            className="sr-only"
            data-testid="csv-input"
            onChange={(e) => {
              if (e.target.files?.length) void addFiles(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        {reading && <p className="hint" role="status">{t('reading')}</p>}
      </div>

      {imports.length > 0 && (
        <ul className="imports" aria-label={t('importsList')}>
          {imports.map((imp) => (
            <li key={imp.id} className={`import${imp.errors.length ? ' import--bad' : ''}`} data-testid="csv-import" data-errors={imp.errors.length}>
              <div className="import__head">
                <strong>{imp.fileName}</strong>
                <span className="hint">
                  {t('importSummary', {
                    rows: formatCount(dataRowCount(imp), locale),
                    encoding: imp.encoding === 'utf-8' ? 'UTF-8' : 'GBK/GB18030',
                    headers: imp.headerStyle === 'chinese' ? t('headersChinese') : t('headersEnglish'),
                  })}
                </span>
                <button type="button" className="ghost" onClick={() => onChange(recheckImports(imports.filter((i) => i.id !== imp.id), rules))} aria-label={t('removeImportNamed', { name: imp.fileName })}>
                  {t('removeImport')}
                </button>
              </div>
              {imp.errors.length > 0 ? (
                <ImportErrors errors={imp.errors} />
              ) : (
                <p className="import__ok">{t('importOk', { rows: formatCount(imp.rows.length, locale) })}</p>
              )}
              {/* A file refused for its errors imports nothing, so it updates nothing either. */}
              {imp.duplicates.length > 0 && imp.errors.length === 0 && (
                <div className="callout callout--warn" data-testid="csv-duplicates">
                  <strong>{t(imp.duplicates.length === 1 ? 'duplicatesTitleOne' : 'duplicatesTitle', { count: imp.duplicates.length })}</strong>
                  <ul>
                    {imp.duplicates.slice(0, DUPLICATES_SHOWN).map((d) => (
                      <li key={d.line}>{t('duplicateRow', { line: d.line, address: d.address, file: d.earlierFile, earlier: d.earlierLine })}</li>
                    ))}
                    {imp.duplicates.length > DUPLICATES_SHOWN && <li>{t('duplicatesMore', { count: formatCount(imp.duplicates.length - DUPLICATES_SHOWN, locale) })}</li>}
                  </ul>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
