/** Upload a CSV, Parquet or .xlsx file: how to read it (detected, overridable), units per column,
 * and the server's preview of the first rows as they will be stored, before anything is stored. */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { ImportPreview } from '../../api/types';
import { previewImport, uploadDataset, type UploadHandle } from '../../api/upload';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import { ErrorMessage, Field, Modal, Progress, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtBytes, fmtCell } from '../../lib/format';
import {
  headSlice, importFields, SEPARATORS, separatorLabel, sniffCsv, type CsvSniff, type DecimalMark, type ImportOptions, type Separator,
} from '../../lib/importPreview';
import { UNIT_GROUPS } from '../../lib/units';
import { unitShapeOk } from '../../lib/validators';

const HEAD_BYTES = 256 * 1024;
const ZONES = ['UTC', 'Europe/Berlin', 'Europe/Paris', 'Europe/London', 'Europe/Madrid', 'Europe/Rome', 'Asia/Shanghai', 'Asia/Tokyo', 'America/New_York', 'America/Chicago'];

function isCsv(file: File): boolean {
  return !/\.(parquet|pq|xlsx|xlsm)$/i.test(file.name);
}

export function ImportDialog({ onClose, onDone }: { onClose: () => void; onDone: (id: string) => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [sample, setSample] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [over, setOver] = useState(false);
  const [opts, setOpts] = useState<ImportOptions>({});
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const handle = useRef<UploadHandle | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const sniff: CsvSniff | null = useMemo(() => (sample == null ? null : sniffCsv(sample, { separator: opts.separator, decimal: opts.decimal })), [sample, opts.separator, opts.decimal]);
  const fields = useMemo(() => importFields(opts), [opts]);
  const badUnit = Object.values(opts.units ?? {}).find((u) => u.trim() !== '' && !unitShapeOk(u));

  const pick = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setError(null);
    setOpts({});
    setPreview(null);
    setSample(null);
    if (!name) setName(f.name.replace(/\.(csv|parquet|xlsx|xlsm|txt)$/i, ''));
    if (isCsv(f)) void f.slice(0, HEAD_BYTES).text().then((text) => setSample(f.size > HEAD_BYTES ? headSlice(text) : text));
  };

  // Ask the server how it reads the file (its first lines, for a CSV) whenever the options change.
  useEffect(() => {
    if (!file || (isCsv(file) && sample == null) || badUnit) return;
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      setPreviewing(true);
      const body = isCsv(file) ? new Blob([sample ?? '']) : file;
      previewImport(body, file.name, fields, abort.signal)
        .then((p) => { setPreview(p); setPreviewError(null); })
        .catch((err: unknown) => { if (!abort.signal.aborted) { setPreview(null); setPreviewError(err); } })
        .finally(() => { if (!abort.signal.aborted) setPreviewing(false); });
    }, 300);
    return () => { window.clearTimeout(timer); abort.abort(); };
  }, [file, sample, fields, badUnit]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    pick(e.dataTransfer.files[0]);
  };
  const start = async () => {
    if (!file) return;
    setError(null);
    setProgress(0);
    handle.current = uploadDataset(file, name.trim(), setProgress, fields);
    try {
      const ds = await handle.current.promise;
      void qc.invalidateQueries({ queryKey: ['datasets'] });
      notify(t('datasets.uploaded', { name: ds.name }), 'ok');
      onDone(ds.id);
    } catch (err) {
      setError(err);
      setProgress(null);
    } finally {
      handle.current = null;
    }
  };
  const cancel = () => {
    handle.current?.abort();
    onClose();
  };
  const busy = progress !== null;
  const set = (patch: Partial<ImportOptions>) => setOpts((o) => ({ ...o, ...patch }));
  const header = preview?.columns.map((c) => c.sourceName ?? c.name) ?? sniff?.header ?? [];
  const valueColumns = (preview?.columns ?? []).filter((c) => c.role !== 'timestamp');

  return (
    <Modal wide title={t('datasets.upload')} onClose={cancel} footer={
      <>
        <button className="btn" onClick={cancel}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!file || busy || !!badUnit || !!previewError} onClick={() => void start()} data-testid="upload-start">
          {busy && <span className="spinner" />} {t('datasets.uploadStart')}
        </button>
      </>
    }>
      <div className="stack">
        <div className={`dropzone ${over ? 'over' : ''}`} onClick={() => input.current?.click()} role="button" tabIndex={0}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
          <Icon name="upload" size={22} />
          <div style={{ marginTop: 6 }}>{file ? <strong>{file.name}</strong> : t('datasets.drop')}</div>
          <div className="muted small">{file ? fmtBytes(file.size) : t('imports.formats')}</div>
          <input ref={input} type="file" accept=".csv,.txt,.parquet,.xlsx,text/csv" hidden data-testid="upload-file" onChange={(e) => pick(e.target.files?.[0])} />
        </div>
        <Field label={t('common.name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} disabled={busy} data-testid="upload-name" />
        </Field>
        {file && (
          <div className="form-grid" data-testid="import-options">
            {sniff && (
              <>
                <Field label={t('imports.separator')} hint={t('imports.detected', { v: separatorLabel(sniff.separator) })}>
                  <select value={opts.separator ?? ''} onChange={(e) => set({ separator: (e.target.value || undefined) as Separator | undefined })} data-testid="import-separator">
                    <option value="">{t('imports.auto')} ({separatorLabel(preview?.separator as Separator ?? sniff.separator)})</option>
                    {SEPARATORS.map((s) => <option key={s} value={s}>{separatorLabel(s)}</option>)}
                  </select>
                </Field>
                <Field label={t('imports.decimal')} hint={t('imports.detected', { v: preview?.decimal ?? sniff.decimal })}>
                  <select value={opts.decimal ?? ''} onChange={(e) => set({ decimal: (e.target.value || undefined) as DecimalMark | undefined })} data-testid="import-decimal">
                    <option value="">{t('imports.auto')} ({preview?.decimal ?? sniff.decimal})</option>
                    <option value=".">{t('imports.dot')}</option>
                    <option value=",">{t('imports.comma')}</option>
                  </select>
                </Field>
              </>
            )}
            <Field label={t('imports.timeColumn')}>
              <select value={opts.timestampColumn ?? ''} onChange={(e) => set({ timestampColumn: e.target.value || undefined })} data-testid="import-time-column">
                <option value="">{t('imports.auto')}{preview ? ` (${preview.timestampColumn})` : ''}</option>
                {header.filter((h) => h !== 'timestamp' || !preview).map((h) => <option key={h} value={h}>{h}</option>)}
              </select>
            </Field>
            <Field label={t('imports.timeFormat')} hint={t('imports.timeFormatHint')}>
              <input value={opts.timestampFormat ?? ''} placeholder={preview?.timestampFormat ?? '%Y-%m-%d %H:%M'} onChange={(e) => set({ timestampFormat: e.target.value })} data-testid="import-time-format" />
            </Field>
            <Field label={t('imports.timezone')} hint={t('imports.timezoneHint')}>
              <input list="import-zones" value={opts.timezone ?? ''} placeholder="UTC" onChange={(e) => set({ timezone: e.target.value })} data-testid="import-timezone" />
              <datalist id="import-zones">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
            </Field>
          </div>
        )}
        {valueColumns.length > 0 && (
          <div className="field">
            <span>{t('imports.units')}</span>
            <datalist id="import-units">{Object.values(UNIT_GROUPS).flat().map((u) => <option key={u} value={u} />)}</datalist>
            <div className="row" style={{ gap: 10, flexWrap: 'wrap' }}>
              {valueColumns.map((c) => {
                const key = c.name;
                return (
                  <label key={c.name} className="check small" style={{ gap: 6 }}>
                    <code>{c.name}</code>
                    <input className="sm" list="import-units" style={{ width: 90 }} value={opts.units?.[key] ?? ''} placeholder={c.unit ?? '—'}
                      aria-label={t('datasets.unitOf', { col: c.name })} data-testid={`import-unit-${c.name}`}
                      onChange={(e) => set({ units: { ...opts.units, [key]: e.target.value } })} />
                  </label>
                );
              })}
            </div>
            {badUnit && <span className="err" role="alert">{t('checks.unitShape', { unit: badUnit })}</span>}
          </div>
        )}
        {file && <PreviewTable preview={preview} busy={previewing} />}
        {previewError ? <div data-testid="import-preview-error"><ErrorMessage error={previewError} /></div> : null}
        {busy && (
          <div className="stack" style={{ gap: 6 }} data-testid="upload-progress">
            <Progress value={progress} />
            <div className="small muted">{progress < 1 ? t('datasets.uploading', { pct: Math.round(progress * 100) }) : t('datasets.processing')}</div>
          </div>
        )}
        {error ? <ErrorMessage error={error} /> : null}
      </div>
    </Modal>
  );
}

function PreviewTable({ preview, busy }: { preview: ImportPreview | null; busy: boolean }) {
  const { t } = useI18n();
  if (!preview) return busy ? <div className="muted small"><span className="spinner" /> {t('imports.reading')}</div> : null;
  const rows = preview.rows.slice(0, 8);
  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="small muted" data-testid="import-summary">
        {t('imports.summary', { column: preview.timestampColumn, format: preview.timestampFormat, zone: preview.timezone, freq: preview.frequency ?? '—' })}
      </div>
      <Table dense testId="import-preview" style={{ maxHeight: 240 }} head={<tr>{preview.columns.map((c) => <th key={c.name}>{c.name}{c.unit ? <span className="muted"> [{c.unit}]</span> : null}</th>)}</tr>}>
        {rows.map((r, i) => (
          <tr key={i}>{preview.columns.map((c) => <td key={c.name} className={typeof r[c.name] === 'number' ? 'num' : 'small nowrap'}>{fmtCell(r[c.name])}</td>)}</tr>
        ))}
      </Table>
    </div>
  );
}
