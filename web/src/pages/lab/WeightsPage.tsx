/** The weights library: upload .onnx/.pt, tags, download, delete. */
import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { getSession } from '../../api/session';
import { CanWrite } from '../../auth/AuthContext';
import { Alert, Card, EmptyState, ErrorMessage, Field, PageHeader, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';
import { usePlans } from '../../api/queries';
import { useDeleteWeight, useRegisterWeight, useWeights, type Weight } from './labApi';

async function authorised(path: string, init: RequestInit = {}): Promise<Response> {
  const token = getSession()?.token;
  return fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
}

export default function WeightsPage() {
  const { t, lang } = useI18n();
  const weights = useWeights();
  const remove = useDeleteWeight();
  const qc = useQueryClient();
  const file = useRef<HTMLInputElement>(null);
  const [tags, setTags] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const upload = async () => {
    const f = file.current?.files?.[0];
    if (!f) return;
    const form = new FormData();
    form.append('file', f); form.append('tags', tags);
    const resp = await authorised('/api/models/weights', { method: 'POST', body: form });
    const body = await resp.json() as { message?: string; name?: string };
    setMessage(resp.ok ? { kind: 'ok', text: body.name ?? '' } : { kind: 'error', text: body.message ?? resp.statusText });
    await qc.invalidateQueries({ queryKey: ['lab', 'weights'] });
  };
  const download = async (id: string, name: string) => {
    const resp = await authorised(`/api/models/weights/${id}/download`);
    const url = URL.createObjectURL(await resp.blob());
    const a = document.createElement('a');
    a.href = url; a.download = name; a.click(); URL.revokeObjectURL(url);
  };
  return (
    <>
      <PageHeader title={t('lab.weights.title')} subtitle={t('lab.weights.subtitle')} />
      <div className="grid side">
        <Card flush title={t('lab.weights.library')}>
          <QueryView query={weights} skeleton={<SkeletonTable />}>
            {(list) => list.length === 0 ? <EmptyState icon="registry" title={t('lab.weights.empty')} /> : (
              <Table testId="weights-table" head={<tr><th>{t('common.name')}</th><th>{t('lab.weights.format')}</th><th>{t('lab.weights.size')}</th><th>{t('lab.weights.tags')}</th><th>{t('common.created')}</th><th /></tr>}>{list.map((w) => (
                <tr key={w.id}>
                  <td>{w.name}{w.sourceRun ? <div className="small muted">{w.sourceRun}</div> : null}</td>
                  <td>{w.format}</td><td className="num">{(w.bytes / 1024).toFixed(1)} KiB</td>
                  <td>{w.tags.join(', ')}</td><td className="small muted nowrap">{fmtDate(w.createdAt, lang)}</td>
                  <td className="nowrap">
                    <button className="btn small" onClick={() => void download(w.id, `${w.name}.${w.format}`)}>{t('lab.weights.download')}</button>
                    <CanWrite><button className="btn small danger" onClick={() => remove.mutate(w.id)}>{t('common.delete')}</button></CanWrite>
                  </td>
                </tr>
              ))}
              </Table>
            )}
          </QueryView>
        </Card>
        <CanWrite>
          <Card title={t('lab.weights.upload')} subtitle={t('lab.weights.uploadHint')}>
            <div className="stack">
              <input type="file" accept=".onnx,.pt,.pth" ref={file} data-testid="weight-file" />
              <Field label={t('lab.weights.tags')}><input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="best, deploy" /></Field>
              {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
              <button className="btn primary" onClick={() => void upload()} data-testid="weight-upload">{t('lab.weights.upload')}</button>
            </div>
          </Card>
        </CanWrite>
        <CanWrite>{weights.data?.some((w) => w.format === 'onnx') ? <RegisterForm weights={weights.data.filter((w) => w.format === 'onnx')} /> : null}</CanWrite>
      </div>
    </>
  );
}

/** An .onnx weight as a model version: the server checks its graph against the plan's
 * serving contract and names any tensor that does not fit. */
function RegisterForm({ weights }: { weights: Weight[] }) {
  const { t } = useI18n();
  const plans = usePlans();
  const register = useRegisterWeight();
  const [weightId, setWeightId] = useState('');
  const [planId, setPlanId] = useState('');
  const [modelName, setModelName] = useState('');
  const id = weightId || weights[0]?.id || '';
  const plan = planId || plans.data?.items[0]?.id || '';
  return (
    <Card title={t('lab.weights.register')}>
      <div className="stack">
        <Field label={t('lab.weights.library')}>
          <select value={id} onChange={(e) => setWeightId(e.target.value)} data-testid="register-weight">
            {weights.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </Field>
        <Field label={t('features.plan')}>
          <select value={plan} onChange={(e) => setPlanId(e.target.value)} data-testid="register-plan">
            {plans.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
          </select>
        </Field>
        <Field label={t('lab.weights.modelName')}><input value={modelName} onChange={(e) => setModelName(e.target.value)} data-testid="register-model" /></Field>
        {register.error ? <ErrorMessage error={register.error} /> : null}
        {register.data ? <Alert kind="ok">{t('lab.weights.registered', { name: register.data.name, version: register.data.version })}</Alert> : null}
        <button className="btn primary" disabled={!id || !plan || !modelName || register.isPending} data-testid="register-submit"
          onClick={() => register.mutate({ id, modelName, featurePlanId: plan })}>{t('lab.weights.register')}</button>
      </div>
    </Card>
  );
}
