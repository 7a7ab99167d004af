/** Forms of the feature store and Sources pages: a feature group with its features, a sensor
 * source (MQTT or HTTP push) with its payload mapping, and a live stream. Each checks what it
 * can before sending; the server's INVALID_INPUT (naming the field) is shown as it comes. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useDeployments } from '../../api/queries';
import type { BodyOf } from '../../api/types';
import { ErrorMessage, Field, Modal } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { blankFeature, brokerOk, DTYPES, FEATURE_NAME as NAME, featureProblem, type Dtype, type FeatureRow } from '../../lib/featureForms';
import { useGroups, type Device } from './queries';

type GroupBody = BodyOf<'/api/v2/feature-store/groups'>;
type SourceBody = BodyOf<'/api/inference/devices'>;

export function CreateGroup({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState({ name: '', description: '', sourceType: 'stream' as GroupBody['sourceType'], entity: 'meter' as GroupBody['entity'], lookback: '96' });
  const [features, setFeatures] = useState<FeatureRow[]>([blankFeature()]);
  const names = features.map((f) => f.name);
  const problems = features.map((f) => featureProblem(f, names));
  const lookback = Number(form.lookback);
  const nameBad = form.name !== '' && !NAME.test(form.name);
  const lookbackBad = !Number.isInteger(lookback) || lookback < 1 || lookback > 10000;
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v2/feature-store/groups', {
      body: {
        ...form,
        lookback,
        features: features.map((f) => ({
          name: f.name, dtype: f.dtype, unit: f.unit || null,
          minValue: f.minValue ? Number(f.minValue) : null, maxValue: f.maxValue ? Number(f.maxValue) : null,
        })),
      },
    })),
    onSuccess: (group) => { void client.invalidateQueries({ queryKey: ['fs', 'groups'] }); onCreated(group.id); onClose(); },
  });
  const set = (i: number, change: Partial<FeatureRow>) => setFeatures(features.map((f, j) => (j === i ? { ...f, ...change } : f)));
  const ready = NAME.test(form.name) && !lookbackBad && problems.every((p) => p === null) && !create.isPending;
  return (
    <Modal wide title={t('featureStore.form.newGroup')} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!ready} onClick={() => create.mutate()} data-testid="group-submit">{t('featureStore.form.create')}</button>
      </>
    }>
      <div className="stack" data-testid="group-form">
        <div className="grid-2">
          <Field label={t('featureStore.name')} error={nameBad ? t('featureStore.form.badName') : undefined}>
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="group-name" />
          </Field>
          <Field label={t('featureStore.form.description')} hint={t('common.optional')}>
            <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
          <Field label={t('featureStore.source')}>
            <select value={form.sourceType} onChange={(e) => setForm({ ...form, sourceType: e.target.value as GroupBody['sourceType'] })} data-testid="group-source">
              <option value="stream">stream</option><option value="batch">batch</option>
            </select>
          </Field>
          <Field label={t('featureStore.entity')}>
            <select value={form.entity} onChange={(e) => setForm({ ...form, entity: e.target.value as GroupBody['entity'] })}>
              <option value="meter">meter</option><option value="asset">asset</option>
            </select>
          </Field>
          <Field label={t('featureStore.form.lookback')} hint={t('featureStore.form.lookbackHint')} error={lookbackBad ? t('featureStore.form.lookbackBad') : undefined}>
            <input inputMode="numeric" value={form.lookback} onChange={(e) => setForm({ ...form, lookback: e.target.value })} />
          </Field>
        </div>
        <table className="table" data-testid="group-features">
          <thead><tr><th>{t('featureStore.feature')}</th><th>dtype</th><th>{t('featureStore.unit')}</th><th>min</th><th>max</th><th /></tr></thead>
          <tbody>{features.map((f, i) => (
            <tr key={i}>
              <td><input aria-label={t('featureStore.feature')} value={f.name} onChange={(e) => set(i, { name: e.target.value })} style={{ width: 130 }} data-testid={`feature-name-${i}`} />
                {f.name && problems[i] ? <div className="small" style={{ color: 'var(--danger)' }} data-testid={`feature-problem-${i}`}>{t(problems[i]!)}</div> : null}</td>
              <td><select aria-label="dtype" value={f.dtype} onChange={(e) => set(i, { dtype: e.target.value as Dtype })}>{DTYPES.map((d) => <option key={d}>{d}</option>)}</select></td>
              <td><input aria-label={t('featureStore.unit')} placeholder="kW" value={f.unit} onChange={(e) => set(i, { unit: e.target.value })} style={{ width: 90 }} data-testid={`feature-unit-${i}`} /></td>
              <td><input aria-label="min" inputMode="decimal" value={f.minValue} onChange={(e) => set(i, { minValue: e.target.value })} style={{ width: 60 }} /></td>
              <td><input aria-label="max" inputMode="decimal" value={f.maxValue} onChange={(e) => set(i, { maxValue: e.target.value })} style={{ width: 60 }} /></td>
              <td><button className="btn sm" disabled={features.length === 1} onClick={() => setFeatures(features.filter((_, j) => j !== i))}>{t('featureStore.form.remove')}</button></td>
            </tr>
          ))}</tbody>
        </table>
        <div><button className="btn sm" onClick={() => setFeatures([...features, blankFeature()])} data-testid="feature-add">{t('featureStore.form.addFeature')}</button></div>
        {create.error ? <ErrorMessage error={create.error} /> : null}
      </div>
    </Modal>
  );
}

interface FieldRow { field: string; feature: string; unit: string }

export function CreateSource({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const groups = useGroups();
  const streamGroups = (groups.data?.items ?? []).filter((g) => g.sourceType === 'stream');
  const [form, setForm] = useState({ name: '', kind: 'mqtt' as SourceBody['kind'], broker: '127.0.0.1:1883', topic: '', group: '', entityFrom: 'segment', entity: '1', timeField: 'timestamp' });
  const [fields, setFields] = useState<FieldRow[]>([{ field: '', feature: '', unit: '' }]);
  const group = streamGroups.find((g) => g.name === form.group);
  const segment = Number(form.entity);
  const entityBad = form.entityFrom === 'segment' ? !Number.isInteger(segment) || segment < 0 : !form.entity.trim();
  const brokerBad = form.kind === 'mqtt' && !brokerOk(form.broker);
  const fieldsBad = fields.some((f) => !f.field.trim() || !f.feature);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/inference/devices', {
      body: {
        name: form.name.trim(), kind: form.kind, broker: form.broker, topic: form.topic.trim(), group: form.group,
        mapping: {
          ...(form.entityFrom === 'segment' ? { entitySegment: segment } : { entityField: form.entity.trim() }),
          timeField: form.timeField.trim() || null,
          fields: Object.fromEntries(fields.map((f) => [f.field.trim(), { feature: f.feature, unit: f.unit.trim() || null }])),
        },
      } as SourceBody,
    })),
    onSuccess: () => { void client.invalidateQueries({ queryKey: ['devices'] }); onClose(); },
  });
  const ready = form.name.trim() && form.topic.trim() && group && !entityBad && !brokerBad && !fieldsBad && !create.isPending;
  const setField = (i: number, change: Partial<FieldRow>) => setFields(fields.map((f, j) => (j === i ? { ...f, ...change } : f)));
  return (
    <Modal wide title={t('featureStore.form.newSource')} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!ready} onClick={() => create.mutate()} data-testid="source-submit">{t('featureStore.form.create')}</button>
      </>
    }>
      <div className="stack" data-testid="source-form">
        <div className="grid-2">
          <Field label={t('featureStore.name')}><input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="source-name" /></Field>
          <Field label={t('featureStore.form.kind')}>
            <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as SourceBody['kind'] })} data-testid="source-kind">
              <option value="mqtt">MQTT</option><option value="http">{t('featureStore.form.httpPush')}</option>
            </select>
          </Field>
          <Field label={t('featureStore.form.group')} error={streamGroups.length === 0 ? t('featureStore.form.noStreamGroup') : undefined}>
            <select value={form.group} onChange={(e) => setForm({ ...form, group: e.target.value })} data-testid="source-group">
              <option value="">—</option>{streamGroups.map((g) => <option key={g.id} value={g.name}>{g.name}</option>)}
            </select>
          </Field>
          {form.kind === 'mqtt' && (
            <Field label={t('featureStore.form.broker')} error={brokerBad ? t('featureStore.form.brokerBad') : undefined}>
              <input value={form.broker} onChange={(e) => setForm({ ...form, broker: e.target.value })} />
            </Field>
          )}
          <Field label={t('featureStore.form.topic')} hint={t('featureStore.form.topicHint')}>
            <input value={form.topic} placeholder="plant/+/meter" onChange={(e) => setForm({ ...form, topic: e.target.value })} data-testid="source-topic" />
          </Field>
          <Field label={t('featureStore.form.entityFrom')} error={entityBad ? t('featureStore.form.entityBad') : undefined}>
            <div className="row" style={{ gap: 6 }}>
              <select value={form.entityFrom} onChange={(e) => setForm({ ...form, entityFrom: e.target.value })} data-testid="source-entity-from">
                <option value="segment">{t('featureStore.form.segment')}</option><option value="field">{t('featureStore.form.payloadField')}</option>
              </select>
              <input value={form.entity} onChange={(e) => setForm({ ...form, entity: e.target.value })} style={{ width: 110 }} data-testid="source-entity" />
            </div>
          </Field>
          <Field label={t('featureStore.form.timeField')} hint={t('featureStore.form.timeFieldHint')}>
            <input value={form.timeField} onChange={(e) => setForm({ ...form, timeField: e.target.value })} />
          </Field>
        </div>
        <table className="table" data-testid="source-fields">
          <thead><tr><th>{t('featureStore.form.payloadField')}</th><th>{t('featureStore.feature')}</th><th>{t('featureStore.form.payloadUnit')}</th><th /></tr></thead>
          <tbody>{fields.map((f, i) => (
            <tr key={i}>
              <td><input aria-label={t('featureStore.form.payloadField')} value={f.field} onChange={(e) => setField(i, { field: e.target.value })} data-testid={`map-field-${i}`} /></td>
              <td><select aria-label={t('featureStore.feature')} value={f.feature} onChange={(e) => setField(i, { feature: e.target.value })} data-testid={`map-feature-${i}`}>
                <option value="">—</option>{(group?.features ?? []).map((x) => <option key={x.name} value={x.name}>{x.name}{x.unit ? ` [${x.unit}]` : ''}</option>)}
              </select></td>
              <td><input aria-label={t('featureStore.form.payloadUnit')} value={f.unit} placeholder={group?.features.find((x) => x.name === f.feature)?.unit ?? ''} onChange={(e) => setField(i, { unit: e.target.value })} /></td>
              <td><button className="btn sm" disabled={fields.length === 1} onClick={() => setFields(fields.filter((_, j) => j !== i))}>{t('featureStore.form.remove')}</button></td>
            </tr>
          ))}</tbody>
        </table>
        <div><button className="btn sm" onClick={() => setFields([...fields, { field: '', feature: '', unit: '' }])}>{t('featureStore.form.addField')}</button></div>
        {create.error ? <ErrorMessage error={create.error} /> : null}
      </div>
    </Modal>
  );
}

export function StartStream({ devices, onClose }: { devices: Device[]; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const deployments = useDeployments();
  const active = (deployments.data ?? []).filter((d) => d.status === 'active');
  const [form, setForm] = useState({ deploymentId: '', deviceId: '', entity: '' });
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/inference/stream/start', { body: { ...form, entity: form.entity.trim() } })),
    onSuccess: () => { void client.invalidateQueries({ queryKey: ['streams'] }); onClose(); },
  });
  const ready = form.deploymentId && form.deviceId && form.entity.trim() && !start.isPending;
  return (
    <Modal title={t('featureStore.form.newStream')} onClose={onClose} footer={
      <>
        <button className="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button className="btn primary" disabled={!ready} onClick={() => start.mutate()} data-testid="stream-submit">{t('featureStore.form.start')}</button>
      </>
    }>
      <div className="stack" data-testid="stream-form">
        <Field label={t('featureStore.deployment')}>
          <select value={form.deploymentId} onChange={(e) => setForm({ ...form, deploymentId: e.target.value })} data-testid="stream-deployment">
            <option value="">—</option>{active.map((d) => <option key={d.id} value={d.id}>{d.name ? `${d.name} · ` : ''}{d.id} ({d.modelId} v{d.version})</option>)}
          </select>
        </Field>
        <Field label={t('featureStore.form.device')}>
          <select value={form.deviceId} onChange={(e) => setForm({ ...form, deviceId: e.target.value })} data-testid="stream-device">
            <option value="">—</option>{devices.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </Field>
        <Field label={t('featureStore.entity')} hint={t('featureStore.form.streamEntityHint')}>
          <input value={form.entity} onChange={(e) => setForm({ ...form, entity: e.target.value })} data-testid="stream-entity" />
        </Field>
        {start.error ? <ErrorMessage error={start.error} /> : null}
      </div>
    </Modal>
  );
}
