import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useNavigate } from 'react-router';
import { useDatasets } from '../../api/queries';
import { uploadDataset, type UploadHandle } from '../../api/upload';
import { CanWrite } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import { Card, EmptyState, ErrorMessage, Field, Modal, PageHeader, Pager, Progress, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtBytes, fmtDate } from '../../lib/format';

const SIZE = 10;

export default function DatasetsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [uploading, setUploading] = useState(false);
  const list = useDatasets({ page, size: SIZE, q: search });

  useEffect(() => {
    const id = window.setTimeout(() => { setSearch(q); setPage(1); }, 250);
    return () => window.clearTimeout(id);
  }, [q]);

  return (
    <>
      <PageHeader
        title={t('datasets.title')}
        subtitle={t('datasets.subtitle')}
        actions={
          <>
            <div className="search">
              <Icon name="search" />
              <input placeholder={t('datasets.search')} value={q} onChange={(e) => setQ(e.target.value)} aria-label={t('datasets.search')} />
            </div>
            <CanWrite>
              <button className="btn primary" onClick={() => setUploading(true)} data-testid="upload-open">
                <Icon name="upload" /> {t('datasets.upload')}
              </button>
            </CanWrite>
          </>
        }
      />
      <Card flush>
        {list.isPending ? (
          <SkeletonTable />
        ) : list.error ? (
          <div className="card-body"><ErrorMessage error={list.error} onRetry={() => void list.refetch()} /></div>
        ) : list.data.items.length === 0 ? (
          <EmptyState
            icon="datasets"
            title={search ? t('datasets.noMatch') : t('datasets.empty')}
            text={search ? undefined : t('datasets.emptyHint')}
            action={!search && <CanWrite><button className="btn primary" onClick={() => setUploading(true)}><Icon name="upload" /> {t('datasets.upload')}</button></CanWrite>}
          />
        ) : (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="datasets-table">
                <thead>
                  <tr>
                    <th>{t('common.name')}</th>
                    <th className="num">{t('datasets.rows')}</th>
                    <th className="num">{t('datasets.columns')}</th>
                    <th>{t('datasets.frequency')}</th>
                    <th>{t('datasets.range')}</th>
                    <th className="num">{t('datasets.size')}</th>
                    <th>{t('common.created')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((d) => (
                    <tr key={d.id} className="clickable" onClick={() => navigate(`/datasets/${d.id}`)}>
                      <td><strong>{d.name}</strong>{d.description ? <div className="muted small">{d.description}</div> : null}</td>
                      <td className="num">{d.rows.toLocaleString()}</td>
                      <td className="num">{d.columns.length}</td>
                      <td>{d.frequency ? <span className="tag">{d.frequency}</span> : '—'}</td>
                      <td className="small muted">{d.start ? `${d.start.slice(0, 10)} → ${(d.end ?? '').slice(0, 10)}` : '—'}</td>
                      <td className="num">{fmtBytes(d.sizeBytes)}</td>
                      <td className="small muted nowrap">{fmtDate(d.createdAt, lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} size={SIZE} total={list.data.total} onPage={setPage} />
          </>
        )}
      </Card>
      {uploading && <UploadDialog onClose={() => setUploading(false)} onDone={(id) => navigate(`/datasets/${id}`)} />}
    </>
  );
}

function UploadDialog({ onClose, onDone }: { onClose: () => void; onDone: (id: string) => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const handle = useRef<UploadHandle | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pick = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setError(null);
    if (!name) setName(f.name.replace(/\.(csv|parquet)$/i, ''));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    pick(e.dataTransfer.files[0]);
  };
  const start = async () => {
    if (!file) return;
    setError(null);
    setProgress(0);
    handle.current = uploadDataset(file, name.trim(), setProgress);
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

  return (
    <Modal title={t('datasets.upload')} onClose={cancel} footer={
      <>
        <button className="btn" onClick={cancel}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!file || busy} onClick={() => void start()} data-testid="upload-start">
          {busy && <span className="spinner" />} {t('datasets.uploadStart')}
        </button>
      </>
    }>
      <div className="stack">
        <div
          className={`dropzone ${over ? 'over' : ''}`}
          onClick={() => input.current?.click()}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          role="button"
          tabIndex={0}
        >
          <Icon name="upload" size={22} />
          <div style={{ marginTop: 6 }}>{file ? <strong>{file.name}</strong> : t('datasets.drop')}</div>
          <div className="muted small">{file ? fmtBytes(file.size) : t('datasets.formats')}</div>
          <input ref={input} type="file" accept=".csv,.parquet,text/csv" hidden data-testid="upload-file"
            onChange={(e) => pick(e.target.files?.[0])} />
        </div>
        <Field label={t('common.name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} disabled={busy} data-testid="upload-name" />
        </Field>
        {busy && (
          <div className="stack" style={{ gap: 6 }} data-testid="upload-progress">
            <Progress value={progress} />
            <div className="small muted">
              {progress < 1 ? t('datasets.uploading', { pct: Math.round(progress * 100) }) : t('datasets.processing')}
            </div>
          </div>
        )}
        {error ? <ErrorMessage error={error} /> : null}
      </div>
    </Modal>
  );
}
