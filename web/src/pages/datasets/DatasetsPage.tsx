import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useDatasets } from '../../api/queries';
import { CanWrite } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { Card, EmptyState, ErrorMessage, PageHeader, Pager, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtBytes, fmtDate } from '../../lib/format';
import { ImportDialog } from './ImportDialog';

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
          <Table testId="datasets-table" footer={<Pager page={page} size={SIZE} total={list.data.total} onPage={setPage} />} head={<tr>
              <th>{t('common.name')}</th>
              <th className="num">{t('datasets.rows')}</th>
              <th className="num">{t('datasets.columns')}</th>
              <th>{t('datasets.frequency')}</th>
              <th>{t('datasets.range')}</th>
              <th className="num">{t('datasets.size')}</th>
              <th>{t('common.created')}</th>
            </tr>}>
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
          </Table>
        )}
      </Card>
      {uploading && <ImportDialog onClose={() => setUploading(false)} onDone={(id) => navigate(`/datasets/${id}`)} />}
    </>
  );
}
