/** A deployment's Monitor: forecast against actual with its band, anomaly events (acknowledge,
 * comment), live accuracy per horizon step against the model card, peak and load duration. */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useDeployment } from '../../api/queries';
import type { Deployment } from '../../api/types';
import { CanWrite } from '../../auth/AuthContext';
import EChart from '../../charts/EChart';
import { Badge, Card, EmptyState, PageHeader, QueryView, SkeletonPage, Stat, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtNum, fmtPct } from '../../lib/format';
import { AccuracyOverTimeCard } from './AccuracyOverTime';
import { AlertsCard } from './AlertsCard';
import { durationOption, monitorOption } from './monitorChart';
import { type WatchEvent, useAccuracy, useAcknowledge, useComment, useEvents, useSeries } from './queries';

export default function MonitorPage() {
  const { id } = useParams();
  const dep = useDeployment(id);
  return <QueryView query={dep} skeleton={<SkeletonPage />}>{(d) => <Monitor deployment={d} />}</QueryView>;
}

function Monitor({ deployment: d }: { deployment: Deployment }) {
  const { t, lang } = useI18n();
  const [step, setStep] = useState(1);
  const series = useSeries(d.id, step);
  const events = useEvents(d.id);
  const unit = d.contract.target.outputUnit;
  const steps = Array.from({ length: Math.min(d.contract.horizon, 96) }, (_, i) => i + 1);
  return (
    <>
      <PageHeader crumb={<Link to={`/deployments/${d.id}`}>{d.name || `${d.modelId} v${d.version}`}</Link>}
        title={t('watching.title')} subtitle={<>{t('watching.subtitle')} · <code>{d.id}</code></>} />
      <div className="stack">
        <Card title={t('watching.chart')} testId="monitor-chart"
          actions={<label className="row" style={{ gap: 6 }}>{t('watching.step')}
            <select value={step} onChange={(e) => setStep(Number(e.target.value))} aria-label={t('watching.step')}>
              {steps.map((s) => <option key={s} value={s}>{s}</option>)}
            </select></label>}>
          <QueryView query={series} skeleton={<div style={{ height: 320 }} />}>
            {(s) => s.points.length === 0
              ? <EmptyState title={t('watching.noData')} text={t('watching.noDataHint')} />
              : (
                <>
                  <EChart height={320} testId="monitor-series" option={monitorOption(s, events.data ?? [], unit, {
                    actual: t('watching.actual'), forecast: t('watching.forecast'), band: t('watching.band'), events: t('watching.events'),
                  })} />
                  <div className="grid cols-3" style={{ marginTop: 12 }}>
                    <Stat label={t('watching.peak')} value={s.peak ? `${fmtNum(s.peak.actual)} ${unit}` : '-'} sub={s.peak ? fmtDate(s.peak.t, lang) : undefined} />
                    <Stat label={t('watching.points')} value={s.points.length} />
                    <Stat label={t('watching.events')} value={events.data?.length ?? '-'} />
                  </div>
                  {s.loadDuration.length > 1 && (
                    <>
                      <h3 style={{ marginTop: 16 }}>{t('watching.loadDuration')}</h3>
                      <EChart height={200} option={durationOption(s.loadDuration, unit, t('watching.loadDuration'))} />
                    </>
                  )}
                </>
              )}
          </QueryView>
        </Card>
        <EventsCard deploymentId={d.id} />
        <AccuracyCard deploymentId={d.id} />
        <AccuracyOverTimeCard deploymentId={d.id} />
        <AlertsCard deploymentId={d.id} />
      </div>
    </>
  );
}

const KIND_TONE: Record<string, 'warn' | 'danger' | 'neutral'> = {
  spike: 'warn', level_shift: 'danger', stuck: 'danger', dropout: 'danger', missing: 'neutral',
};

