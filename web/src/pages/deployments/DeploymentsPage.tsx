import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useDeployments, useModels, useVersions } from '../../api/queries';
import { CanWrite } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { Badge, Card, EmptyState, Field, Modal, PageHeader, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, shortId } from '../../lib/format';
import { DeployDialog, type DeployTarget } from './DeployDialog';

export function DeploymentStatus({ status }: { status: string }) {
  const tone = /ready|active|serving|live|up/i.test(status) ? 'ok' : /fail|error/i.test(status) ? 'danger' : 'warn';
  return <Badge tone={tone}>{status}</Badge>;
}

export default function DeploymentsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const deployments = useDeployments();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader title={t('deployments.title')} subtitle={t('deployments.subtitle')} actions={
        <CanWrite><button className="btn primary" onClick={() => setCreating(true)} data-testid="new-deployment"><Icon name="plus" /> {t('deployments.new')}</button></CanWrite>
      } />
      <Card flush>
        <QueryView query={deployments} skeleton={<SkeletonTable />}>
          {(list) => list.length === 0 ? <EmptyState icon="deployments" title={t('deployments.empty')} text={t('deployments.emptyHint')} /> : (
            <Table testId="deployments-table" head={<tr><th>{t('common.name')}</th><th>{t('deployments.model')}</th><th>{t('registry.version')}</th><th>{t('common.status')}</th><th>{t('deployments.apiUrl')}</th><th>{t('common.created')}</th></tr>}>
              {list.map((d) => (
                <tr key={d.id} className="clickable" onClick={() => navigate(`/deployments/${d.id}`)}>
                  <td><strong>{d.name || shortId(d.id)}</strong>{d.assetId ? <div className="small muted">{d.assetId}</div> : null}</td>
                  <td>{d.modelId}</td>
                  <td className="nowrap">v{d.version}{d.followAlias ? <span className="tag" style={{ marginLeft: 6 }}>@{d.followAlias}</span> : null}</td>
                  <td><DeploymentStatus status={d.status} /></td>
                  <td className="small mono">{d.apiUrl}</td>
                  <td className="small muted nowrap">{fmtDate(d.createdAt, lang)}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>
      {creating && <NewDeployment onClose={() => setCreating(false)} />}
    </>
  );
}

function NewDeployment({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const models = useModels();
  const [modelId, setModelId] = useState('');
  const versions = useVersions(modelId || undefined);
  const [choice, setChoice] = useState('');
  const [chosen, setChosen] = useState(false);
  const list = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  const aliases = Object.entries(models.data?.items.find((m) => m.name === modelId)?.aliases ?? {});
  const value = choice || (list[0] ? `v:${list[0].version}` : '');
  const target: DeployTarget | null = value.startsWith('v:') ? { version: Number(value.slice(2)) } : value.startsWith('a:') ? { alias: value.slice(2) } : null;
  if (modelId && target && chosen) return <DeployDialog modelId={modelId} target={target} onClose={onClose} />;
  return (
    <Modal title={t('deployments.new')} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!target} onClick={() => setChosen(true)} data-testid="new-deployment-next">{t('common.next')}</button>
      </>
    }>
      <div className="stack">
        <Field label={t('deployments.model')}>
          <select value={modelId} onChange={(e) => { setModelId(e.target.value); setChoice(''); }} data-testid="new-deployment-model">
            <option value="" disabled>{t('deployments.pickModel')}</option>
            {models.data?.items.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
          </select>
        </Field>
        {list.length > 0 && (
          <Field label={t('registry.version')}>
            <select value={value} onChange={(e) => setChoice(e.target.value)} data-testid="new-deployment-version">
              <optgroup label={t('registry.versions')}>
                {list.map((x) => <option key={x.version} value={`v:${x.version}`}>v{x.version} · {x.stage}</option>)}
              </optgroup>
              {aliases.length > 0 && (
                <optgroup label={t('registry.aliases')}>
                  {aliases.map(([a, v]) => <option key={a} value={`a:${a}`}>@{a} → v{v}</option>)}
                </optgroup>
              )}
            </select>
          </Field>
        )}
        {models.data?.items.length === 0 && <p className="muted">{t('registry.empty')}</p>}
      </div>
    </Modal>
  );
}
