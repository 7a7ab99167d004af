/** Sensor sources (devices): topic, mapping, live message rate and the last payload; the live streams. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Badge, Card, EmptyState, ErrorMessage, PageHeader, QueryView, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { CreateSource, StartStream } from './forms';
import { useDevices, useStreams } from './queries';

function StopStream({ deploymentId }: { deploymentId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const stop = useMutation({
    mutationFn: () => unwrap(api.POST('/api/inference/stream/stop', { body: { deploymentId } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['streams'] }),
  });
  return (
    <>
      <button className="btn sm" disabled={stop.isPending} onClick={() => stop.mutate()} data-testid="stream-stop">{t('featureStore.form.stop')}</button>
      {stop.error ? <ErrorMessage error={stop.error} /> : null}
    </>
  );
}

export default function SourcesPage() {
  const { t } = useI18n();
  const devices = useDevices();
  const streams = useStreams();
  const [dialog, setDialog] = useState<'source' | 'stream' | null>(null);
  return (
    <>
      <PageHeader title={t('featureStore.sourcesTitle')} subtitle={t('featureStore.sourcesSubtitle')} actions={
        <>
          <button className="btn" disabled={!devices.data?.length} onClick={() => setDialog('stream')} data-testid="stream-new">{t('featureStore.form.newStream')}</button>
          <button className="btn primary" onClick={() => setDialog('source')} data-testid="source-new">{t('featureStore.form.newSource')}</button>
        </>
      } />
      {dialog === 'source' && <CreateSource onClose={() => setDialog(null)} />}
      {dialog === 'stream' && <StartStream devices={devices.data ?? []} onClose={() => setDialog(null)} />}
      <div className="stack">
        <QueryView query={devices} skeleton={<SkeletonTable />}>
          {(list) => list.length === 0 ? <EmptyState title={t('featureStore.noSources')} text={t('featureStore.noSourcesHint')} /> : (
            <div className="grid cols-2">
              {list.map((d) => (
                <Card key={d.id} title={d.name} subtitle={d.kind === 'http' ? `HTTP · POST /api/inference/devices/${d.id}/readings · ${d.topic}` : `${d.kind} · ${d.broker} · ${d.topic}`} testId="source-card">
                  <div className="row" style={{ gap: 8 }}>
                    <Badge tone="info">{t('featureStore.rate', { n: d.messagesPerMinute })}</Badge>
                    <Badge>{t('featureStore.messages', { n: d.messages })}</Badge>
                    <Badge tone={d.malformed ? 'warn' : 'neutral'}>{t('featureStore.malformed', { n: d.malformed })}</Badge>
                  </div>
                  <p className="small muted">{t('featureStore.lastPayload')} {d.lastMessageAt ? new Date(d.lastMessageAt).toLocaleTimeString() : '—'}</p>
                  <pre className="mono small" data-testid="source-payload" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{d.lastPayload ?? '—'}</pre>
                  {d.lastError && <p className="small" style={{ color: 'var(--danger)' }}>{d.lastError}</p>}
                </Card>
              ))}
            </div>
          )}
        </QueryView>
        <Card title={t('featureStore.streams')} testId="streams">
          {streams.data?.length ? (
            <table className="table">
              <thead><tr><th>{t('featureStore.deployment')}</th><th>{t('featureStore.entity')}</th><th>{t('featureStore.status')}</th><th>{t('featureStore.lastPoint')}</th><th /></tr></thead>
              <tbody>{streams.data.map((s) => (
                <tr key={s.id}>
                  <td><Link to={`/live/${encodeURIComponent(s.deploymentId)}`}>{s.deploymentId}</Link></td>
                  <td>{s.entity}</td><td><Badge tone={s.status === 'running' ? 'ok' : 'neutral'}>{s.status}</Badge></td>
                  <td className="mono small">{s.lastPoint ?? '—'}</td>
                  <td>{s.status === 'running' ? <StopStream deploymentId={s.deploymentId} /> : null}</td>
                </tr>
              ))}</tbody>
            </table>
          ) : <p className="muted">{t('featureStore.noStreams')}</p>}
        </Card>
      </div>
    </>
  );
}
