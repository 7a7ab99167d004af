import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useControlJob, useJob, useRegisterJob } from '../../api/queries';
import type { Job } from '../../api/types';
import { CanWrite } from '../../auth/AuthContext';
import EChart from '../../charts/EChart';
import { lossOption } from '../../charts/options';
import { Icon } from '../../components/icons';
import { LogViewer } from '../../components/LogViewer';
import { Markdown } from '../../components/Markdown';
import { useToast } from '../../components/toast';
import {
  Card, ConfirmDialog, EmptyState, ErrorMessage, Field, Kv, Modal, PageHeader, Progress, QueryView,
  SkeletonPage, Table,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtNum, fmtPct, shortId } from '../../lib/format';
import { shapeLossCurve } from '../../lib/lossCurve';
import { evaluationRows } from '../../lib/metrics';
import { cardHeadings } from '../../lib/serverText';
import { useTrainingStream } from '../../lib/useTrainingStream';
import { JobStatusBadge } from './JobStatusBadge';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export default function TrainingJobPage() {
  const { jobId } = useParams();
  const job = useJob(jobId);
  return (
    <QueryView query={job} skeleton={<SkeletonPage />}>
      {(j) => <JobView job={j} />}
    </QueryView>
  );
}

function JobView({ job }: { job: Job }) {
  const { t, lang } = useI18n();
  const finishedByApi = FINISHED.has(job.status);
  const { state, connection, socketError } = useTrainingStream(job.id, finishedByApi);
  const status = state.status && !finishedByApi ? state.status : job.status;
  const finished = FINISHED.has(status);
  const progress = status === 'succeeded' ? 1 : Math.max(state.progress ?? 0, job.progress);
  const curve = useMemo(() => shapeLossCurve(state.metrics), [state.metrics]);
  const lossOpt = useMemo(() => lossOption(curve, {
    train: t('training.trainLoss'), val: t('training.valLoss'), epoch: t('training.epoch'), best: t('training.best'),
  }), [curve, t]);
  const control = useControlJob(job.id);
  const [stopping, setStopping] = useState(false);

  return (
    <>
      <PageHeader
        crumb={<Link to="/training">{t('nav.training')}</Link>}
        title={<span className="row" style={{ gap: 10 }}>{t('training.job')} <code>{shortId(job.id)}</code> <span data-testid="job-status"><JobStatusBadge status={status} /></span></span>}
        subtitle={<span className="row" style={{ gap: 8 }}>
          <span className={`live-dot ${connection === 'live' ? '' : 'off'}`} />
          {t(`training.connection.${connection}`)} · {job.algorithm} · {fmtDate(job.createdAt, lang)}
        </span>}
        actions={<CanWrite>
          {!finished && (
            <>
              {status === 'paused' ? (
                <button className="btn" disabled={control.isPending} onClick={() => control.mutate('resume')} data-testid="resume"><Icon name="play" /> {t('training.resume')}</button>
              ) : (
                <button className="btn" disabled={control.isPending || status !== 'running'} onClick={() => control.mutate('pause')} data-testid="pause"><Icon name="pause" /> {t('training.pause')}</button>
              )}
              <button className="btn danger" disabled={control.isPending} onClick={() => setStopping(true)} data-testid="stop"><Icon name="stop" /> {t('training.stop')}</button>
            </>
          )}
          {status === 'succeeded' && <RegisterActions job={job} />}
          {stopping && (
            <ConfirmDialog title={t('checks.stopTitle')} text={t('checks.stopText')} confirmLabel={t('training.stop')} danger
              busy={control.isPending} error={control.error} onCancel={() => setStopping(false)}
              onConfirm={() => control.mutate('stop', { onSuccess: () => setStopping(false) })} />
          )}
        </CanWrite>}
      />
      <div className="stack">
        {control.error ? <ErrorMessage error={control.error} /> : null}
        {(state.error || job.error || socketError) && <ErrorMessage error={new Error(state.error || job.error || socketError || '')} />}
        <Card>
          <div className="row" style={{ gap: 16 }}>
            <div style={{ flex: 1 }}><Progress value={progress} /></div>
            <strong data-testid="job-progress">{fmtPct(progress, progress > 0 && progress < 0.1 ? 1 : 0)}</strong>
            <span className="muted small" data-testid="live-metrics" data-live={state.liveMetricCount} data-total={state.metrics.length}>{t('training.liveMetrics', { n: state.liveMetricCount, total: state.metrics.length })}</span>
          </div>
        </Card>
        <div className="grid cols-2">
          <Card title={t('training.lossCurve')} subtitle={curve.best ? t('training.bestAt', { epoch: curve.best.epoch, val: fmtNum(curve.best.val, 4) }) : undefined} testId="loss-card">
            {curve.epochs.length === 0 ? <EmptyState icon="training" title={t('training.waitingMetrics')} /> : <EChart option={lossOpt} height={280} notMerge={false} testId="loss-chart" />}
          </Card>
          <MetricsCard job={job} />
        </div>
        <LogViewer lines={state.logs} live={connection === 'live'} />
        <div className="grid cols-2">
          <Card title={t('training.details')}>
            <Kv items={[
              ['explore.dataset', <Link key="d" to={`/datasets/${job.datasetId}`}>{shortId(job.datasetId)}</Link>],
              ['features.plan', <Link key="p" to={`/features?datasetId=${job.datasetId}&planId=${job.featurePlanId}`}>{shortId(job.featurePlanId)}</Link>],
              ['training.algorithm', job.algorithm],
              ['training.hyperparams', <code key="h">{JSON.stringify(job.hyperparams)}</code>],
            ]} />
          </Card>
          <Card title={t('training.artifacts')}>
            {(job.artifacts?.length ?? 0) + state.artifacts.length === 0 ? <p className="muted">{t('training.noArtifacts')}</p> : (
              <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="artifacts">
                {(job.artifacts?.length ? job.artifacts : state.artifacts).map((a, i) => (
                  <li key={i}><code>{String(a.name ?? a.uri ?? '')}</code> <span className="muted small">{String(a.uri ?? '')}</span></li>
                ))}
              </ul>
            )}
          </Card>
        </div>
        {job.cardMarkdown && <Card title={t('training.modelCard')}><Markdown source={job.cardMarkdown} headings={cardHeadings(lang, job.card)} testId="model-card" /></Card>}
      </div>
    </>
  );
}

