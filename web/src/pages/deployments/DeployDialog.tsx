/** Deploy one registered version: publish to Triton, then show the token once on the deployment page. */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCreateDeployment } from '../../api/queries';
import type { ModelVersion } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ErrorMessage, Field, Modal } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';

export function DeployDialog({ modelId, version, onClose }: { modelId: string; version: ModelVersion; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { canWrite } = useAuth();
  const create = useCreateDeployment();
  const [assetId, setAssetId] = useState('');
  if (!canWrite) return null;
  return (
    <Modal title={t('registry.deployVersion', { v: version.version })} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={create.isPending} data-testid="deploy-confirm"
          onClick={() => create.mutate({ modelId, version: version.version, ...(assetId.trim() ? { assetId: assetId.trim() } : {}) }, {
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
