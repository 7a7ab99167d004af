/** Projects: what they group (experiments, datasets, plans, models, deployments) and who,
 * with each member's role (owner, editor, viewer); only owners change members. */
import { useState } from 'react';
import { CanWrite } from '../../auth/AuthContext';
import { Card, EmptyState, ErrorMessage, PageHeader, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useCreateProject, useProjectMembers, useProjects, type Project } from './labApi';

type Role = 'owner' | 'editor' | 'viewer';
const ROLES: Role[] = ['owner', 'editor', 'viewer'];
const ROLE_KEYS = { owner: 'lab.projects.roles.owner', editor: 'lab.projects.roles.editor', viewer: 'lab.projects.roles.viewer' } as const;
const roleKey = (r: string) => ROLE_KEYS[(ROLES as string[]).includes(r) ? (r as Role) : 'viewer'];

export default function ProjectsPage() {
  const { t } = useI18n();
  const projects = useProjects();
  const create = useCreateProject();
  const [name, setName] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [openId, setOpenId] = useState('');
  const open = projects.data?.find((p) => p.id === openId);
  return (
    <>
      <PageHeader title={t('lab.projects.title')} subtitle={t('lab.projects.subtitle')} />
      <div className="grid side">
        <Card flush title={t('lab.projects.title')}>
          <QueryView query={projects} skeleton={<SkeletonTable />}>
            {(list) => list.length === 0 ? <EmptyState icon="inbox" title={t('lab.projects.empty')} /> : (
              <Table testId="projects-table" head={<tr><th>{t('common.name')}</th><th>{t('lab.projects.experiments')}</th><th>{t('lab.projects.links')}</th><th>{t('lab.projects.myRole')}</th><th /></tr>}>{list.map((p) => (
              <tr key={p.id}><td>{p.name}{p.private ? <span className="badge" style={{ marginLeft: 6 }}>{t('lab.projects.private')}</span> : null}</td>
                <td className="num">{p.experiments}</td>
                <td className="small">{p.links.map((l) => `${l.kind}:${l.refId}`).join(', ')}</td>
                <td>{p.myRole ? t(roleKey(p.myRole)) : '–'}</td>
                <td><button className="btn small" onClick={() => setOpenId(p.id)} data-testid={`members-${p.id}`}>{t('lab.projects.members')}</button></td></tr>
            ))}
              </Table>
            )}
          </QueryView>
        </Card>
        <CanWrite>
          <Card title={t('lab.projects.create')}>
            <div className="stack">
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('common.name')} data-testid="project-name" />
              <label className="row" style={{ gap: 6 }} title={t('lab.projects.privateHint')}>
                <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} data-testid="project-private" />{t('lab.projects.private')}
              </label>
              <button className="btn primary" disabled={!name} onClick={() => create.mutate({ name, isPrivate }, { onSuccess: () => setName('') })}>{t('lab.projects.create')}</button>
            </div>
          </Card>
        </CanWrite>
      </div>
      {open ? <Members project={open} /> : null}
    </>
  );
}

function Members({ project }: { project: Project }) {
  const { t } = useI18n();
  const { set, remove } = useProjectMembers();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const owner = project.myRole === 'owner';
  const hint = owner ? undefined : t('lab.projects.ownersOnly');
  return (
    <Card title={`${t('lab.projects.members')}: ${project.name}`} testId="members-card">
      <div className="stack">
        {!owner ? <p className="small muted" data-testid="members-readonly">{t('lab.projects.ownersOnly')}</p> : null}
        <table className="table" data-testid="members-table">
          <thead><tr><th>{t('lab.projects.username')}</th><th>{t('lab.projects.role')}</th><th /></tr></thead>
          <tbody>{project.members.map((m) => (
            <tr key={m.username}><td>{m.username}</td>
              <td><select value={m.role} disabled={!owner} title={hint} aria-label={`${t('lab.projects.role')} ${m.username}`}
                onChange={(e) => set.mutate({ id: project.id, username: m.username, role: e.target.value as Role })}>
                {ROLES.map((r) => <option key={r} value={r}>{t(ROLE_KEYS[r])}</option>)}
              </select></td>
              <td><button className="btn small danger" disabled={!owner} title={hint} onClick={() => remove.mutate({ id: project.id, username: m.username })}>{t('lab.projects.remove')}</button></td></tr>
          ))}</tbody>
        </table>
        <div className="row wrap" style={{ gap: 8 }}>
          <input value={username} onChange={(e) => setUsername(e.target.value)} placeholder={t('lab.projects.username')} disabled={!owner} data-testid="member-name" />
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={!owner} aria-label={t('lab.projects.role')} data-testid="member-role">
            {ROLES.map((r) => <option key={r} value={r}>{t(ROLE_KEYS[r])}</option>)}
          </select>
          <button className="btn" disabled={!owner || !username} title={hint} data-testid="member-add"
            onClick={() => set.mutate({ id: project.id, username, role }, { onSuccess: () => setUsername('') })}>{t('lab.projects.addMember')}</button>
        </div>
        {set.error ? <ErrorMessage error={set.error} /> : null}
        {remove.error ? <ErrorMessage error={remove.error} /> : null}
      </div>
    </Card>
  );
}
