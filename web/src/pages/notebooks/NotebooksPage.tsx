/** Notebooks: the caller's own and those shared with them; create one or import an .ipynb. */
import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import { Badge, Card, EmptyState, ErrorMessage, PageHeader, Pager, QueryView, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtBytes, fmtDate } from '../../lib/format';
import { importNotebook, useCreateNotebook, useNotebooks } from './notebookApi';

const SIZE = 20;

export default function NotebooksPage() {
  const { t, lang } = useI18n();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const notify = useToast();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [name, setName] = useState('');
  const [importError, setImportError] = useState<unknown>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const list = useNotebooks({ page, size: SIZE, q });
  const create = useCreateNotebook();

  const onCreate = () => {
    create.mutate(name.trim() || t('notebooks.untitled'), { onSuccess: (nb) => navigate(`/notebooks/${nb.id}`) });
  };
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    setImportError(null);
    try {
      const nb = await importNotebook(file);
      notify(t('notebooks.imported'));
      navigate(`/notebooks/${nb.id}`);
    } catch (err) {
      setImportError(err);
    }
  };

  const actions = canWrite && (
    <>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('notebooks.namePlaceholder')} aria-label={t('common.name')} data-testid="nb-name" />
      <button className="btn primary" onClick={onCreate} disabled={create.isPending} data-testid="nb-create">
        <Icon name="plus" /> {t('notebooks.create')}
      </button>
      <button className="btn" onClick={() => fileRef.current?.click()} data-testid="nb-import">
        <Icon name="upload" /> {t('notebooks.import')}
      </button>
      <input ref={fileRef} type="file" accept=".ipynb,application/json" hidden onChange={(e) => void onImport(e.target.files?.[0])} />
    </>
  );

  return (
    <>
      <PageHeader title={t('notebooks.title')} subtitle={t('notebooks.subtitle')} actions={actions} />
      {create.error && <ErrorMessage error={create.error} />}
      {importError ? <ErrorMessage error={importError} /> : null}
      <Card flush actions={<input type="search" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} placeholder={t('notebooks.search')} aria-label={t('notebooks.search')} />} title={t('notebooks.title')}>
        <QueryView query={list} skeleton={<SkeletonTable />}>
          {(data) => data.items.length === 0 ? (
            <EmptyState icon="features" title={t('notebooks.empty')} text={t('notebooks.emptyHint')} />
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="nb-table">
                <thead>
                  <tr><th>{t('common.name')}</th><th>{t('notebooks.owner')}</th><th>{t('notebooks.version')}</th><th>{t('notebooks.size')}</th><th>{t('notebooks.updated')}</th><th>{t('notebooks.access')}</th></tr>
                </thead>
                <tbody>
                  {data.items.map((nb) => (
                    <tr key={nb.id}>
                      <td><Link to={`/notebooks/${nb.id}`}>{nb.name}</Link></td>
                      <td>{nb.owner}</td>
                      <td>v{nb.version}</td>
                      <td>{fmtBytes(nb.size)}</td>
                      <td>{fmtDate(nb.updatedAt, lang)}</td>
                      <td><Badge tone={nb.access === 'read' ? 'neutral' : 'info'}>{t(`notebooks.accessKinds.${nb.access}`)}</Badge></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} size={SIZE} total={data.total} onPage={setPage} />
            </div>
          )}
        </QueryView>
      </Card>
    </>
  );
}
