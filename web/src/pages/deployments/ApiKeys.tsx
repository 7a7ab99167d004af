/** A deployment's named API keys: create (secret shown once), list with last use, revoke. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { CanWrite } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { Badge, Card, ConfirmDialog, CopyButton, EmptyState, ErrorMessage, Field, QueryView, SkeletonTable, Table, type Tone } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';

type Key = components['schemas']['KeyOut'];
type Scope = 'predict' | 'detect' | 'train';
const SCOPES: Scope[] = ['predict', 'detect', 'train'];
const TONE: Record<string, Tone> = { active: 'ok', expired: 'warn', revoked: 'neutral' };

function useKeys(id: string) {
  return useQuery({
    queryKey: ['deployment', id, 'keys'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/keys', { params: { path: { deployment_id: id } } })),
  });
}

export function ApiKeys({ deploymentId }: { deploymentId: string }) {
  const { t, lang } = useI18n();
  const keys = useKeys(deploymentId);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (key: Key) => unwrap(api.DELETE('/api/deployments/{deployment_id}/keys/{key_id}', { params: { path: { deployment_id: deploymentId, key_id: key.id } } })),
    onSuccess: () => { setRevoking(null); void client.invalidateQueries({ queryKey: ['deployment', deploymentId] }); },
  });
  return (
    <Card title={t('apiKeys.title')} subtitle={t('apiKeys.subtitle')} testId="api-keys">
      <div className="stack">
        <CanWrite><CreateKey deploymentId={deploymentId} /></CanWrite>
        <QueryView query={keys} skeleton={<SkeletonTable />}>
          {(list) => list.length === 0 ? <EmptyState title={t('apiKeys.none')} /> : (
            <Table testId="keys-table" head={<tr><th>{t('apiKeys.name')}</th><th>{t('apiKeys.scopes')}</th><th>{t('apiKeys.hint')}</th><th>{t('common.created')}</th><th>{t('apiKeys.expires')}</th><th>{t('apiKeys.lastUsed')}</th><th>{t('apiKeys.status')}</th><th /></tr>}>
              {list.map((k) => (
                <tr key={k.id} data-testid={`key-row-${k.name}`}>
                  <td><strong>{k.name}</strong></td>
                  <td>{k.scopes.map((s) => <span key={s} className="tag" style={{ marginRight: 4 }}>{t(`apiKeys.scope.${s as Scope}`)}</span>)}</td>
                  <td><code>…{k.hint}</code></td>
                  <td className="small nowrap">{fmtDate(k.createdAt, lang)} · {k.createdBy}</td>
                  <td className="small nowrap">{k.expiresAt ? fmtDate(k.expiresAt, lang) : t('apiKeys.never')}</td>
                  <td className="small nowrap" data-testid="key-last-used">{k.lastUsedAt ? fmtDate(k.lastUsedAt, lang) : t('apiKeys.notUsed')}</td>
                  <td><Badge tone={TONE[k.status] ?? 'neutral'}>{t(`apiKeys.${k.status}`)}</Badge></td>
                  <td>{k.status !== 'revoked' && <CanWrite><button className="btn sm danger" onClick={() => setRevoking(k)} data-testid="key-revoke">{t('apiKeys.revoke')}</button></CanWrite>}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </div>
      {revoking && (
        <ConfirmDialog title={t('apiKeys.revoke')} text={t('apiKeys.confirmRevoke', { name: revoking.name })} confirmLabel={t('apiKeys.revoke')} danger
          busy={revoke.isPending} error={revoke.error} onCancel={() => setRevoking(null)} onConfirm={() => revoke.mutate(revoking)} />
      )}
    </Card>
  );
}

function CreateKey({ deploymentId }: { deploymentId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['predict']);
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/deployments/{deployment_id}/keys', {
      params: { path: { deployment_id: deploymentId } },
      body: { name: name.trim(), scopes, expiresAt: expires ? new Date(expires).toISOString() : null },
    })),
    onSuccess: (out) => { setSecret(out.secret); setName(''); void client.invalidateQueries({ queryKey: ['deployment', deploymentId, 'keys'] }); },
  });
  return (
    <div className="stack" style={{ gap: 8 }}>
      {secret && (
        <div className="alert warn" data-testid="key-secret-once">
          <Icon name="alert" />
          <div style={{ flex: 1 }} className="stack">
            <div><strong>{t('apiKeys.secretOnce')}</strong>{t('apiKeys.secretOnceHint')}</div>
            <div className="secret"><code data-testid="key-secret">{secret}</code><CopyButton text={secret} /></div>
            <div><button className="btn sm" onClick={() => setSecret(null)}>{t('apiKeys.saved')}</button></div>
          </div>
        </div>
      )}
      <form className="row" style={{ alignItems: 'flex-end', flexWrap: 'wrap' }} onSubmit={(e) => { e.preventDefault(); create.mutate(); }} data-testid="key-create">
        <Field label={t('apiKeys.name')}><input value={name} onChange={(e) => setName(e.target.value)} style={{ width: 180 }} data-testid="key-name" /></Field>
        <Field label={t('apiKeys.scopes')}>
          <div className="row" style={{ gap: 10 }}>
            {SCOPES.map((s) => (
              <label key={s} className="check small">
                <input type="checkbox" checked={scopes.includes(s)} data-testid={`key-scope-${s}`}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {t(`apiKeys.scope.${s}`)}
              </label>
            ))}
          </div>
        </Field>
        <Field label={t('apiKeys.expires')} hint={t('common.optional')}><input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="key-expires" /></Field>
        <button className="btn primary" disabled={!name.trim() || scopes.length === 0 || create.isPending} data-testid="key-create-submit">{t('apiKeys.create')}</button>
      </form>
      {create.error ? <ErrorMessage error={create.error} /> : null}
    </div>
  );
}