function EventsCard({ deploymentId }: { deploymentId: string }) {
  const { t, lang } = useI18n();
  const events = useEvents(deploymentId);
  const ack = useAcknowledge(deploymentId);
  return (
    <Card title={t('watching.events')} subtitle={t('watching.eventsHint')} testId="monitor-events" flush>
      <QueryView query={events} skeleton={<div style={{ height: 120 }} />}>
        {(list) => list.length === 0 ? <EmptyState title={t('watching.noEvents')} /> : (
          <Table head={<tr>
            <th>{t('watching.kind')}</th><th>{t('watching.when')}</th><th>{t('watching.reason')}</th>
            <th>{t('watching.energy')}</th><th>{t('watching.status')}</th>
          </tr>}>
            {list.map((e) => (
              <tr key={e.id} data-testid="monitor-event">
                <td><Badge tone={KIND_TONE[e.kind] ?? 'neutral'}>{t(`watching.kinds.${e.kind}`)}</Badge></td>
                <td>{fmtDate(e.start, lang)}</td>
                <td>{e.reason}<Comments deploymentId={deploymentId} event={e} /></td>
                <td>{e.energyAboveExpectedKWh == null ? '-' : `${fmtNum(e.energyAboveExpectedKWh)} kWh`}</td>
                <td>{e.acknowledgedBy
                  ? <span className="muted">{t('watching.acknowledgedBy', { user: e.acknowledgedBy })}</span>
                  : <CanWrite><button className="btn sm" disabled={ack.isPending} onClick={() => ack.mutate(e.id)}>{t('watching.acknowledge')}</button></CanWrite>}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

function Comments({ deploymentId, event }: { deploymentId: string; event: WatchEvent }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const comment = useComment(deploymentId);
  return (
    <div className="stack" style={{ gap: 4, marginTop: 4 }}>
      {event.comments.map((c) => <div key={c.id} className="muted small"><b>{c.author}</b>: {c.text}</div>)}
      <CanWrite>
        <form className="row" style={{ gap: 6 }} onSubmit={(ev) => {
          ev.preventDefault();
          if (text.trim()) comment.mutate({ eventId: event.id, text: text.trim() }, { onSuccess: () => setText('') });
        }}>
          <input className="sm" value={text} onChange={(ev) => setText(ev.target.value)} placeholder={t('watching.commentPlaceholder')} aria-label={t('watching.comment')} />
          <button className="btn sm" type="submit" disabled={!text.trim() || comment.isPending}>{t('watching.comment')}</button>
        </form>
      </CanWrite>
    </div>
  );
}

function AccuracyCard({ deploymentId }: { deploymentId: string }) {
  const { t } = useI18n();
  const accuracy = useAccuracy(deploymentId, 7);
  return (
    <Card title={t('watching.accuracy')} subtitle={t('watching.accuracyHint')} testId="monitor-accuracy" flush>
      <QueryView query={accuracy} skeleton={<div style={{ height: 120 }} />}>
        {(a) => a.steps.length === 0 ? <EmptyState title={t('watching.noAccuracy')} /> : (
          <>
            <div className="grid cols-3" style={{ padding: 12 }}>
              <Stat label={t('watching.liveCoverage')} value={fmtPct(a.coverage)} sub={t('watching.offline', { value: fmtPct(a.offlineCoverage) })} />
            </div>
            <Table head={<tr><th>{t('watching.step')}</th><th>n</th><th>MAE</th><th>MAPE</th><th>{t('watching.coverage')}</th><th>{t('watching.naive')}</th><th>{t('watching.skill')}</th></tr>}>
              {a.steps.map((s) => (
                <tr key={s.step}>
                  <td>{s.step}</td><td>{s.n}</td><td>{fmtNum(s.mae)}</td><td>{fmtPct(s.mape)}</td>
                  <td>{fmtPct(s.coverage)}</td><td>{s.naiveMae == null ? '-' : fmtNum(s.naiveMae)}</td>
                  <td>{s.skill == null ? '-' : fmtPct(s.skill)}</td>
                </tr>
              ))}
            </Table>
          </>
        )}
      </QueryView>
    </Card>
  );
}
