import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAutoPlan, useDataset, useDatasetOptions, usePlan, usePlanPreview, usePlans, useSavePlan } from '../../api/queries';
import type { AutoPlan, Dataset, FeatureOp, FeaturePlan } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import {
  Badge, Card, EmptyState, ErrorMessage, Field, PageHeader, QueryView, SkeletonLines, SkeletonPage,
  SkeletonTable, Stat, Table,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtCell, fmtDuration } from '../../lib/format';
import { addOp, defaultOp, defaultPlan, describeOp, FREQUENCIES, OP_KINDS, sameOp, type OpKind } from '../../lib/planOps';
import { NumberListField } from '../../components/NumberListField';
import { useUnsavedGuard } from '../../lib/useUnsavedGuard';
import { QUANTILES } from '../../lib/validators';
import { OpEditor } from './OpEditor';

export default function FeaturesPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const datasetId = params.get('datasetId') ?? undefined;
  const planId = params.get('planId') ?? undefined;
  const options = useDatasetOptions();
  const dataset = useDataset(datasetId);
  const plans = usePlans(datasetId);

  useEffect(() => {
    // Open the dataset's latest plan when none is named.
    const latest = plans.data?.items[0];
    if (datasetId && !planId && latest && !params.has('new')) setParams({ datasetId, planId: latest.id }, { replace: true });
  }, [datasetId, planId, plans.data, params, setParams]);

  const header = (
    <>
      <select value={datasetId ?? ''} onChange={(e) => setParams({ datasetId: e.target.value })} aria-label={t('explore.dataset')} data-testid="features-dataset">
        <option value="" disabled>{t('explore.pickDataset')}</option>
        {options.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
      </select>
      {datasetId && (
        <select value={planId ?? 'new'} onChange={(e) => setParams(e.target.value === 'new' ? { datasetId, new: '1' } : { datasetId, planId: e.target.value })} aria-label={t('features.plan')} data-testid="features-plan">
          <option value="new">{t('explore.newPlan')}</option>
          {plans.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
        </select>
      )}
    </>
  );

  return (
    <>
      <PageHeader title={t('features.title')} subtitle={t('features.subtitle')} actions={header} />
      {!datasetId ? (
        options.isPending ? <SkeletonTable /> : options.error ? <ErrorMessage error={options.error} /> : (
          <Card><EmptyState icon="features" title={t('features.noDataset')} text={t('features.noDatasetHint')} /></Card>
        )
      ) : (
        <QueryView query={dataset} skeleton={<SkeletonPage />}>
          {(d) => <PlanLoader dataset={d} planId={planId} onSaved={(id) => setParams({ datasetId: d.id, planId: id })} />}
        </QueryView>
      )}
    </>
  );
}

function PlanLoader({ dataset, planId, onSaved }: { dataset: Dataset; planId?: string; onSaved: (id: string) => void }) {
  const plan = usePlan(planId);
  if (!planId) return <PlanBuilder key="new" dataset={dataset} onSaved={onSaved} />;
  return (
    <QueryView query={plan} skeleton={<SkeletonPage />}>
      {(rec) => <PlanBuilder key={rec.id} dataset={dataset} planId={rec.id} initial={rec.plan} onSaved={onSaved} />}
    </QueryView>
  );
}

function numericColumns(d: Dataset): string[] {
  return d.columns.filter((c) => c.name !== d.timestampColumn && /int|float|double|decimal|number/i.test(c.dtype)).map((c) => c.name);
}

function PlanBuilder({ dataset, planId, initial, onSaved }: { dataset: Dataset; planId?: string; initial?: FeaturePlan; onSaved: (id: string) => void }) {
  const { t } = useI18n();
  const { canWrite } = useAuth();
  const notify = useToast();
  const columns = numericColumns(dataset);
  const [plan, setPlan] = useState<FeaturePlan>(() => initial ?? defaultPlan({
    datasetId: dataset.id, target: columns.at(-1) ?? '', frequency: dataset.frequency, name: `${dataset.name} plan`,
  }));
  const [dirty, setDirty] = useState(!planId);
  const [candidates, setCandidates] = useState<AutoPlan | null>(null);
  const [newKind, setNewKind] = useState<OpKind>('lag');
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const markField = (key: string) => (error: string | null) =>
    setInvalid((all) => {
      const { [key]: _gone, ...rest } = all;
      return error ? { ...rest, [key]: error } : rest;
    });
  const blocked = Object.keys(invalid).length > 0;
  const save = useSavePlan();
  const [edited, setEdited] = useState(false);
  useUnsavedGuard(dirty && edited, t('checks.leave'));
  const auto = useAutoPlan();
  const inputNames = plan.inputs.map((i) => i.name);
  const ops = plan.ops ?? [];

  const update = (next: FeaturePlan) => { setPlan(next); setDirty(true); setEdited(true); };
  const setOp = (i: number, op: FeatureOp) => update({ ...plan, ops: ops.map((o, j) => (j === i ? op : o)) });
  const removeOp = (i: number) => { markField(`op-${i}`)(null); update({ ...plan, ops: ops.filter((_, j) => j !== i) }); };
  const toggleInput = (name: string, on: boolean) => {
    const inputs = on ? [...plan.inputs, { name, unit: dataset.columns.find((c) => c.name === name)?.unit ?? undefined }] : plan.inputs.filter((i) => i.name !== name);
    update({ ...plan, inputs: inputs.map((i) => (i.unit ? i : { ...i, unit: undefined })) });
  };
  const setKnown = (name: string, known: boolean) =>
    update({ ...plan, inputs: plan.inputs.map((i) => (i.name === name ? { ...i, known } : i)) });
  const setTarget = (target: string) => {
    const inputs = plan.inputs.some((i) => i.name === target) ? plan.inputs : [{ name: target }, ...plan.inputs];
    update({ ...plan, target, inputs });
  };
  const merge = (list: FeatureOp[]) => {
    let next = plan;
    for (const op of list) next = addOp(next, op);
    update(next);
  };
  const mergeAll = () => {
    if (!candidates) return;
    const p = candidates.plan;
    let next: FeaturePlan = { ...plan, lookback: Math.max(plan.lookback, p.lookback), horizon: plan.horizon || p.horizon };
    for (const i of p.inputs) if (!next.inputs.some((x) => x.name === i.name)) next = { ...next, inputs: [...next.inputs, i] };
    for (const op of p.ops ?? []) next = addOp(next, op);
    update(next);
    setCandidates(null);
    notify(t('features.merged', { n: (p.ops ?? []).length }), 'ok');
  };
  const submit = () =>
    save.mutate({ id: planId, plan }, {
      onSuccess: (rec) => { setDirty(false); notify(t('features.saved'), 'ok'); if (rec.id !== planId) onSaved(rec.id); },
    });
  const pending = candidates ? (candidates.plan.ops ?? []).filter((c) => !ops.some((o) => sameOp(o, c))) : [];

  return (
    <div className="grid side">
      <div className="stack">
        <Card title={t('features.settings')} actions={canWrite && (
          <>
            {planId && <Link className="btn sm" to={`/training?datasetId=${dataset.id}&planId=${planId}`} data-testid="to-training"><Icon name="training" size={14} /> {t('features.train')}</Link>}
            <button className="btn primary sm" disabled={!dirty || blocked || save.isPending} onClick={submit} data-testid="save-plan"
              title={blocked ? t('checks.fixFirst') : undefined}>
              {save.isPending && <span className="spinner" />} {planId ? t('common.save') : t('features.create')}
            </button>
          </>
        )}>
          <div className="stack">
            <div className="form-grid">
              <Field label={t('common.name')}><input value={plan.name ?? ''} disabled={!canWrite} onChange={(e) => update({ ...plan, name: e.target.value })} /></Field>
              <Field label={t('features.target')}>
                <select value={plan.target} disabled={!canWrite} onChange={(e) => setTarget(e.target.value)} data-testid="plan-target">
                  {columns.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              </Field>
              <Field label={t('datasets.frequency')}>
                <select value={plan.frequency} disabled={!canWrite} onChange={(e) => update({ ...plan, frequency: e.target.value as FeaturePlan['frequency'] })}>
                  {FREQUENCIES.map((f) => <option key={f} value={f}>{f}</option>)}
                </select>
              </Field>
              <Field label={t('features.lookback')} hint={t('features.steps')}>
                <input type="number" min={2} value={plan.lookback} disabled={!canWrite} onChange={(e) => update({ ...plan, lookback: Number(e.target.value) })} data-testid="plan-lookback" />
              </Field>
              <Field label={t('features.horizon')} hint={t('features.steps')}>
                <input type="number" min={1} value={plan.horizon} disabled={!canWrite} onChange={(e) => update({ ...plan, horizon: Number(e.target.value) })} data-testid="plan-horizon" />
              </Field>
              <NumberListField label={t('features.quantiles')} value={plan.quantiles ?? []} rule={QUANTILES} readOnly={!canWrite}
                testId="plan-quantiles" onChange={(quantiles) => update({ ...plan, quantiles })} onValidity={markField('quantiles')} />
            </div>
            <div className="field">
              <span>{t('features.inputs')}</span>
              <div className="row" style={{ gap: 14 }}>
                {columns.map((c) => (
                  <label key={c} className="check small">
                    <input type="checkbox" disabled={!canWrite || c === plan.target} checked={inputNames.includes(c)} onChange={(e) => toggleInput(c, e.target.checked)} />
                    <code>{c}</code>
                  </label>
                ))}
              </div>
            </div>
            {plan.inputs.some((i) => i.name !== plan.target) && (
              <div className="field">
                <span>{t('features.known')}</span>
                <div className="row" style={{ gap: 14 }}>
                  {plan.inputs.filter((i) => i.name !== plan.target).map((i) => (
                    <label key={i.name} className="check small" title={t('features.knownHint')}>
                      <input type="checkbox" disabled={!canWrite} checked={i.known === true} onChange={(e) => setKnown(i.name, e.target.checked)} data-testid={`known-${i.name}`} />
                      <code>{i.name}</code>
                    </label>
                  ))}
                </div>
              </div>
            )}
            {blocked && <p className="small" style={{ color: 'var(--danger)' }} role="alert" data-testid="plan-invalid">{t('checks.fixFirst')}</p>}
            {save.error ? <ErrorMessage error={save.error} /> : null}
          </div>
        </Card>

        <Card title={t('features.ops')} subtitle={t('features.opsHint')} actions={canWrite && (
          <>
            <select className="sm" value={newKind} onChange={(e) => setNewKind(e.target.value as OpKind)} aria-label={t('features.opKind')}>
              {OP_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
            <button className="btn sm" onClick={() => update({ ...plan, ops: [...ops, defaultOp(newKind, plan.target)] })} data-testid="add-op">
              <Icon name="plus" size={14} /> {t('features.addOp')}
            </button>
          </>
        )}>
          {ops.length === 0 ? <EmptyState icon="features" title={t('features.noOps')} text={t('features.noOpsHint')} /> : (
            <div className="stack" style={{ gap: 10 }} data-testid="plan-ops">
              {ops.map((op, i) => (
                <OpEditor key={`${i}-${op.op}`} op={op} inputs={inputNames} readOnly={!canWrite} onChange={(o) => setOp(i, o)} onRemove={() => removeOp(i)} onValidity={markField(`op-${i}`)} />
              ))}
            </div>
          )}
        </Card>

        <Card title={t('features.auto')} subtitle={t('features.autoHint')} actions={canWrite && (
          <>
            <button className="btn sm" disabled={auto.isPending} onClick={() => auto.mutate({ datasetId: dataset.id, target: plan.target }, { onSuccess: setCandidates })} data-testid="auto-suggest">
              {auto.isPending && <span className="spinner" />} {t('features.suggest')}
            </button>
            {pending.length > 0 && (
              <button className="btn primary sm" onClick={mergeAll} data-testid="merge-all"><Icon name="check" size={14} /> {t('features.mergeAll', { n: pending.length })}</button>
            )}
          </>
        )}>
          {auto.error ? <ErrorMessage error={auto.error} /> : !candidates ? <p className="muted small">{t('features.autoEmpty')}</p> : pending.length === 0 ? (
            <p className="muted small">{t('features.autoAllMerged')}</p>
          ) : (
            <div className="stack" style={{ gap: 8 }}>
              {pending.map((op, i) => {
                const reason = candidates.suggestions.find((r) => r.op === op.op)?.reason;
                return (
                  <div key={i} className="op-card candidate">
                    <div className="op-head">
                      <span className="mono small">{describeOp(op)}</span>
                      <span className="spacer" />
                      <button className="btn sm" onClick={() => merge([op])}><Icon name="plus" size={14} /> {t('features.merge')}</button>
                    </div>
                    {reason && <div className="small muted">{reason}</div>}
                  </div>
                );
              })}
            </div>
          )}
        </Card>
      </div>
      <PreviewPanel planId={planId} dirty={dirty} />
    </div>
  );
}

function PreviewPanel({ planId, dirty }: { planId?: string; dirty: boolean }) {
  const { t } = useI18n();
  const preview = usePlanPreview(planId);
  if (!planId) return <Card title={t('features.preview')}><EmptyState title={t('features.previewSave')} /></Card>;
  return (
    <div className="stack">
      <QueryView query={preview} skeleton={<Card title={t('features.preview')}><SkeletonLines lines={8} /></Card>}>
        {(p) => (
          <>
            <div className="grid cols-2" data-testid="plan-cost">
              <Stat label={t('features.estSeconds')} value={<span data-testid="cost-score">{fmtDuration(p.cost.estimatedTrainingSeconds)}</span>} sub={t('features.costHint')} />
              <Stat label={t('features.featureCount')} value={p.cost.featureCount} />
              <Stat label={t('features.trainRows')} value={p.cost.rows.toLocaleString()} />
              <Stat label={t('features.windows')} value={p.cost.windows.toLocaleString()} />
            </div>
            <Card flush title={t('features.preview')} subtitle={dirty ? t('features.previewStale') : t('features.previewHint', { n: p.rows.length })}
              actions={dirty && <Badge tone="warn">{t('features.unsaved')}</Badge>}>
              <Table dense testId="feature-matrix" style={{ maxHeight: 480 }} head={<tr>{p.columns.map((c) => <th key={c}>{c}</th>)}</tr>}>
                {p.rows.map((r, i) => (
                  <tr key={i}>{p.columns.map((c) => {
                    const v = r[c];
                    return <td key={c} className={typeof v === 'number' ? 'num' : 'small nowrap'}>{v == null ? <span className="muted">—</span> : fmtCell(v)}</td>;
                  })}</tr>
                ))}
              </Table>
            </Card>
          </>
        )}
      </QueryView>
    </div>
  );
}
