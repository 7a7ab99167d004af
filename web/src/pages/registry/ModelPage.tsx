import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useJob, useModel, useSetAlias, useStageHistory, useTransitionStage, useVersions } from '../../api/queries';
import type { ModelVersion, RegisteredModel, Stage } from '../../api/types';
import { CanWrite } from '../../auth/AuthContext';
import EChart from '../../charts/EChart';
import { versionMetricsOption } from '../../charts/options';
import { Icon } from '../../components/icons';
import { Markdown } from '../../components/Markdown';
import { useToast } from '../../components/toast';
import {
  Badge, Card, EmptyState, ErrorMessage, Field, PageHeader, QueryView, SkeletonLines, SkeletonPage,
  SkeletonTable, Table, type Tone,
} from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate, fmtNum, shortId } from '../../lib/format';
import { flatModelMetrics } from '../../lib/metrics';
import { cardHeadings } from '../../lib/serverText';
import { DeployDialog } from '../deployments/DeployDialog';
import { LineageGraph } from './LineageGraph';
import { ModelRecordActions, VersionRecord } from './ModelRecords';

const STAGES: Stage[] = ['None', 'Staging', 'Production', 'Archived'];
const STAGE_TONE: Record<string, Tone> = { None: 'neutral', Staging: 'warn', Production: 'ok', Archived: 'neutral' };

export default function ModelPage() {
  const { modelId } = useParams();
  const model = useModel(modelId);
  return <QueryView query={model} skeleton={<SkeletonPage />}>{(m) => <ModelView model={m} />}</QueryView>;
}

export function StageBadge({ stage }: { stage: string }) {
  return <Badge tone={STAGE_TONE[stage] ?? 'neutral'}>{stage}</Badge>;
}

function ModelView({ model }: { model: RegisteredModel }) {
  const { t, lang } = useI18n();
  const versions = useVersions(model.name);
  const history = useStageHistory(model.name);
  const sorted = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  const [picked, setPicked] = useState<number | null>(null);
  const [deploying, setDeploying] = useState<ModelVersion | null>(null);
  const selected = picked ?? sorted[0]?.version ?? null;
  const current = sorted.find((v) => v.version === selected);
  return (
    <>
      <PageHeader crumb={<Link to="/registry">{t('nav.registry')}</Link>} title={model.name} subtitle={model.description || undefined}
        actions={<>{Object.entries(model.aliases).map(([a, v]) => <span key={a} className="tag">@{a} → v{v}</span>)}
          {(model.tags ?? []).map((tag) => <span key={tag} className="tag" data-testid="model-tag">{tag}</span>)}
          <CanWrite><ModelRecordActions key={`${model.name}-${model.updatedAt}`} model={model} /></CanWrite></>} />
      <div className="stack">
        <Card flush title={t('registry.versions')}>
          <QueryView query={versions} skeleton={<SkeletonTable />}>
            {() => sorted.length === 0 ? <EmptyState title={t('registry.noVersions')} /> : (
              <Table testId="versions-table" head={<tr><th>{t('registry.version')}</th><th>{t('registry.stage')}</th><th>{t('registry.aliases')}</th><th className="num">MAE</th><th className="num">{t('registry.coverage')}</th><th>{t('registry.source')}</th><th>{t('common.created')}</th><th /></tr>}>
                {sorted.map((v) => {
                  const m = flatModelMetrics(v.metrics);
                  return (
                    <tr key={v.version} className="clickable" onClick={() => setPicked(v.version)} style={v.version === selected ? { background: 'var(--accent-soft)' } : undefined}>
                      <td><strong>v{v.version}</strong></td>
                      <td><StageBadge stage={v.stage} /></td>
                      <td>{v.aliases.map((a) => <span key={a} className="tag" style={{ marginRight: 4 }}>@{a}</span>)}</td>
                      <td className="num">{fmtNum(m.mae, 4)}</td>
                      <td className="num">{m.coverage != null ? `${(m.coverage * 100).toFixed(1)}%` : '—'}</td>
                      <td className="small">{v.sourceJobId ? <Link to={`/training/${v.sourceJobId}`} onClick={(e) => e.stopPropagation()}>{t('training.job')} {shortId(v.sourceJobId)}</Link> : '—'}</td>
                      <td className="small muted nowrap">{fmtDate(v.createdAt, lang)}</td>
                      <td><CanWrite><button className="btn sm" onClick={(e) => { e.stopPropagation(); setDeploying(v); }} data-testid="deploy-version"><Icon name="deployments" size={14} /> {t('registry.deploy')}</button></CanWrite></td>
                    </tr>
                  );
                })}
              </Table>
            )}
          </QueryView>
        </Card>
        <div className="grid cols-2">
          <MetricsChart versions={sorted} />
          <Card title={t('registry.history')}>
            <QueryView query={history} skeleton={<SkeletonLines />}>
              {(list) => list.length === 0 ? <p className="muted">{t('registry.noHistory')}</p> : (
                <ul className="timeline" data-testid="stage-history">
                  {[...list].reverse().map((h, i) => (
                    <li key={i}>
                      <div><strong>v{h.version}</strong> {h.fromStage} → <StageBadge stage={h.toStage} /></div>
                      <div className="small muted">{h.actor} · {fmtDate(h.at, lang)}{h.comment ? ` · “${h.comment}”` : ''}</div>
                    </li>
                  ))}
                </ul>
              )}
            </QueryView>
          </Card>
        </div>
        {current && (
          <>
            <CanWrite><VersionActions key={`${current.version}-${current.stage}`} modelId={model.name} version={current} /></CanWrite>
            <CanWrite><VersionRecord key={`${current.version}-${current.updatedAt}`} modelId={model.name} version={current} onDeleted={() => setPicked(null)} /></CanWrite>
            <LineageGraph nodeType="modelVersion" id={`${model.name}:${current.version}`} title={t('registry.lineageOf', { v: current.version })} />
            {current.sourceJobId && <VersionCard jobId={current.sourceJobId} />}
          </>
        )}
      </div>
      {deploying && <DeployDialog modelId={model.name} target={{ version: deploying.version }} onClose={() => setDeploying(null)} />}
    </>
  );
}

