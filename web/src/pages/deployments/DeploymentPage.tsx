import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  useContract, useDeployment, useDeploymentHistory, useDeploymentMetrics, usePredict, useRollback, useRotateToken, useSaveMapping,
  useVersions,
} from '../../api/queries';
import type { Deployment, DeploymentContractView, InferenceOutput } from '../../api/types';
import { CanWrite, useAuth } from '../../auth/AuthContext';
import EChart from '../../charts/EChart';
import { forecastOption, latencyOption } from '../../charts/options';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import {
  Alert, Card, CodeBlock, ConfirmDialog, CopyButton, EmptyState, ErrorMessage, Field, PageHeader, QueryView, Skeleton,
  SkeletonLines, SkeletonPage, Stat, Tabs,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtNum, fmtPct } from '../../lib/format';
import { deploymentTitle, versionMove } from '../../lib/deploymentText';
import { latencyPoints, latencySummary, type Snapshot } from '../../lib/latency';
import { futureInputs, mappingRows } from '../../lib/mapping';
import { withAsset } from '../../lib/seriesColumns';
import { ApiKeys } from './ApiKeys';
import { DeploymentStatus } from './DeploymentsPage';
import { MappingEditor } from './MappingEditor';

export default function DeploymentPage() {
  const { id } = useParams();
  const dep = useDeployment(id);
  return <QueryView query={dep} skeleton={<SkeletonPage />}>{(d) => <DeploymentView deployment={d} />}</QueryView>;
}

interface Secret { apiUrl: string; apiToken: string }

function useCreatedOnce(): Secret | null {
  // The token comes in the navigation state once; drop it from history so a reload cannot show it again.
  const location = useLocation();
  const navigate = useNavigate();
  const [created] = useState<Secret | null>(() => (location.state as { created?: Secret } | null)?.created ?? null);
  useEffect(() => {
    if (location.state) navigate(location.pathname, { replace: true, state: null });
  }, [location.state, location.pathname, navigate]);
  return created;
}

function DeploymentView({ deployment: d }: { deployment: Deployment }) {
  const { t, lang } = useI18n();
  const created = useCreatedOnce();
  const [secret, setSecret] = useState<Secret | null>(created);
  const contract = useContract(d.id, d.revision);
  const named = deploymentTitle(d);
  return (
    <>
      <PageHeader crumb={<Link to="/deployments">{t('nav.deployments')}</Link>}
        title={<span className="row" style={{ gap: 10 }} data-testid="deployment-title">{named.title}
          {named.current && <span className="muted">{named.current}</span>}
          <DeploymentStatus status={d.status} /></span>}
        subtitle={<>{t('common.id')} <code>{d.id}</code>{d.assetId ? <> · {t('deployments.assetId')} <code>{d.assetId}</code></> : null}</>}
        actions={<><Link className="btn" to={`/deployments/${d.id}/monitor`} data-testid="open-monitor">{t('watching.open')}</Link>
          <CanWrite><RotateToken id={d.id} onToken={(token) => setSecret({ apiUrl: d.apiUrl, apiToken: token })} /><Rollback deployment={d} /></CanWrite></>} />
      <div className="stack">
        {secret && (
          <div className="alert warn" data-testid="token-once">
            <Icon name="alert" />
            <div style={{ flex: 1 }} className="stack">
              <div><strong>{t('deployments.tokenOnce')}</strong>{t('deployments.tokenOnceHint')}</div>
              <div className="secret"><span className="muted">{t('deployments.apiUrl')}</span><code data-testid="api-url">{secret.apiUrl}</code><CopyButton text={secret.apiUrl} /></div>
              <div className="secret"><span className="muted">{t('deployments.apiToken')}</span><code data-testid="api-token">{secret.apiToken}</code><CopyButton text={secret.apiToken} /></div>
              <div><button className="btn sm" onClick={() => setSecret(null)}>{t('deployments.tokenSaved')}</button></div>
            </div>
          </div>
        )}
        <div className="grid cols-4">
          <Stat label={t('deployments.model')} value={<Link to={`/registry/${encodeURIComponent(d.modelId)}`} style={{ fontSize: 15, overflowWrap: 'anywhere' }}>{d.modelId}</Link>} sub={`v${d.version}${d.followAlias ? ` · @${d.followAlias}` : ''}`} />
          <Stat label={t('common.status')} value={d.status} />
          <Stat label={t('deployments.revision')} value={d.revision} sub={`${d.contract.frequency} · L=${d.contract.lookback} · H=${d.contract.horizon}`} />
          <Stat label={t('common.created')} value={<span style={{ fontSize: 15 }}>{fmtDate(d.createdAt, lang)}</span>} />
        </div>
        <Card title={t('deployments.endpoint')}>
          <div className="secret"><code>{d.apiUrl}</code><CopyButton text={d.apiUrl} /></div>
        </Card>
        <ApiKeys deploymentId={d.id} />
        <ForecastPeriod deployment={d} />
        <div className="grid cols-2">
          <Card title={t('deployments.mapping')} subtitle={t('deployments.mappingHint')} testId="mapping-card">
            <Mapping deployment={d} />
          </Card>
          <TryIt key={`${d.revision}-${contract.data ? 1 : 0}`} deployment={d} contract={contract.data} />
        </div>
        <QueryView query={contract} skeleton={<Skeleton height={200} />}>
          {(c) => <Examples contract={c} />}
        </QueryView>
        <div className="grid side">
          <Latency id={d.id} />
          <History id={d.id} />
        </div>
      </div>
    </>
  );
}

