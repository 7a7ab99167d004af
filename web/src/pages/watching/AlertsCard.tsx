/** Alert rules of a deployment (a webhook per rule) and the log of their deliveries. */
import { useState } from 'react';
import { CanWrite } from '../../auth/AuthContext';
import { Badge, Card, EmptyState, ErrorMessage, QueryView } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';
import { useAddRule, useAlertRules, useDeliveries } from './queries';

export function AlertsCard({ deploymentId }: { deploymentId: string }) {
  const { t, lang } = useI18n();
  const rules = useAlertRules(deploymentId);
  const deliveries = useDeliveries(deploymentId);
  const add = useAddRule(deploymentId);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  return (
    <Card title={t('watching.alerts')} subtitle={t('watching.alertsHint')} testId="monitor-alerts">
      <div className="stack">
        <QueryView query={rules} skeleton={<div style={{ height: 40 }} />}>
          {(list) => list.length === 0 ? <p className="muted">{t('watching.noRules')}</p> : (
            <ul>{list.map((r) => <li key={r.id}><code>{r.webhookUrl}</code> <span className="muted">({r.createdBy}, {fmtDate(r.createdAt, lang)})</span></li>)}</ul>
          )}
        </QueryView>
        <CanWrite>
          <form className="row" style={{ gap: 6, flexWrap: 'wrap' }} onSubmit={(ev) => {
            ev.preventDefault();
            add.mutate({ webhookUrl: url, secret }, { onSuccess: () => { setUrl(''); setSecret(''); } });
          }}>
            <input className="sm" style={{ minWidth: 240 }} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://..." aria-label={t('watching.webhookUrl')} />
            <input className="sm" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder={t('watching.secret')} aria-label={t('watching.secret')} />
            <button className="btn sm" type="submit" disabled={!url || secret.length < 8 || add.isPending}>{t('watching.addRule')}</button>
          </form>
          {add.error ? <ErrorMessage error={add.error} /> : null}
        </CanWrite>
        <h3>{t('watching.deliveries')}</h3>
        <QueryView query={deliveries} skeleton={<div style={{ height: 40 }} />}>
          {(list) => list.length === 0 ? <EmptyState title={t('watching.noDeliveries')} /> : (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th>{t('watching.when')}</th><th>{t('watching.status')}</th><th>{t('watching.attempts')}</th></tr></thead>
                <tbody>
                  {list.map((d) => (
                    <tr key={d.id}>
                      <td>{fmtDate(d.createdAt, lang)}</td>
                      <td><Badge tone={d.delivered ? 'ok' : 'danger'}>{d.delivered ? t('watching.delivered') : t('watching.failed')}</Badge></td>
                      <td>{d.attempts.map((a) => String(a.status ?? a.error ?? '?')).join(' → ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </div>
    </Card>
  );
}