/** The model card is kept with the training job that produced the version. */
function VersionCard({ jobId }: { jobId: string }) {
  const { t, lang } = useI18n();
  const job = useJob(jobId);
  if (!job.data?.cardMarkdown) return null;
  return <Card title={t('training.modelCard')}><Markdown source={job.data.cardMarkdown} headings={cardHeadings(lang, job.data.card)} testId="version-card" /></Card>;
}

function MetricsChart({ versions }: { versions: ModelVersion[] }) {
  const { t } = useI18n();
  const flat = useMemo(() => versions.map((v) => ({ version: v.version, metrics: flatModelMetrics(v.metrics) })), [versions]);
  const names = useMemo(() => [...new Set(flat.flatMap((v) => Object.keys(v.metrics)))].filter((n) => !/coverage|width|normalized/i.test(n)), [flat]);
  const [chosen, setChosen] = useState<string[]>([]);
  const shown = chosen.length ? chosen : names.filter((n) => /^(mae|rmse|smape|mase)$/i.test(n)).slice(0, 4);
  const list = shown.length ? shown : names.slice(0, 4);
  const option = useMemo(() => versionMetricsOption([...flat].reverse(), list), [flat, list]);
  return (
    <Card title={t('registry.compare')} subtitle={t('registry.compareHint')} testId="version-metrics">
      {names.length === 0 ? <p className="muted">{t('registry.noMetrics')}</p> : (
        <div className="stack" style={{ gap: 8 }}>
          <div className="row" style={{ gap: 10 }}>
            {names.map((n) => (
              <label key={n} className="check small">
                <input type="checkbox" checked={list.includes(n)} onChange={(e) => setChosen(e.target.checked ? [...list, n] : list.filter((x) => x !== n))} />
                <code>{n}</code>
              </label>
            ))}
          </div>
          <EChart option={option} height={list.length > 4 ? 320 : 200} />
        </div>
      )}
    </Card>
  );
}

function VersionActions({ modelId, version }: { modelId: string; version: ModelVersion }) {
  const { t } = useI18n();
  const notify = useToast();
  const stage = useTransitionStage(modelId);
  const alias = useSetAlias(modelId);
  const [to, setTo] = useState<Stage>(version.stage === 'Production' ? 'Archived' : version.stage === 'Staging' ? 'Production' : 'Staging');
  const [comment, setComment] = useState('');
  const [aliasName, setAliasName] = useState('champion');
  return (
    <Card title={t('registry.manage', { v: version.version })}>
      <div className="grid cols-2">
        <div className="stack" style={{ gap: 8 }}>
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <Field label={t('registry.moveTo')}>
              <select value={to} onChange={(e) => setTo(e.target.value as Stage)} data-testid="stage-select">
                {STAGES.filter((s) => s !== version.stage).map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            </Field>
            <Field label={t('registry.comment')}><input value={comment} onChange={(e) => setComment(e.target.value)} style={{ width: 200 }} /></Field>
            <button className="btn primary" disabled={stage.isPending} data-testid="stage-apply"
              onClick={() => stage.mutate({ version: version.version, stage: to, comment }, { onSuccess: () => { setComment(''); notify(t('registry.moved', { v: version.version, stage: to }), 'ok'); } })}>
              {t('registry.apply')}
            </button>
          </div>
          {stage.error ? <ErrorMessage error={stage.error} /> : null}
        </div>
        <div className="stack" style={{ gap: 8 }}>
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <Field label={t('registry.alias')}><input value={aliasName} onChange={(e) => setAliasName(e.target.value)} style={{ width: 160 }} data-testid="alias-name" /></Field>
            <button className="btn" disabled={!aliasName.trim() || alias.isPending} data-testid="alias-apply"
              onClick={() => alias.mutate({ alias: aliasName.trim(), version: version.version }, { onSuccess: () => notify(t('registry.aliasSet', { alias: aliasName, v: version.version }), 'ok') })}>
              {t('registry.setAlias')}
            </button>
          </div>
          {alias.error ? <ErrorMessage error={alias.error} /> : null}
        </div>
      </div>
    </Card>
  );
}