/** What a caller sends for the forecast period (`future` rows) and the holiday calendar the model uses. */
function ForecastPeriod({ deployment: d }: { deployment: Deployment }) {
  const { t } = useI18n();
  const known = futureInputs(d);
  const holidays = d.contract.holidays;
  if (known.length === 0 && !holidays) return null;
  return (
    <Card title={t('deployments.forecastPeriod')} subtitle={t('deployments.forecastPeriodHint', { h: d.contract.horizon, f: d.contract.frequency })} testId="forecast-period">
      <div className="stack">
        {known.length > 0 && (
          <table className="table" data-testid="future-inputs">
            <thead><tr><th>{t('deployments.futureInput')}</th><th>{t('deployments.futureField')}</th><th>{t('deployments.futureUnit')}</th></tr></thead>
            <tbody>
              {known.map((k) => (
                <tr key={k.name}><td>{k.name}{k.required ? '' : ` (${t('deployments.optional')})`}</td><td><code>{k.source}</code></td><td><code>{k.unit}</code></td></tr>
              ))}
            </tbody>
          </table>
        )}
        {holidays && <div data-testid="holidays">{t('deployments.holidays')} <code>{holidays}</code></div>}
      </div>
    </Card>
  );
}

function Mapping({ deployment: d }: { deployment: Deployment }) {
  const { t } = useI18n();
  const { canWrite } = useAuth();
  const notify = useToast();
  const save = useSaveMapping(d.id);
  const rows = mappingRows(d);
  if (rows.length === 0) return <EmptyState title={t('deployments.noInputs')} />;
  return (
    <MappingEditor key={d.revision} rows={rows} fill={d.contract.fill ?? 'linear'} maxMissingRatio={d.contract.maxMissingRatio ?? 0.2}
      readOnly={!canWrite} saving={save.isPending} error={save.error}
      onSave={(m) => save.mutate(m, { onSuccess: () => notify(t('mapping.saved'), 'ok') })} />
  );
}

