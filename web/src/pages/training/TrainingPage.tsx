import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAlgorithms, useDataset, useDatasetOptions, useJobs, usePlans, useSubmitJob } from '../../api/queries';
import { CanWrite } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { Card, EmptyState, ErrorMessage, Field, PageHeader, Pager, Progress, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, shortId } from '../../lib/format';
import { buildHyperparams } from '../../lib/hyperparams';
import { seriesColumnChoices, withSeriesColumn } from '../../lib/seriesColumns';
import { JobStatusBadge } from './JobStatusBadge';

/** The hyperparameters every algorithm takes; blank fields keep the server's defaults. */
const COMMON_HYPERPARAMS: { key: string; placeholder: string }[] = [
  { key: 'epochs', placeholder: '40' },
  { key: 'batch_size', placeholder: '128' },
  { key: 'lr', placeholder: 'auto' },
  { key: 'patience', placeholder: '6' },
  { key: 'seed', placeholder: '0' },
];

export default function TrainingPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('training.title')} subtitle={t('training.subtitle')} />
      <div className="grid side">
        <JobList />
        <CanWrite><SubmitForm /></CanWrite>
      </div>
    </>
  );
}

function JobList() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const jobs = useJobs(page);
  return (
    <Card flush title={t('training.jobs')}>
      <QueryView query={jobs} skeleton={<SkeletonTable />}>
        {(list) => list.items.length === 0 ? <EmptyState icon="training" title={t('training.noJobs')} text={t('training.noJobsHint')} /> : (
          <Table testId="jobs-table" footer={<Pager page={page} size={list.pageSize} total={list.total} onPage={setPage} />} head={<tr><th>{t('common.id')}</th><th>{t('training.algorithm')}</th><th>{t('common.status')}</th><th style={{ width: 160 }}>{t('training.progress')}</th><th>{t('common.created')}</th></tr>}>
            {list.items.map((j) => (
              <tr key={j.id} className="clickable" onClick={() => navigate(`/training/${j.id}`)}>
                <td><code>{shortId(j.id)}</code></td>
                <td>{j.algorithm}</td>
                <td><JobStatusBadge status={j.status} /></td>
                <td><Progress value={j.progress} /></td>
                <td className="small muted nowrap">{fmtDate(j.createdAt, lang)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

function SubmitForm() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const datasets = useDatasetOptions();
  const algorithms = useAlgorithms();
  const [datasetId, setDatasetId] = useState(params.get('datasetId') ?? '');
  const [planId, setPlanId] = useState(params.get('planId') ?? '');
  const plans = usePlans(datasetId || undefined);
  const [algorithm, setAlgorithm] = useState('');
  const [hyper, setHyper] = useState<Record<string, string>>({});
  const [extra, setExtra] = useState('');
  const [extraError, setExtraError] = useState<string | null>(null);
  const [seriesColumn, setSeriesColumn] = useState('');
  const dataset = useDataset(datasetId || undefined);
  const plan = plans.data?.items.find((p) => p.id === planId);
  const seriesChoices = seriesColumnChoices(dataset.data?.columns, plan?.plan.inputs.map((i) => i.name));
  const submit = useSubmitJob();
  const algos = algorithms.data ?? [];
  const algo = algos.find((a) => a.name === algorithm) ?? algos.find((a) => a.default) ?? algos[0];

  useEffect(() => {
    if (!datasetId && datasets.data?.items[0]) setDatasetId(datasets.data.items[0].id);
  }, [datasetId, datasets.data]);
  useEffect(() => {
    if (plans.data && !plans.data.items.some((p) => p.id === planId)) setPlanId(plans.data.items[0]?.id ?? '');
  }, [plans.data, planId]);

  const go = () => {
    let hyperparams: Record<string, unknown>;
    try {
      hyperparams = withSeriesColumn(buildHyperparams(hyper, extra), seriesChoices.includes(seriesColumn) ? seriesColumn : '');
      setExtraError(null);
    } catch (err) {
      setExtraError(err instanceof Error ? err.message : String(err));
      return;
    }
    submit.mutate({ datasetId, featurePlanId: planId, algorithm: algo?.name ?? null, hyperparams }, {
      onSuccess: (job) => navigate(`/training/${job.id}`),
    });
  };

  return (
    <Card title={t('training.submit')} subtitle={t('training.submitHint')}>
      <div className="stack">
        <Field label={t('explore.dataset')}>
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)} data-testid="train-dataset">
            <option value="" disabled>{t('explore.pickDataset')}</option>
            {datasets.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </Field>
        <Field label={t('features.plan')} error={datasetId && plans.data?.items.length === 0 ? <>{t('training.noPlans')} <Link to={`/features?datasetId=${datasetId}`}>{t('datasets.buildPlan')}</Link></> : undefined}>
          <select value={planId} onChange={(e) => setPlanId(e.target.value)} data-testid="train-plan">
            {plans.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
          </select>
        </Field>
        {seriesChoices.length > 0 && (
          <Field label={t('training.seriesColumn')} hint={t('training.seriesColumnHint')}>
            <select value={seriesColumn} onChange={(e) => setSeriesColumn(e.target.value)} data-testid="train-series-column">
              <option value="">{t('training.oneSeries')}</option>
              {seriesChoices.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </Field>
        )}
        <Field label={t('training.algorithm')}>
          <select value={algo?.name ?? ''} onChange={(e) => setAlgorithm(e.target.value)} data-testid="train-algorithm">
            {algos.map((a) => <option key={a.name} value={a.name}>{a.name}{a.default ? ` (${t('training.default')})` : ''}</option>)}
          </select>
          {algo && <span className="small muted">{algo.description}</span>}
        </Field>
        {algorithms.error ? <ErrorMessage error={algorithms.error} /> : null}
        <div className="field">
          <span>{t('training.hyperparams')} <span className="hint">{t('training.blankDefault')}</span></span>
          <div className="form-grid" style={{ gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: 8 }}>
            {COMMON_HYPERPARAMS.map(({ key, placeholder }) => (
              <label key={key} className="field">
                <span className="mono small">{key}</span>
                <input className="sm" value={hyper[key] ?? ''} placeholder={placeholder} onChange={(e) => setHyper({ ...hyper, [key]: e.target.value })} data-testid={`hp-${key}`} />
              </label>
            ))}
          </div>
        </div>
        <Field label={t('training.extraParams')} hint="JSON" error={extraError ?? undefined}>
          <textarea rows={2} className="mono" value={extra} placeholder='{"hidden_sizes": [128, 128]}' onChange={(e) => setExtra(e.target.value)} />
        </Field>
        {submit.error ? <ErrorMessage error={submit.error} /> : null}
        <button className="btn primary" disabled={!datasetId || !planId || submit.isPending} onClick={go} data-testid="train-submit">
          {submit.isPending ? <span className="spinner" /> : <Icon name="play" />} {t('training.start')}
        </button>
      </div>
    </Card>
  );
}
