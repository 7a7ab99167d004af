import { useEffect, useMemo, useState } from 'react';
import { api, openSocket, unwrap } from '../../api/client';
import { toApiError } from '../../api/errors';
import type { SystemStats } from '../../api/types';
import EChart from '../../charts/EChart';
import { gaugeOption, seriesOption } from '../../charts/options';
import { Icon } from '../../components/icons';
import { Card, ErrorMessage, PageHeader, Skeleton } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtBytes } from '../../lib/format';
import { AlertRulesCard } from '../home/AlertRulesCard';

const HISTORY = 120;

/** Stats at 1 Hz over `/ws/system`; polls the HTTP route when the socket is unavailable. */
function useSystemStream() {
  const [stats, setStats] = useState<SystemStats | null>(null);
  const [history, setHistory] = useState<{ ts: string; cpu: number; gpu: number | null }[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let ws: WebSocket | null = null;
    let poll = 0;
    let retry = 0;
    let stopped = false;
    const accept = (s: SystemStats) => {
      setStats(s);
      setError(null);
      const gpu = s.gpus.length ? s.gpus.reduce((a, g) => a + g.utilization, 0) / s.gpus.length : null;
      setHistory((h) => [...h, { ts: new Date().toLocaleTimeString('en-GB'), cpu: s.cpu.percent, gpu }].slice(-HISTORY));
    };
    const startPolling = () => {
      if (poll) return;
      const tick = () => unwrap(api.GET('/api/system/stats')).then(accept, setError);
      void tick();
      poll = window.setInterval(() => void tick(), 2000);
    };
    const connect = () => {
      ws = openSocket('/ws/system');
      ws.onopen = () => { setLive(true); window.clearInterval(poll); poll = 0; };
      ws.onmessage = (m) => {
        try {
          const raw = JSON.parse(String(m.data)) as Record<string, unknown>;
          if (raw.type === 'system_stats') accept(raw.data as SystemStats);
          else if (typeof raw.code === 'string') setError(toApiError(401, raw));
        } catch {
          // ignore a malformed frame; the next arrives in a second
        }
      };
      ws.onclose = () => {
        setLive(false);
        if (stopped) return;
        startPolling();
        retry = window.setTimeout(connect, 5000);
      };
    };
    connect();
    return () => { stopped = true; ws?.close(); window.clearInterval(poll); window.clearTimeout(retry); };
  }, []);
  return { stats, history, live, error };
}

export default function SystemPage() {
  const { t } = useI18n();
  const { stats, history, live, error } = useSystemStream();
  const historyOption = useMemo(() => seriesOption(history.map((h) => h.ts), [
    { name: 'CPU %', data: history.map((h) => h.cpu) },
    ...(history.some((h) => h.gpu !== null) ? [{ name: 'GPU %', data: history.map((h) => h.gpu) }] : []),
  ], { min: 0, max: 100 }), [history]);

  return (
    <>
      <PageHeader title={t('system.title')} subtitle={<span className="row" style={{ gap: 8 }}><span className={`live-dot ${live ? '' : 'off'}`} />{live ? t('system.live') : t('system.polling')}</span>} />
      {error && !stats ? <ErrorMessage error={error} /> : !stats ? (
        <div className="grid cols-4">{[0, 1, 2, 3].map((i) => <Skeleton key={i} height={200} />)}</div>
      ) : (
        <div className="stack">
          <div className="grid cols-3">
            <Card title={t('system.cpu')} className="gauge-card" testId="gauge-cpu">
              <EChart option={gaugeOption(stats.cpu.percent, t('system.cores', { n: stats.cpu.logicalCores }))} height={180} notMerge={false} />
              {stats.cpu.load1 != null && <div className="small muted">{t('system.loadAvg')} {stats.cpu.load1.toFixed(2)} · {stats.cpu.load5?.toFixed(2)} · {stats.cpu.load15?.toFixed(2)}</div>}
            </Card>
            <Card title={t('system.memory')} className="gauge-card">
              <EChart option={gaugeOption(stats.memory.percent, `${fmtBytes(stats.memory.usedBytes)} / ${fmtBytes(stats.memory.totalBytes)}`)} height={180} notMerge={false} />
            </Card>
            <Card title={t('system.disk')} className="gauge-card">
              <EChart option={gaugeOption(stats.disk.percent, `${fmtBytes(stats.disk.usedBytes)} / ${fmtBytes(stats.disk.totalBytes)}`)} height={180} notMerge={false} />
            </Card>
          </div>
          {stats.gpuAvailable && stats.gpus.length ? (
            <div className="grid cols-2">
              {stats.gpus.map((g) => (
                <Card key={g.index} title={`GPU ${g.index} · ${g.name}`} testId="gauge-gpu"
                  subtitle={[g.temperatureC != null ? `${g.temperatureC} °C` : null, g.powerWatts != null ? `${Math.round(g.powerWatts)} W${g.powerLimitWatts ? ` / ${Math.round(g.powerLimitWatts)} W` : ''}` : null, stats.driverVersion ? `driver ${stats.driverVersion}` : null].filter(Boolean).join(' · ') || undefined}>
                  <div className="grid cols-2">
                    <EChart option={gaugeOption(g.utilization, t('system.utilization'))} height={170} notMerge={false} />
                    <EChart option={gaugeOption(g.memoryTotalBytes ? (g.memoryUsedBytes / g.memoryTotalBytes) * 100 : null, `${fmtBytes(g.memoryUsedBytes)} / ${fmtBytes(g.memoryTotalBytes)}`)} height={170} notMerge={false} />
                  </div>
                </Card>
              ))}
            </div>
          ) : (
            <Card testId="no-gpu">
              <div className="row" style={{ gap: 14, flexWrap: 'nowrap' }}>
                <div className="empty-icon" style={{ margin: 0, width: 44, height: 44, borderRadius: 12, background: 'var(--surface-2)', display: 'grid', placeItems: 'center', border: '1px solid var(--border)' }}>
                  <Icon name="system" size={20} />
                </div>
                <div>
                  <h3>{t('system.noGpu')}</h3>
                  <p className="muted">{t('system.noGpuHint')}</p>
                  {stats.gpuMessage && <p className="muted small mono">{stats.gpuMessage}</p>}
                </div>
              </div>
            </Card>
          )}
          <Card title={t('system.history')} subtitle={t('system.historyHint')}>
            <EChart option={historyOption} height={220} notMerge={false} />
          </Card>
          <AlertRulesCard />
        </div>
      )}
    </>
  );
}
