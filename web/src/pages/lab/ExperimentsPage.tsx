/** Experiments: start runs (an algorithm or a drawn architecture, with an augmentation),
 * the run table (sorted and filtered on the server) and the comparison of selected runs. */
import { lazy, useEffect, useState } from 'react';
import { useDatasetOptions, usePlans } from '../../api/queries';
import { CanWrite, useAuth } from '../../auth/AuthContext';
import { Card, EmptyState, ErrorMessage, Field, PageHeader, Pager, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { JobStatusBadge } from '../training/JobStatusBadge';
import { curvesOption, perStepOption } from './curves';
import { RunSource } from './RunSource';
import { useArchitectures, useAugmentations, useCompare, useCreateExperiment, useDeleteRun, useExperiments, useRuns, type RunRow } from './labApi';

const EChart = lazy(() => import('../../charts/EChart'));
const COMPARED: [string, 'last' | 'min'][] = [['valLoss', 'min'], ['trainLoss', 'min'], ['test.mae', 'last'], ['test.rmse', 'last'], ['test.coverage', 'last']];
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

export default function ExperimentsPage() {
  const { t } = useI18n();
  const [selected, setSelected] = useState<string[]>([]);
  return (
    <>
      <PageHeader title={t('lab.experiments.title')} subtitle={t('lab.experiments.subtitle')} />
      <div className="grid side">
        <RunTable selected={selected} onSelect={setSelected} />
        <CanWrite><StartForm /></CanWrite>
      </div>
      {selected.length > 0 && <CompareView ids={selected} />}
    </>
  );
}

function RunTable({ selected, onSelect }: { selected: string[]; onSelect: (ids: string[]) => void }) {
  const { t } = useI18n();
  const [sort, setSort] = useState('createdAt');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const runs = useRuns({ sort, order, status, q, page });
  const experiments = useExperiments();
  const remove = useDeleteRun();
  const { canWrite } = useAuth();
  // a run of an experiment in a project the user only views cannot be changed
  const editable = (r: RunRow) => canWrite && (experiments.data?.find((e) => e.id === r.experimentId)?.canEdit ?? true);
  const metricCols = (runs.data?.metricColumns ?? []).filter((m) => ['valLoss', 'trainLoss', 'test.mae', 'test.coverage'].includes(m));
  const toggle = (id: string) => onSelect(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  return (
    <Card flush title={t('lab.experiments.runs')} testId="runs-card">
      <div className="row wrap" style={{ gap: 8, padding: 12 }}>
        <input placeholder={t('lab.experiments.search')} value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} data-testid="runs-search" />
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label={t('common.status')}>
          <option value="">{t('lab.experiments.anyStatus')}</option>
          {['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'].map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select value={sort} onChange={(e) => setSort(e.target.value)} aria-label={t('lab.experiments.sort')} data-testid="runs-sort">
          <option value="createdAt">{t('common.created')}</option>
          <option value="name">{t('common.name')}</option>
          {(runs.data?.metricColumns ?? []).map((m) => <option key={m} value={`metric:${m}:min`}>{m} (min)</option>)}
        </select>
        <button className="btn" onClick={() => setOrder(order === 'asc' ? 'desc' : 'asc')}>{order === 'asc' ? '↑' : '↓'}</button>
      </div>
      <QueryView query={runs} skeleton={<SkeletonTable />}>
        {(list) => list.items.length === 0 ? <EmptyState icon="training" title={t('lab.experiments.noRuns')} /> : (
          <Table testId="runs-table" footer={<Pager page={page} size={list.pageSize} total={list.total} onPage={setPage} />} head={<tr><th /><th>{t('common.name')}</th><th>{t('training.algorithm')}</th><th>{t('common.status')}</th>
            {metricCols.map((m) => <th key={m}>{m}</th>)}<th /></tr>}>
            {list.items.map((r: RunRow) => (
              <tr key={r.id}>
                <td><input type="checkbox" aria-label={r.name} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} data-testid={`select-${r.id}`} /></td>
                <td>{r.name}<RunSource run={r} /></td>
                <td>{r.algorithm === 'architecture' ? String(r.params.architecture ?? r.algorithm) : r.algorithm}</td>
                <td><JobStatusBadge status={r.status as never} /></td>
                {metricCols.map((m) => <td key={m} className="num">{fmt(r.metrics[m]?.[m.startsWith('test.') ? 'last' : 'min'])}</td>)}
                <td><button className="btn small danger" disabled={!editable(r)} title={editable(r) ? undefined : t('lab.experiments.readOnly')}
                  onClick={() => remove.mutate(r.id)} data-testid={`delete-${r.id}`}>{t('lab.experiments.deleteRun')}</button></td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

function StartForm() {
  const { t } = useI18n();
  const datasets = useDatasetOptions();
  const [datasetId, setDatasetId] = useState('');
  const plans = usePlans(datasetId || undefined);
  const [planId, setPlanId] = useState('');
  const archs = useArchitectures();
  const augs = useAugmentations();
  const [name, setName] = useState('');
  const [model, setModel] = useState('linear');
  const [augId, setAugId] = useState('');
  const [epochs, setEpochs] = useState('3');
  const create = useCreateExperiment();
  useEffect(() => { if (!datasetId && datasets.data?.items[0]) setDatasetId(datasets.data.items[0].id); }, [datasetId, datasets.data]);
  useEffect(() => { if (plans.data && !plans.data.items.some((p) => p.id === planId)) setPlanId(plans.data.items[0]?.id ?? ''); }, [plans.data, planId]);
  const go = () => {
    const arch = model.startsWith('arch:') ? model.slice(5) : null;
    create.mutate({
      name: name || `run ${new Date().toISOString().slice(11, 19)}`, datasetId, featurePlanId: planId,
      algorithm: arch ? null : model, architectureId: arch, augmentationId: augId || null,
      hyperparams: { epochs: Number(epochs) || 3, ...(arch ? { warm_start: false } : {}) },
    });
  };
  return (
    <Card title={t('lab.experiments.start')}>
      <div className="stack">
        <Field label={t('common.name')}><input value={name} onChange={(e) => setName(e.target.value)} data-testid="exp-name" /></Field>
        <Field label={t('explore.dataset')}>
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)} data-testid="exp-dataset">
            {datasets.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </Field>
        <Field label={t('features.plan')}>
          <select value={planId} onChange={(e) => setPlanId(e.target.value)} data-testid="exp-plan">
            {plans.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
          </select>
        </Field>
        <Field label={t('lab.experiments.model')}>
          <select value={model} onChange={(e) => setModel(e.target.value)} data-testid="exp-model">
            {['linear', 'mlp', 'tide', 'patchtst', 'auto'].map((a) => <option key={a} value={a}>{a}</option>)}
            {archs.data?.map((a) => <option key={a.id} value={`arch:${a.id}`}>{t('lab.builder.title')}: {a.name}</option>)}
          </select>
        </Field>
        <Field label={t('lab.augmentation.title')}>
          <select value={augId} onChange={(e) => setAugId(e.target.value)} data-testid="exp-aug">
            <option value="">{t('lab.experiments.none')}</option>
            {augs.data?.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </Field>
        <Field label="epochs"><input type="number" min={1} value={epochs} onChange={(e) => setEpochs(e.target.value)} /></Field>
        {create.error ? <ErrorMessage error={create.error} /> : null}
        <button className="btn primary" disabled={!datasetId || !planId || create.isPending} onClick={go} data-testid="exp-start">{t('lab.experiments.startButton')}</button>
      </div>
    </Card>
  );
}

function CompareView({ ids }: { ids: string[] }) {
  const { t } = useI18n();
  const cmp = useCompare(ids);
  const [metric, setMetric] = useState('valLoss');
  const [alpha, setAlpha] = useState(0);
  const [log, setLog] = useState(false);
  return (
    <Card title={t('lab.experiments.compare')} testId="compare-card">
      <QueryView query={cmp} skeleton={<SkeletonTable />}>
        {(c) => {
          const names = Object.fromEntries(c.runs.map((r) => [r.id, r.name]));
          return (
            <div className="stack">
              <Table testId="param-diff" head={<tr><th>{t('lab.experiments.parameter')}</th>{c.runs.map((r) => <th key={r.id}>{r.name}</th>)}</tr>}>
                {Object.entries(c.paramDiff).map(([k, v]) => (
                  <tr key={k}><td><code>{k}</code></td>{c.runs.map((r) => <td key={r.id}>{JSON.stringify(v[r.id] ?? null)}</td>)}</tr>
                ))}
              </Table>
              <Table testId="compare-metrics" head={<tr><th>{t('lab.experiments.metrics')}</th>{c.runs.map((r) => <th key={r.id}>{r.name}</th>)}</tr>}>
                {COMPARED.filter(([m]) => c.runs.some((r) => r.metrics[m])).map(([m, stat]) => (
                  <tr key={m}><td><code>{m} ({stat})</code></td>{c.runs.map((r) => <td key={r.id} className="num">{fmt(r.metrics[m]?.[stat])}</td>)}</tr>
                ))}
              </Table>
              <div className="row wrap" style={{ gap: 12 }}>
                <select value={metric} onChange={(e) => setMetric(e.target.value)} aria-label={t('lab.experiments.metric')}>
                  {['valLoss', 'trainLoss', 'lr'].map((m) => <option key={m}>{m}</option>)}
                </select>
                <label className="row" style={{ gap: 6 }}>{t('lab.experiments.smoothing')}
                  <input type="range" min={0} max={0.95} step={0.05} value={alpha} onChange={(e) => setAlpha(Number(e.target.value))} /></label>
                <label className="row" style={{ gap: 6 }}><input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} />{t('lab.experiments.logScale')}</label>
              </div>
              <EChart testId="compare-curves" option={curvesOption(c.curves, metric, { alpha, log, names })} />
              <h4>{t('lab.experiments.perStep')}</h4>
              <EChart testId="compare-steps" height={220} option={perStepOption(c.perStep, 'mae', names)} />
            </div>
          );
        }}
      </QueryView>
    </Card>
  );
}
