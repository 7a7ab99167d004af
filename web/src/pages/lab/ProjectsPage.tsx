/** Projects: what they group (experiments, datasets, plans, models, deployments) and who. */
import { useState } from 'react';
import { CanWrite } from '../../auth/AuthContext';
import { Card, EmptyState, PageHeader, QueryView, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useCreateProject, useProjects } from './labApi';

export default function ProjectsPage() {
  const { t } = useI18n();
  const projects = useProjects();
  const create = useCreateProject();
  const [name, setName] = useState('');
  return (
    <>
      <PageHeader title={t('lab.projects.title')} subtitle={t('lab.projects.subtitle')} />
      <div className="grid side">
        <Card flush title={t('lab.projects.title')}>
          <QueryView query={projects} skeleton={<SkeletonTable />}>
            {(list) => list.length === 0 ? <EmptyState icon="inbox" title={t('lab.projects.empty')} /> : (
              <div className="table-wrap"><table className="table" data-testid="projects-table">
                <thead><tr><th>{t('common.name')}</th><th>{t('lab.projects.experiments')}</th><th>{t('lab.projects.links')}</th><th>{t('lab.projects.members')}</th></tr></thead>
                <tbody>{list.map((p) => (
                  <tr key={p.id}><td>{p.name}</td><td className="num">{p.experiments}</td>
                    <td className="small">{p.links.map((l) => `${l.kind}:${l.refId}`).join(', ')}</td>
                    <td className="small">{p.members.map((m) => `${m.username} (${m.role})`).join(', ')}</td></tr>
                ))}</tbody>
              </table></div>
            )}
          </QueryView>
        </Card>
        <CanWrite>
          <Card title={t('lab.projects.create')}>
            <div className="row" style={{ gap: 8 }}>
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('common.name')} data-testid="project-name" />
              <button className="btn primary" disabled={!name} onClick={() => create.mutate(name, { onSuccess: () => setName('') })}>{t('lab.projects.create')}</button>
            </div>
          </Card>
        </CanWrite>
      </div>
    </>
  );
}
