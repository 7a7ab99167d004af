/** One stream, live: readings, the forecast band and anomalies as they arrive over the WebSocket. */
import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { openSocket } from '../../api/client';
import EChart from '../../charts/EChart';
import { seriesOption } from '../../charts/options';
import { Badge, Card, PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { StreamEvent } from './queries';

function useStreamEvents(deploymentId: string) {
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    let stopped = false;
    let ws: WebSocket | null = null;
    let retry = 0;
    const connect = () => {
      ws = openSocket('/ws/inference/stream', { deploymentId });
      ws.onopen = () => setLive(true);
      ws.onmessage = (m) => {
        try {
          const event = JSON.parse(String(m.data)) as StreamEvent;
          if (event.point) setEvents((all) => [...all.filter((e) => e.point !== event.point), event].slice(-500));
        } catch {
          // a frame that is not an event is skipped
        }
      };
      ws.onclose = () => { setLive(false); if (!stopped) retry = window.setTimeout(connect, 3000); };
    };
    connect();
    return () => { stopped = true; ws?.close(); window.clearTimeout(retry); };
  }, [deploymentId]);
  return { events, live };
}

export default function LivePage() {
  const { t } = useI18n();
  const { deploymentId = '' } = useParams();
  const { events, live } = useStreamEvents(deploymentId);
  const last = [...events].reverse().find((e) => e.type === 'forecast');
  const option = useMemo(() => {
    const forecast = last?.forecast as { values?: { t: string; y: number }[]; intervals?: Record<string, number[]> } | undefined;
    const readingTimes = events.map((e) => e.point);
    const target = (row: Record<string, unknown>) => {
      const v = Object.entries(row).find(([k, x]) => k !== 'timestamp' && typeof x === 'number');
      return v ? (v[1] as number) : null;
    };
    const readings = events.map((e) => ((e.readings ?? [])[0] ? target((e.readings ?? [])[0] as Record<string, unknown>) : null));
    const times = [...readingTimes, ...(forecast?.values ?? []).map((v) => v.t)];
    const pad = (xs: (number | null)[], before: number) => [...Array<null>(before).fill(null), ...xs];
    const n = readingTimes.length;
    return seriesOption(times, [
      { name: t('featureStore.readings'), data: [...readings, ...Array<null>(forecast?.values?.length ?? 0).fill(null)] },
      { name: 'p50', data: pad((forecast?.values ?? []).map((v) => v.y), n) },
      { name: 'p05', data: pad(forecast?.intervals?.p05 ?? [], n) },
      { name: 'p95', data: pad(forecast?.intervals?.p95 ?? [], n) },
    ]);
  }, [events, last, t]);
  const anomalies = events.flatMap((e) => (e.anomalies ?? []) as { timestamp: string; value: number; reason: string }[]);
  return (
    <>
      <PageHeader title={t('featureStore.liveTitle', { id: deploymentId })}
        subtitle={<span className="row" style={{ gap: 8 }}><span className={`live-dot ${live ? '' : 'off'}`} />{live ? t('system.live') : t('featureStore.offline')}</span>} />
      <div className="stack">
        <Card title={t('featureStore.forecastBand')} testId="live-chart">
          <EChart option={option} height={280} notMerge={false} />
          <p className="small muted" data-testid="live-count">{t('featureStore.points', { n: events.length })}</p>
        </Card>
        <Card title={t('featureStore.anomalies')} testId="live-anomalies">
          {anomalies.length ? (
            <ul>{anomalies.map((a) => <li key={a.timestamp}><Badge tone="warn">{a.timestamp}</Badge> {a.reason}</li>)}</ul>
          ) : <p className="muted">{t('featureStore.noAnomalies')}</p>}
        </Card>
        <Card title={t('featureStore.latest')} testId="live-events">
          <table className="table">
            <thead><tr><th>{t('featureStore.point')}</th><th>{t('featureStore.status')}</th><th>{t('featureStore.readings')}</th></tr></thead>
            <tbody>{[...events].reverse().slice(0, 12).map((e) => (
              <tr key={e.point}><td className="mono small">{e.point}</td><td><Badge tone={e.type === 'forecast' ? 'ok' : 'warn'}>{e.type}</Badge></td><td className="mono small">{JSON.stringify((e.readings ?? [])[0] ?? {})}</td></tr>
            ))}</tbody>
          </table>
        </Card>
      </div>
    </>
  );
}
