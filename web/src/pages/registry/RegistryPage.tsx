import { useNavigate } from 'react-router';
import { useModels } from '../../api/queries';
import { Card, EmptyState, PageHeader, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';

export default function RegistryPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const models = useModels();
  return (
    <>
      <PageHeader title={t('registry.title')} subtitle={t('registry.subtitle')} />
      <Card flush>
        <QueryView query={models} skeleton={<SkeletonTable />}>
          {(page) => page.items.length === 0 ? <EmptyState icon="registry" title={t('registry.empty')} text={t('registry.emptyHint')} /> : (
            <Table testId="models-table" head={<tr><th>{t('common.name')}</th><th className="num">{t('registry.latest')}</th><th>{t('registry.aliases')}</th><th>{t('common.created')}</th></tr>}>
              {page.items.map((m) => (
                <tr key={m.name} className="clickable" onClick={() => navigate(`/registry/${encodeURIComponent(m.name)}`)}>
                  <td><strong>{m.name}</strong>{m.description ? <div className="muted small">{m.description}</div> : null}</td>
                  <td className="num">{m.latestVersion != null ? `v${m.latestVersion}` : '—'}</td>
                  <td>{Object.entries(m.aliases).map(([a, v]) => <span key={a} className="tag" style={{ marginRight: 4 }}>@{a} → v{v}</span>)}</td>
                  <td className="small muted nowrap">{fmtDate(m.createdAt, lang)}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>
    </>
  );
}
