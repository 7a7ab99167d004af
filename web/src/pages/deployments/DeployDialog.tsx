/** Deploy one registered version (or follow an alias): publish to Triton, then show the token once on the deployment page. */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCreateDeployment } from '../../api/queries';
import { useAuth } from '../../auth/AuthContext';
import { ErrorMessage, Field, Modal } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';

/** What to deploy: a fixed version, or an alias the deployment follows when it moves. */
export type DeployTarget = { version: number } | { alias: string };

export function DeployDialog({ modelId, target, onClose }: { modelId: string; target: DeployTarget; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { canWrite } = useAuth();
  const create = useCreateDeployment();
  const [assetId, setAssetId] = useState('');
  if (!canWrite) return null;
  const title = 'version' in target ? t('registry.deployVersion', { v: target.version }) : `${t('registry.deploy')} @${target.alias}`;
  return (
    <Modal title={title} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={create.isPending} data-testid="deploy-confirm"
          onClick={() => create.mutate({ modelId, ...target, ...(assetId.trim() ? { assetId: assetId.trim() } : {}) }, {
            onSuccess: (dep) => navigate(`/deployments/${dep.id}`, { state: { created: dep } }),
          })}>
          {create.isPending && <span className="spinner" />} {t('registry.deploy')}
        </button>
      </>
    }>
      <div className="stack">
        <p>{t('registry.deployText')}</p>
        <Field label={t('deployments.assetId')} hint={t('common.optional')}><input value={assetId} onChange={(e) => setAssetId(e.target.value)} /></Field>
        {create.error ? <ErrorMessage error={create.error} /> : null}
      </div>
    </Modal>
  );
}