function TryIt({ deployment: d, contract }: { deployment: Deployment; contract?: DeploymentContractView }) {
  const { t } = useI18n();
  const predict = usePredict();
  const example = contract?.exampleRequest;
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const assets = d.contract.assets ?? [];
  const [asset, setAsset] = useState(assets[0] ?? '');
  useEffect(() => {
    if (example && !text) setText(JSON.stringify(example, null, 2));
  }, [example, text]);
  const run = () => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
      setParseError(null);
    } catch (err) {
      setParseError(err instanceof Error ? err.message : String(err));
      return;
    }
    predict.mutate(withAsset({ ...body, deploymentId: d.id, series: (body.series ?? body.historical_data ?? []) as Record<string, unknown>[] }, assets, asset));
  };
  return (
    <Card title={t('deployments.tryIt')} subtitle={t('deployments.tryItHint')} testId="try-it" actions={
      <button className="btn primary sm" disabled={predict.isPending || !text} onClick={run} data-testid="run-predict">
        {predict.isPending ? <span className="spinner" /> : <Icon name="play" size={14} />} {t('deployments.predict')}
      </button>
    }>
      <div className="stack">
        {assets.length > 0 && (
          <Field label={t('deployments.asset')} hint={t('deployments.assetHint', { n: assets.length })}>
            <select value={asset} onChange={(e) => setAsset(e.target.value)} data-testid="predict-asset">
              {assets.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </Field>
        )}
        <textarea rows={10} className="mono" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false}
          aria-label={t('deployments.request')} data-testid="predict-input" style={{ width: '100%', fontSize: 12 }} />
        {parseError && <Alert kind="error" title={t('deployments.badJson')}>{parseError}</Alert>}
        {predict.error ? <ErrorMessage error={predict.error} /> : null}
        {predict.data && <Output out={predict.data} />}
      </div>
    </Card>
  );
}

function Output({ out }: { out: InferenceOutput }) {
  const { t } = useI18n();
  const option = useMemo(() => forecastOption(out, { forecast: t('deployments.forecast'), band: 'p05–p95' }), [out, t]);
  return (
    <div className="stack" data-testid="predict-output">
      <div className="row small">
        <span className="badge ok">{t('deployments.standardOutput')}</span>
        <span className="muted">{out.values.length} × {out.unit} · {t('deployments.confidence')} {fmtPct(out.confidence)}</span>
      </div>
      {out.warnings.map((w, i) => <Alert key={i} kind="warn" title={w.code}>{w.message}</Alert>)}
      <EChart option={option} height={220} testId="forecast-chart" />
      <CodeBlock code={JSON.stringify(out, null, 2)} testId="predict-json" />
    </div>
  );
}

function Examples({ contract: c }: { contract: DeploymentContractView }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<'output' | 'python' | 'curl' | 'request' | 'contract'>('output');
  const code = {
    output: c.exampleOutput ? JSON.stringify(c.exampleOutput, null, 2) : c.exampleError ? `// ${c.exampleError}` : '',
    python: c.snippets.python ?? '',
    curl: c.snippets.curl ?? '',
    request: JSON.stringify(c.exampleRequest, null, 2),
    contract: JSON.stringify(c.contract, null, 2),
  }[tab];
  return (
    <Card title={t('deployments.examples')} subtitle={t('screens.answerUnit', { unit: c.answerUnit, output: c.contract.target.outputUnit })} testId="examples">
      <Tabs value={tab} onChange={setTab} tabs={[
        { key: 'output', label: t('deployments.exampleOutput') },
        { key: 'python', label: 'Python' },
        { key: 'curl', label: 'curl' },
        { key: 'request', label: t('deployments.exampleRequest') },
        { key: 'contract', label: t('deployments.contract') },
      ]} />
      {code ? <CodeBlock code={code} testId={`example-${tab}`} /> : <p className="muted">{t('deployments.noExample')}</p>}
    </Card>
  );
}

