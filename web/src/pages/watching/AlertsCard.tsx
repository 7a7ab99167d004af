/** Alert rules of a deployment (anomaly events, live coverage, live MAE against the naive,
 * missing data; a webhook per rule) with their state, and the log of their deliveries. */
import { useState } from 'react';
import { CanWrite } from '../../auth/AuthContext';
import { Badge, Card, EmptyState, ErrorMessage, QueryView, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtNum, fmtPct } from '../../lib/format';
import { alertMessage } from '../../lib/serverText';
import { type AlertRule, type AlertRuleBody, useAddRule, useAlertRules, useDeleteRule, useDeliveries } from './queries';

type Kind = NonNullable<AlertRuleBody['kind']>;
const KINDS: Kind[] = ['anomaly_event', 'coverage', 'mae_vs_naive', 'no_data'];
const DEFAULTS: Record<Kind, { threshold: string; window: string }> = {
  anomaly_event: { threshold: '', window: '' },
  coverage: { threshold: '0.8', window: '1440' },
  mae_vs_naive: { threshold: '1', window: '1440' },
  no_data: { threshold: '', window: '60' },
};

function condition(r: AlertRule, name: string): string {
  if (r.kind === 'coverage') return `${name} ${fmtPct(r.threshold, 0)} · ${r.windowMinutes} min`;
  if (r.kind === 'mae_vs_naive') return `${name} ${fmtNum(r.threshold)} · ${r.windowMinutes} min`;
  if (r.kind === 'no_data') return `${name} ${r.windowMinutes} min`;
  return name;
}

function shown(r: AlertRule): string {
  if (r.lastValue == null) return '-';
  if (r.kind === 'coverage') return fmtPct(r.lastValue);
  if (r.kind === 'no_data') return `${fmtNum(r.lastValue)} min`;
  return fmtNum(r.lastValue);
}

export function AlertsCard({ deploymentId }: { deploymentId: string }) {
  const { t, lang } = useI18n();
  const rules = useAlertRules(deploymentId);
  const deliveries = useDeliveries(deploymentId);
  const add = useAddRule(deploymentId);
  const remove = useDeleteRule(deploymentId);
  const [kind, setKind] = useState<Kind>('anomaly_event');
  const [threshold, setThreshold] = useState('');
  const [windowMinutes, setWindowMinutes] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const pick = (next: Kind) => {
    setKind(next);
    setThreshold(DEFAULTS[next].threshold);
    setWindowMinutes(DEFAULTS[next].window);
  };
  const submit = () => {
    const body: AlertRuleBody = { kind, webhookUrl: url, secret };
    if (threshold !== '') body.threshold = Number(threshold);
    if (windowMinutes !== '') body.windowMinutes = Number(windowMinutes);
    add.mutate(body, { onSuccess: () => { setUrl(''); setSecret(''); } });
  };
  return (
    <Card title={t('watching.alerts')} subtitle={t('watching.alertsHint')} testId="monitor-alerts">
      <div className="stack">
        <QueryView query={rules} skeleton={<div style={{ height: 40 }} />}>
          {(list) => list.length === 0 ? <p className="muted">{t('watching.noRules')}</p> : (
            <Table head={<tr><th>{t('watching.ruleKind')}</th><th>{t('watching.webhookUrl')}</th><th>{t('watching.status')}</th><th>{t('watching.lastValue')}</th><th /></tr>}>
              {list.map((r) => (
                <tr key={r.id} data-testid="alert-rule">
                  <td>{condition(r, t(`watching.ruleKinds.${r.kind as Kind}`))}</td>
                  <td><code>{r.webhookUrl}</code> <span className="muted">({r.createdBy}, {fmtDate(r.createdAt, lang)})</span></td>
                  <td>{r.firingSince
                    ? <Badge tone="danger">{t('watching.firing', { when: fmtDate(r.firingSince, lang) })}</Badge>
                    : <Badge tone="ok">{t('watching.ok')}</Badge>}</td>
                  <td>{shown(r)}</td>
                  <td><CanWrite><button className="btn sm" disabled={remove.isPending} onClick={() => remove.mutate(r.id)}>{t('watching.deleteRule')}</button></CanWrite></td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
        <CanWrite>
          <form className="row" style={{ gap: 6, flexWrap: 'wrap' }} onSubmit={(ev) => { ev.preventDefault(); submit(); }}>
            <select className="sm" value={kind} onChange={(e) => pick(e.target.value as Kind)} aria-label={t('watching.ruleKind')}>
              {KINDS.map((k) => <option key={k} value={k}>{t(`watching.ruleKinds.${k}`)}</option>)}
            </select>
            {(kind === 'coverage' || kind === 'mae_vs_naive') && (
              <input className="sm" style={{ width: 80 }} type="number" step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-label={t('watching.threshold')} />
            )}
            {kind !== 'anomaly_event' && (
              <input className="sm" style={{ width: 90 }} type="number" min={1} value={windowMinutes} onChange={(e) => setWindowMinutes(e.target.value)} aria-label={t('watching.windowMinutes')} />
            )}
            <input className="sm" style={{ minWidth: 240 }} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://..." aria-label={t('watching.webhookUrl')} />
            <input className="sm" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder={t('watching.secret')} aria-label={t('watching.secret')} />
            <button className="btn sm" type="submit" disabled={!url || secret.length < 8 || add.isPending}>{t('watching.addRule')}</button>
          </form>
          {add.error ? <ErrorMessage error={add.error} /> : null}
        </CanWrite>
        <h3>{t('watching.deliveries')}</h3>
        <QueryView query={deliveries} skeleton={<div style={{ height: 40 }} />}>
          {(list) => list.length === 0 ? <EmptyState title={t('watching.noDeliveries')} /> : (
            <Table head={<tr><th>{t('watching.when')}</th><th>{t('watching.message')}</th><th>{t('watching.status')}</th><th>{t('watching.attempts')}</th></tr>}>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>{fmtDate(d.createdAt, lang)}</td>
                  <td data-testid="delivery-message">{alertMessage(lang, d)}</td>
                  <td><Badge tone={d.delivered ? 'ok' : 'danger'}>{d.delivered ? t('watching.delivered') : t('watching.failed')}</Badge></td>
                  <td>{d.attempts.map((a) => String(a.status ?? a.error ?? '?')).join(' → ')}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </div>
    </Card>
  );
}
