/** The landing page: what runs now, deployments with their state and latency, data
 * freshness, the host's gauges and open system alerts; on first start, what to do first. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ACTIVE_JOB_STATUSES } from '../../api/protocol';
import { useDatasets, useDeploymentMetrics, useDeployments, useJobs } from '../../api/queries';
import { Badge, Card, EmptyState, PageHeader, QueryView, Skeleton, Stat } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtPct } from '../../lib/format';
import { HOME_PANELS } from './panels';
import { useAlertEvents } from './queries';
import './home.css';

const ACTIVE = new Set<string>(ACTIVE_JOB_STATUSES);
const STEPS = [
  { to: '/datasets', key: 'home.stepUpload' },
  { to: '/explore', key: 'home.stepExplore' },
  { to: '/features', key: 'home.stepPlan' },
  { to: '/training', key: 'home.stepTrain' },
  { to: '/deployments', key: 'home.stepDeploy' },
] as const;

export default function HomePage() {
  const { t } = useI18n();
  const datasets = useDatasets({ page: 1, size: 8, q: '' });
  const firstStart = datasets.data?.total === 0;
  return (
    <>
      <PageHeader title={t('home.title')} subtitle={t('home.subtitle')} />
      {firstStart && (
        <Card title={t('home.firstTitle')} testId="home-first-start">
          <p className="muted">{t('home.firstText')}</p>
          <ol className="first-steps">
            {STEPS.map((s) => <li key={s.to}><Link to={s.to}>{t(s.key)}</Link></li>)}
          </ol>
          <p className="small muted">{t('home.manualHint')} <Link to="/docs/manual/import-data">{t('docs.manual')}</Link></p>
        </Card>
      )}
      <div className="grid cols-2" style={{ marginTop: 16 }} data-testid="home-dashboard">
        <RunningNow />
        <DeploymentsCard />
        <FreshnessCard datasets={datasets.data?.items ?? []} loading={datasets.isLoading} />
        <SystemCard />
        <AlertsCard />
        {HOME_PANELS.map(({ key, Panel }) => <Panel key={key} />)}
      </div>
    </>
  );
}

function RunningNow() {
  const { t } = useI18n();
  const jobs = useJobs(1);
  return (
    <Card title={t('home.running')} actions={<Link to="/training">{t('home.open')}</Link>} testId="home-running">
      <QueryView query={jobs} skeleton={<Skeleton height={80} />}>
        {(page) => {
          const active = page.items.filter((j) => ACTIVE.has(j.status));
          if (!active.length) return <EmptyState title={t('home.nothingRunning')} text={t('home.nothingRunningHint')} />;
          return (
            <ul className="home-list">
              {active.map((j) => (
                <li key={j.id}><Link to={`/training/${j.id}`}>{j.id}</Link><Badge tone="info">{t(`status.${j.status}` as 'status.running')}</Badge></li>
              ))}
            </ul>
          );
        }}
      </QueryView>
      <p className="small muted">{t('home.streamsLater')}</p>
    </Card>
  );
}

function DeploymentsCard() {
  const { t } = useI18n();
  const deployments = useDeployments();
  return (
    <Card title={t('nav.deployments')} actions={<Link to="/deployments">{t('home.open')}</Link>} testId="home-deployments">
      <QueryView query={deployments} skeleton={<Skeleton height={80} />}>
        {(list) => list.length === 0
          ? <EmptyState title={t('home.noDeployments')} text={t('home.noDeploymentsHint')} />
          : (
            <ul className="home-list">
              {list.slice(0, 6).map((d) => (
                <li key={d.id}>
                  <Link to={`/deployments/${d.id}`}>{d.name || d.id}</Link>
                  <span className="row" style={{ gap: 8 }}>
                    {d.status === 'active' ? <Latency id={d.id} /> : null}
                    <Badge tone={d.status === 'active' ? 'ok' : 'neutral'}>{d.status}</Badge>
                  </span>
                </li>
              ))}
            </ul>
          )}
      </QueryView>
    </Card>
  );
}

function Latency({ id }: { id: string }) {
  const { t } = useI18n();
  const metrics = useDeploymentMetrics(id);
  const series = metrics.data?.series.find((s) => s.inferenceCount > 0 && s.meanRequestUs != null);
  if (!series || series.meanRequestUs == null) return <span className="small muted">{t('home.noCalls')}</span>;
  return <span className="small">{(series.meanRequestUs / 1000).toFixed(1)} ms</span>;
}

function FreshnessCard({ datasets, loading }: { datasets: { id: string; name: string; end?: string | null; updatedAt: string }[]; loading: boolean }) {
  const { t, lang } = useI18n();
  return (
    <Card title={t('home.freshness')} actions={<Link to="/datasets">{t('home.open')}</Link>} testId="home-freshness">
      {loading ? <Skeleton height={80} /> : datasets.length === 0 ? <EmptyState title={t('datasets.empty')} text={t('datasets.emptyHint')} /> : (
        <ul className="home-list">
          {datasets.map((d) => (
            <li key={d.id}>
              <Link to={`/datasets/${d.id}`}>{d.name}</Link>
              <span className="small muted" title={t('home.lastReading')}>{d.end ? fmtDate(d.end, lang) : fmtDate(d.updatedAt, lang)}</span>
              <Link className="small" to={`/lineage?type=dataset&id=${encodeURIComponent(d.id)}`}>{t('lineage.nav')}</Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function SystemCard() {
  const { t } = useI18n();
  const stats = useQuery({ queryKey: ['system-stats-home'], queryFn: () => unwrap(api.GET('/api/system/stats')), refetchInterval: 5_000 });
  return (
    <Card title={t('nav.system')} actions={<Link to="/system">{t('home.open')}</Link>} testId="home-system">
      <QueryView query={stats} skeleton={<Skeleton height={80} />}>
        {(s) => {
          const gpu = s.gpus[0];
          return (
          <div className="grid cols-2">
            <Stat label={t('system.cpu')} value={fmtPct(s.cpu.percent / 100)} />
            <Stat label={t('system.memory')} value={fmtPct(s.memory.percent / 100)} />
            <Stat label="GPU" value={gpu ? fmtPct(gpu.utilization / 100) : '–'} sub={gpu ? `${gpu.temperatureC ?? '–'} °C` : t('system.noGpu')} />
            <Stat label={t('system.disk')} value={fmtPct(s.disk.percent / 100)} />
          </div>
          );
        }}
      </QueryView>
    </Card>
  );
}

function AlertsCard() {
  const { t, lang } = useI18n();
  const events = useAlertEvents(true, 10);
  return (
    <Card title={t('alerts.title')} actions={<Link to="/system">{t('home.open')}</Link>} testId="home-alerts">
      <QueryView query={events} skeleton={<Skeleton height={80} />}>
        {(list) => list.length === 0 ? <EmptyState icon="check" title={t('alerts.noneOpen')} text={t('home.anomaliesLater')} /> : (
          <ul className="home-list">
            {list.map((e) => <li key={e.id}><span>{e.message}</span><span className="small muted">{fmtDate(e.firedAt, lang)}</span></li>)}
          </ul>
        )}
      </QueryView>
    </Card>
  );
}