function MetricsCard({ job }: { job: Job }) {
  const { t } = useI18n();
  const { rows, baselineName, improvementPct } = evaluationRows(job.evaluation);
  const subtitle = baselineName ? `${t('training.baseline')}: ${baselineName}` : t('training.metricsHint');
  return (
    <Card flush title={t('training.metrics')} subtitle={subtitle} testId="metrics-card"
      actions={improvementPct != null && <span className={`badge ${improvementPct > 0 ? 'ok' : 'warn'}`}>{t('training.maeVsBaseline', { pct: `${improvementPct > 0 ? '−' : '+'}${Math.abs(improvementPct).toFixed(1)}%` })}</span>}>
      {rows.length === 0 ? <EmptyState icon="training" title={t('training.noEvaluation')} /> : (
        <Table dense testId="metrics-table" head={<tr><th>{t('training.metric')}</th><th className="num">{t('training.model')}</th><th className="num">{t('training.baseline')}</th><th className="num">Δ</th></tr>}>
          {rows.map((r) => (
            <tr key={r.name}>
              <td><code>{r.name}</code></td>
              <td className={`num ${r.better === true ? 'better' : ''}`}>{fmtNum(r.model, 4)}</td>
              <td className="num">{fmtNum(r.baseline, 4)}</td>
              <td className={`num ${r.better === true ? 'better' : r.better === false ? 'worse' : ''}`}>{r.delta == null ? '—' : `${r.delta > 0 ? '+' : ''}${(r.delta * 100).toFixed(1)}%`}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function RegisterActions({ job }: { job: Job }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const notify = useToast();
  const register = useRegisterJob(job.id);
  const [open, setOpen] = useState<null | 'register' | 'deploy'>(null);
  const [name, setName] = useState(`load-${job.algorithm}`);
  const [deployError, setDeployError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const go = async () => {
    setDeployError(null);
    setBusy(true);
    try {
      const version = await register.mutateAsync(name.trim());
      if (open === 'deploy') {
        const dep = await unwrap(api.POST('/api/deployments', { body: { modelId: version.name, version: version.version } }));
        navigate(`/deployments/${dep.id}`, { state: { created: dep } });
      } else {
        notify(t('training.registered', { name: version.name, version: version.version }), 'ok');
        navigate(`/registry/${encodeURIComponent(version.name)}`);
      }
    } catch (err) {
      setDeployError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button className="btn" onClick={() => setOpen('register')} data-testid="register">{t('training.register')}</button>
      <button className="btn primary" onClick={() => setOpen('deploy')} data-testid="register-deploy"><Icon name="deployments" /> {t('training.registerDeploy')}</button>
      {open && (
        <Modal title={open === 'deploy' ? t('training.registerDeploy') : t('training.register')} onClose={() => setOpen(null)} footer={
          <>
            <button className="btn" onClick={() => setOpen(null)}>{t('common.cancel')}</button>
            <button className="btn primary" disabled={!name.trim() || busy} onClick={() => void go()} data-testid="register-confirm">
              {busy && <span className="spinner" />} {open === 'deploy' ? t('training.registerDeploy') : t('training.register')}
            </button>
          </>
        }>
          <div className="stack">
            <Field label={t('training.modelName')} hint={t('training.modelNameHint')}>
              <input value={name} onChange={(e) => setName(e.target.value)} data-testid="model-name" />
            </Field>
            {deployError ? <ErrorMessage error={deployError} /> : null}
          </div>
        </Modal>
      )}
    </>
  );
}
