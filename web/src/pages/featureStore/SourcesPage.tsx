/** Sensor sources (devices): topic, mapping, live message rate and the last payload; the live streams. */
import { Link } from 'react-router';
import { Badge, Card, EmptyState, PageHeader, QueryView, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useDevices, useStreams } from './queries';

export default function SourcesPage() {
  const { t } = useI18n();
  const devices = useDevices();
  const streams = useStreams();
  return (
    <>
      <PageHeader title={t('featureStore.sourcesTitle')} subtitle={t('featureStore.sourcesSubtitle')} />
      <div className="stack">
        <QueryView query={devices} skeleton={<SkeletonTable />}>
          {(list) => list.length === 0 ? <EmptyState title={t('featureStore.noSources')} text={t('featureStore.noSourcesHint')} /> : (
            <div className="grid cols-2">
              {list.map((d) => (
                <Card key={d.id} title={d.name} subtitle={`${d.kind} · ${d.broker} · ${d.topic}`} testId="source-card">
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
              <thead><tr><th>{t('featureStore.deployment')}</th><th>{t('featureStore.entity')}</th><th>{t('featureStore.status')}</th><th>{t('featureStore.lastPoint')}</th></tr></thead>
              <tbody>{streams.data.map((s) => (
                <tr key={s.id}>
                  <td><Link to={`/live/${encodeURIComponent(s.deploymentId)}`}>{s.deploymentId}</Link></td>
                  <td>{s.entity}</td><td><Badge tone={s.status === 'running' ? 'ok' : 'neutral'}>{s.status}</Badge></td>
                  <td className="mono small">{s.lastPoint ?? '—'}</td>
                </tr>
              ))}</tbody>
            </table>
          ) : <p className="muted">{t('featureStore.noStreams')}</p>}
        </Card>
      </div>
    </>
  );
}
