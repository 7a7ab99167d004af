/** System alert rules (thresholds on the host's metrics) and the events they fired. */
import { useState } from 'react';
import { useAuth } from '../../auth/AuthContext';
import { Badge, Card, EmptyState, ErrorMessage, QueryView, Skeleton } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';
import { useAddAlertRule, useAlertEvents, useAlertRules, useEvaluateAlerts, useRemoveAlertRule, type SystemAlertRuleIn } from './queries';
import './home.css';

const METRICS: SystemAlertRuleIn['metric'][] = ['gpuUtilization', 'gpuTemperature', 'gpuMemory', 'cpu', 'memory', 'disk', 'queueLength', 'workersAlive'];
const OPS: SystemAlertRuleIn['op'][] = ['>', '>=', '<', '<='];

export function AlertRulesCard() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const rules = useAlertRules();
  const events = useAlertEvents(false, 20);
  const add = useAddAlertRule();
  const remove = useRemoveAlertRule();
  const evaluate = useEvaluateAlerts();
  const [draft, setDraft] = useState<SystemAlertRuleIn>({ name: '', metric: 'gpuTemperature', op: '>', threshold: 85 });
  return (
    <Card title={t('alerts.rules')} testId="alert-rules"
      actions={user?.role !== 'viewer' ? <button className="btn sm" onClick={() => evaluate.mutate()} disabled={evaluate.isPending}>{t('alerts.evaluate')}</button> : null}>
      <QueryView query={rules} skeleton={<Skeleton height={60} />}>
        {(list) => list.length === 0 ? <EmptyState title={t('alerts.noRules')} text={t('alerts.noRulesHint')} /> : (
          <ul className="home-list">
            {list.map((r) => (
              <li key={r.id}>
                <span>{r.name}: {r.metric} {r.op} {r.threshold}</span>
                {admin && <button className="btn ghost sm" onClick={() => remove.mutate(r.id)}>{t('common.remove')}</button>}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      {admin && (
        <form className="row" style={{ marginTop: 12, alignItems: 'flex-end' }} onSubmit={(e) => { e.preventDefault(); add.mutate(draft, { onSuccess: () => setDraft({ ...draft, name: '' }) }); }}>
          <label className="field-inline">{t('common.name')}<input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required data-testid="alert-name" /></label>
          <label className="field-inline">{t('alerts.metric')}
            <select value={draft.metric} onChange={(e) => setDraft({ ...draft, metric: e.target.value as SystemAlertRuleIn['metric'] })}>{METRICS.map((m) => <option key={m}>{m}</option>)}</select>
          </label>
          <label className="field-inline">{t('alerts.op')}
            <select value={draft.op} onChange={(e) => setDraft({ ...draft, op: e.target.value as SystemAlertRuleIn['op'] })}>{OPS.map((o) => <option key={o}>{o}</option>)}</select>
          </label>
          <label className="field-inline">{t('alerts.threshold')}<input type="number" value={draft.threshold} onChange={(e) => setDraft({ ...draft, threshold: Number(e.target.value) })} /></label>
          <button className="btn primary sm" type="submit" disabled={add.isPending}>{t('alerts.add')}</button>
        </form>
      )}
      {add.error ? <ErrorMessage error={add.error} /> : null}
      <h3 style={{ marginTop: 16 }}>{t('alerts.events')}</h3>
      <QueryView query={events} skeleton={<Skeleton height={40} />}>
        {(list) => list.length === 0 ? <p className="muted small">{t('alerts.noneOpen')}</p> : (
          <ul className="home-list" data-testid="alert-events">
            {list.map((e) => (
              <li key={e.id}>
                <span>{e.message}</span>
                <span className="row" style={{ gap: 6 }}>
                  <span className="small muted">{fmtDate(e.firedAt, lang)}</span>
                  <Badge tone={e.resolvedAt ? 'neutral' : 'warn'}>{e.resolvedAt ? t('alerts.resolved') : t('alerts.open')}</Badge>
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Card>
  );
}
