/** Feature groups with their features and units, freshness, runs, schedules and an online lookup. */
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Badge, Card, EmptyState, ErrorMessage, Field, Kv, PageHeader, Progress, QueryView, SkeletonTable } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { CreateGroup } from './forms';
import { useGroups, useMonitoring, useRuns, useSchedules, type Group } from './queries';

function fmtAge(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

const fetchOnline = (entity: string, features: string) =>
  unwrap(api.GET('/api/v2/feature-store/online', { params: { query: { entity, features } } }));

function OnlineLookup({ group }: { group: Group }) {
  const { t } = useI18n();
  const [entity, setEntity] = useState('');
  const [answer, setAnswer] = useState<Awaited<ReturnType<typeof fetchOnline>> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const look = async () => {
    setError(null);
    const features = group.features.map((f) => `${group.name}.${f.name}`).join(',');
    try {
      setAnswer(await fetchOnline(entity, features));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card title={t('featureStore.online')} subtitle={t('featureStore.onlineHint')} testId="fs-online">
      <div className="row" style={{ gap: 8 }}>
        <Field label={t('featureStore.entity')}>
          <input value={entity} onChange={(e) => setEntity(e.target.value)} placeholder="meter-1" data-testid="fs-entity" />
        </Field>
        <button className="btn" disabled={!entity} onClick={() => void look()}>{t('featureStore.lookup')}</button>
      </div>
      {error ? <ErrorMessage error={error} /> : null}
      {answer && (
        <table className="table" data-testid="fs-online-values">
          <thead><tr><th>{t('featureStore.feature')}</th><th>{t('featureStore.value')}</th><th>{t('featureStore.eventTime')}</th></tr></thead>
          <tbody>{answer.values.map((v) => <tr key={v.feature}><td className="mono">{v.feature}</td><td>{v.value == null ? '—' : String(v.value)}</td><td className="mono small">{v.eventTime ?? '—'}</td></tr>)}</tbody>
        </table>
      )}
    </Card>
  );
}

function GroupDetail({ group }: { group: Group }) {
  const { t } = useI18n();
  const health = useMonitoring(group.id);
  const runs = useRuns(group.id);
  const schedules = useSchedules(group.id);
  return (
    <div className="stack">
      <Card title={group.name} subtitle={group.description || undefined} testId="fs-group">
        <Kv items={[
          ['featureStore.source', `${group.sourceType}${group.sourceUri ? ` · ${group.sourceUri}` : ''}`],
          ['featureStore.entity', group.entity],
          ['featureStore.freshness', fmtAge(health.data?.freshnessSeconds)],
          ['featureStore.rowRate', health.data ? `${health.data.rowsPerMinute.toFixed(2)} / min` : '—'],
        ]} />
        <table className="table" data-testid="fs-features">
          <thead><tr><th>{t('featureStore.feature')}</th><th>dtype</th><th>{t('featureStore.unit')}</th><th>{t('featureStore.version')}</th><th>{t('featureStore.nulls')}</th><th>{t('featureStore.outOfRange')}</th></tr></thead>
          <tbody>
            {group.features.map((f) => {
              const h = health.data?.features.find((x) => x.feature === f.name);
              return (
                <tr key={f.name}>
                  <td className="mono">{f.name}</td><td>{f.dtype}</td><td>{f.unit ?? '—'}</td><td>v{f.version}</td>
                  <td>{h ? `${(h.nullShare * 100).toFixed(1)} %` : '—'}</td><td>{h ? `${(h.outOfRangeShare * 100).toFixed(1)} %` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      <Card title={t('featureStore.runs')} testId="fs-runs">
        {runs.data?.length ? (
          <table className="table">
            <thead><tr><th>id</th><th>{t('featureStore.mode')}</th><th>{t('featureStore.status')}</th><th>{t('featureStore.rows')}</th><th>{t('featureStore.duration')}</th></tr></thead>
            <tbody>{runs.data.map((r) => (
              <tr key={r.id}>
                <td className="mono small">{r.id}</td><td>{r.mode}</td>
                <td><Badge tone={r.status === 'succeeded' ? 'ok' : r.status === 'failed' ? 'danger' : 'info'}>{r.status}</Badge>{r.status === 'running' && <Progress value={r.progress * 100} />}</td>
                <td>{r.rows}</td><td>{r.durationSeconds == null ? '—' : `${r.durationSeconds.toFixed(1)} s`}</td>
              </tr>
            ))}</tbody>
          </table>
        ) : <p className="muted">{t('featureStore.noRuns')}</p>}
        {schedules.data?.length ? <p className="small muted">{t('featureStore.schedules')}: {schedules.data.map((s) => s.cron).join(' · ')}</p> : null}
      </Card>
      <OnlineLookup group={group} />
    </div>
  );
}

export default function FeatureStorePage() {
  const { t } = useI18n();
  const groups = useGroups();
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader title={t('featureStore.title')} subtitle={t('featureStore.subtitle')}
        actions={<button className="btn primary" onClick={() => setCreating(true)} data-testid="group-new">{t('featureStore.form.newGroup')}</button>} />
      {creating && <CreateGroup onClose={() => setCreating(false)} onCreated={setSelected} />}
      <QueryView query={groups} skeleton={<SkeletonTable />}>
        {(page) => page.items.length === 0 ? <EmptyState title={t('featureStore.empty')} text={t('featureStore.emptyHint')} /> : (
          <div className="grid cols-2" style={{ alignItems: 'start' }}>
            <Card title={t('featureStore.groups')} flush testId="fs-groups">
              <table className="table">
                <thead><tr><th>{t('featureStore.name')}</th><th>{t('featureStore.source')}</th><th>{t('featureStore.features')}</th></tr></thead>
                <tbody>{page.items.map((g) => (
                  <tr key={g.id} className={selected === g.id ? 'selected' : ''} onClick={() => setSelected(g.id)} style={{ cursor: 'pointer' }}>
                    <td>{g.name}</td><td><Badge>{g.sourceType}</Badge></td><td>{g.features.map((f) => `${f.name}${f.unit ? ` [${f.unit}]` : ''}`).join(', ')}</td>
                  </tr>
                ))}</tbody>
              </table>
            </Card>
            {(() => {
              const group = page.items.find((g) => g.id === selected) ?? page.items[0];
              return group ? <GroupDetail key={group.id} group={group} /> : null;
            })()}
          </div>
        )}
      </QueryView>
    </>
  );
}