function Latency({ id }: { id: string }) {
  const { t } = useI18n();
  const metrics = useDeploymentMetrics(id);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  useEffect(() => {
    const m = metrics.data;
    if (!m?.available) return;
    setSnapshots((list) => (list.at(-1)?.at === m.scrapedAt ? list : [...list, { at: m.scrapedAt, series: m.series }].slice(-120)));
  }, [metrics.data]);
  const points = useMemo(() => latencyPoints(snapshots), [snapshots]);
  const option = useMemo(
    () => latencyOption(points, { request: t('deployments.request'), queue: t('deployments.queue'), compute: t('deployments.compute') }),
    [points, t],
  );
  return (
    <Card title={t('deployments.latency')} subtitle={t('deployments.latencyHint')} testId="latency">
      <QueryView query={metrics} skeleton={<Skeleton height={240} />}>
        {(m) => {
          if (!m.available) return <Alert kind="info" title={t('deployments.noMetrics')}>{m.message}</Alert>;
          const sum = latencySummary(m.series, points.slice(-12));
          return (
            <div className="stack">
              <div className="grid cols-4">
                <Stat label={t('deployments.requests')} value={sum.requests.toLocaleString()} sub={sum.failures ? t('deployments.failures', { n: sum.failures }) : undefined} />
                <Stat label={t('deployments.meanRequest')} value={sum.requestMs == null ? '—' : `${fmtNum(sum.requestMs, 2)} ms`} sub={sum.p99Ms == null || !sum.recent ? undefined : `p99 ${fmtNum(sum.p99Ms, 2)} ms`} />
                <Stat label={t('deployments.queue')} value={sum.queueMs == null ? '—' : `${fmtNum(sum.queueMs, 3)} ms`} />
                <Stat label={t('deployments.compute')} value={sum.computeMs == null ? '—' : `${fmtNum(sum.computeMs, 2)} ms`} />
              </div>
              {points.length === 0 ? <EmptyState title={t('deployments.noLatency')} text={t('deployments.noLatencyHint')} /> : (
                <EChart option={option} height={240} testId="latency-chart" />
              )}
            </div>
          );
        }}
      </QueryView>
    </Card>
  );
}

function History({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const history = useDeploymentHistory(id);
  return (
    <Card title={t('deployments.history')}>
      <QueryView query={history} skeleton={<SkeletonLines />}>
        {(list) => list.length === 0 ? <p className="muted">—</p> : (
          <ul className="timeline" data-testid="deployment-history">
            {[...list].reverse().slice(0, 12).map((c) => (
              <li key={c.revision}>
                <div><strong>r{c.revision}</strong> {c.kind}{versionMove(c.details) ? <> · <span className="mono">{versionMove(c.details)}</span></> : null}</div>
                <div className="small muted">{c.actor} · {fmtDate(c.createdAt, lang)}</div>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Card>
  );
}

function RotateToken({ id, onToken }: { id: string; onToken: (token: string) => void }) {
  const { t } = useI18n();
  const rotate = useRotateToken(id);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="btn" onClick={() => setOpen(true)} data-testid="rotate-token"><Icon name="refresh" /> {t('deployments.rotate')}</button>
      {open && (
        <ConfirmDialog title={t('deployments.rotate')} text={t('deployments.rotateText')} confirmLabel={t('deployments.rotate')} danger
          busy={rotate.isPending} error={rotate.error} onCancel={() => setOpen(false)}
          onConfirm={() => rotate.mutate(undefined, { onSuccess: (c) => { onToken(c.apiToken); setOpen(false); } })} />
      )}
    </>
  );
}

function Rollback({ deployment: d }: { deployment: Deployment }) {
  const { t } = useI18n();
  const notify = useToast();
  const versions = useVersions(d.modelId);
  const rollback = useRollback(d.id);
  const [target, setTarget] = useState<number | null>(null);
  const older = (versions.data?.items ?? []).filter((v) => v.version !== d.version).sort((a, b) => b.version - a.version);
  return (
    <>
      <select className="btn" value="" disabled={older.length === 0} onChange={(e) => setTarget(Number(e.target.value))} aria-label={t('deployments.rollback')} data-testid="rollback-select">
        <option value="">{older.length ? t('deployments.rollbackTo') : t('deployments.noOlder')}</option>
        {older.map((v) => <option key={v.version} value={v.version}>v{v.version} · {v.stage}</option>)}
      </select>
      {target !== null && (
        <ConfirmDialog title={t('deployments.rollback')} text={t('deployments.rollbackText', { from: d.version, to: target })}
          confirmLabel={t('deployments.rollback')} busy={rollback.isPending} error={rollback.error} onCancel={() => setTarget(null)}
          onConfirm={() => rollback.mutate(target, { onSuccess: () => { notify(t('deployments.rolledBack', { v: target }), 'ok'); setTarget(null); } })} />
      )}
    </>
  );
}
