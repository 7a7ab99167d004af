import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useDataset, useDatasetOptions, useExplorePreview, useExploreSuggest, usePlans, useSavePlan } from '../../api/queries';
import type { ChartSuggestion, Dataset, ExplorePreview, FeatureSuggestion, SuggestResponse } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import EChart from '../../charts/EChart';
import type { EChartsType } from '../../charts/echarts';
import { suggestedChartOption } from '../../charts/suggested';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import {
  Badge, Card, EmptyState, ErrorMessage, PageHeader, QueryView, Skeleton, SkeletonLines, SkeletonTable, Stat,
  Table,
} from '../../components/ui';
import { coded } from '../../lib/serverText';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { download, fmtCell, fmtNum, fmtPct } from '../../lib/format';
import { addOp, defaultPlan, suggestionToOp } from '../../lib/planOps';
import { explorationMarkdown } from '../../lib/report';
import { defaultTarget } from '../../lib/target';

export default function ExplorePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const datasetId = params.get('datasetId') ?? undefined;
  const options = useDatasetOptions();
  const dataset = useDataset(datasetId);

  const picker = (
    <select value={datasetId ?? ''} onChange={(e) => setParams({ datasetId: e.target.value })} aria-label={t('explore.dataset')} data-testid="explore-dataset">
      <option value="" disabled>{t('explore.pickDataset')}</option>
      {options.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
    </select>
  );

  return (
    <>
      <PageHeader title={t('explore.title')} subtitle={t('explore.subtitle')} actions={picker} />
      {!datasetId ? (
        options.isPending ? <SkeletonTable /> : options.error ? <ErrorMessage error={options.error} /> : (
          <Card>
            <EmptyState icon="explore" title={t('explore.noDataset')} text={t('explore.noDatasetHint')}
              action={options.data.items.length === 0 && <Link className="btn primary" to="/datasets">{t('datasets.upload')}</Link>} />
          </Card>
        )
      ) : (
        <QueryView query={dataset} skeleton={<SkeletonTable />}>
          {(d) => <Exploration dataset={d} />}
        </QueryView>
      )}
    </>
  );
}

function numericColumns(d: Dataset): string[] {
  return d.columns.filter((c) => c.name !== d.timestampColumn && /int|float|double|decimal|number/i.test(c.dtype)).map((c) => c.name);
}

function Exploration({ dataset }: { dataset: Dataset }) {
  const { t } = useI18n();
  const numeric = numericColumns(dataset);
  const [params, setParams] = useSearchParams();
  const plans = usePlans(dataset.id);
  const chosen = params.get('target') ?? plans.data?.items[0]?.plan.target;
  const target = defaultTarget(dataset.columns, chosen, dataset.timestampColumn);
  const setTarget = (next: string) => setParams((p) => { p.set('target', next); return p; }, { replace: true });
  const preview = useExplorePreview(dataset.id);
  const suggest = useExploreSuggest(dataset.id, target || undefined);
  const charts = useRef(new Map<string, EChartsType>());
  const units = useMemo(() => Object.fromEntries(dataset.columns.map((c) => [c.name, c.unit])), [dataset.columns]);

  const exportMd = () => {
    if (!preview.data) return;
    const md = explorationMarkdown({ datasetName: dataset.name, datasetId: dataset.id, target, preview: preview.data, suggest: suggest.data });
    download(`exploration-${dataset.name}.md`, md, 'text/markdown');
  };
  const exportPng = async () => {
    const url = await composePng([...charts.current.entries()], `${t('explore.reportTitle')}: ${dataset.name}`);
    if (url) download(`exploration-${dataset.name}.png`, url);
  };

  return (
    <div className="stack">
      <div className="row between">
        <label className="row small" style={{ gap: 8 }}>
          <span className="muted">{t('explore.target')}</span>
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="explore-target">
            {numeric.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <div className="row">
          <button className="btn" onClick={exportMd} disabled={!preview.data} data-testid="export-md"><Icon name="download" /> {t('explore.exportMd')}</button>
          <button className="btn" onClick={() => void exportPng()} disabled={!suggest.data} data-testid="export-png"><Icon name="download" /> {t('explore.exportPng')}</button>
        </div>
      </div>
      <QueryView query={preview} skeleton={<><div className="grid cols-4">{[0, 1, 2, 3].map((i) => <Skeleton key={i} height={74} />)}</div><SkeletonTable /></>}>
        {(p) => <PreviewCards preview={p} dataset={dataset} />}
      </QueryView>
      <div className="grid side">
        <QueryView query={suggest} skeleton={<div className="grid cols-2">{[0, 1, 2, 3].map((i) => <Skeleton key={i} height={300} />)}</div>}>
          {(s) => <ChartGrid charts={s.charts} units={units} onChart={(key, c) => (c ? charts.current.set(key, c) : charts.current.delete(key))} />}
        </QueryView>
        <Suggestions dataset={dataset} target={target} suggest={suggest} />
      </div>
    </div>
  );
}

function PreviewCards({ preview: p, dataset }: { preview: ExplorePreview; dataset: Dataset }) {
  const { t } = useI18n();
  const cols = Object.keys(p.sampleRows[0] ?? {});
  const missing = Object.values(p.stats).reduce((m, s) => Math.max(m, s.missingRate), 0);
  return (
    <>
      <div className="grid cols-4">
        <Stat label={t('datasets.rows')} value={p.rows.toLocaleString()} sub={p.start ? `${p.start.slice(0, 10)} → ${(p.end ?? '').slice(0, 10)}` : undefined} />
        <Stat label={t('datasets.frequency')} value={p.frequency ?? dataset.frequency ?? '—'} sub={t('explore.regular', { pct: fmtPct(p.gaps.regularShare) })} />
        <Stat label={t('explore.gaps')} value={p.gaps.count} sub={t('explore.missingPoints', { n: p.gaps.missingPoints })} />
        <Stat label={t('explore.maxMissing')} value={fmtPct(missing)} sub={t('explore.computed', { s: p.computeSeconds < 1 ? `${Math.max(1, Math.round(p.computeSeconds * 1000))} ms` : `${fmtNum(p.computeSeconds, 1)} s` })} />
      </div>
      <div className="grid cols-2">
        <Card flush title={t('explore.stats')}>
          <Table dense testId="stats-table" head={<tr><th>{t('datasets.column')}</th><th className="num">{t('explore.missing')}</th><th className="num">{t('explore.mean')}</th><th className="num">{t('explore.std')}</th><th className="num">{t('explore.min')}</th><th className="num">p50</th><th className="num">{t('explore.max')}</th></tr>}>
            {Object.entries(p.stats).map(([col, s]) => (
              <tr key={col}>
                <td><code>{col}</code> <span className="muted small">{s.dtype}</span></td>
                <td className="num">{s.missingRate > 0 ? <Badge tone="warn" plain>{fmtPct(s.missingRate)}</Badge> : fmtPct(s.missingRate)}</td>
                <td className="num">{fmtNum(s.mean)}</td><td className="num">{fmtNum(s.std)}</td>
                <td className="num">{fmtNum(s.min)}</td><td className="num">{fmtNum(s.quantiles?.p50)}</td><td className="num">{fmtNum(s.max)}</td>
              </tr>
            ))}
          </Table>
        </Card>
        <Card flush title={t('explore.sample')} subtitle={t('explore.sampleHint', { n: p.sampleRows.length })}>
          <Table dense testId="sample-table" style={{ maxHeight: 320 }} head={<tr>{cols.map((c) => <th key={c}>{c}</th>)}</tr>}>
            {p.sampleRows.slice(0, 50).map((r, i) => (
              <tr key={i}>{cols.map((c) => <td key={c} className={typeof r[c] === 'number' ? 'num' : 'small nowrap'}>{fmtCell(r[c])}</td>)}</tr>
            ))}
          </Table>
        </Card>
      </div>
    </>
  );
}

const CHART_TITLES: Record<ChartSuggestion['type'], MessageKey> = {
  series: 'explore.chart.series', box: 'explore.chart.box', density: 'explore.chart.density', profile: 'explore.chart.profile', acf: 'explore.chart.acf',
};

function chartTitle(c: ChartSuggestion, t: (k: MessageKey, p?: Record<string, string | number>) => string): { title: string; subtitle: string } {
  const title = t(CHART_TITLES[c.type], { column: c.column, period: c.type === 'profile' ? t(`explore.period.${c.period}`) : '' });
  const subtitle =
    c.type === 'series' ? (c.method === 'minmax' ? t('explore.downsampled', { n: c.y.length, total: c.originalPoints }) : t('explore.allPoints', { n: c.originalPoints }))
      : c.type === 'box' ? t('explore.outliers', { n: c.outliers })
        : c.type === 'acf' ? t('explore.acfHint', { bound: fmtNum(c.confidence, 3) })
          : c.type === 'density' ? t('explore.bandwidth', { bw: fmtNum(c.bandwidth, 3) })
            : t('explore.profileHint');
  return { title, subtitle };
}

function ChartGrid({ charts, onChart, units }: { charts: ChartSuggestion[]; onChart: (key: string, c: EChartsType | null) => void; units: Record<string, string | null | undefined> }) {
  const { t } = useI18n();
  const built = useMemo(() => charts.map((c, i) => ({
    c, key: `${i}-${c.type}`, ...chartTitle(c, t),
    option: suggestedChartOption(c, { lag: t('explore.lag'), mean: t('explore.mean'), band: t('explore.stdBand') }, units[c.column]),
  })), [charts, t, units]);
  if (charts.length === 0) return <Card><EmptyState icon="explore" title={t('explore.noCharts')} /></Card>;
  return (
    <div className="grid cols-2" data-testid="charts">
      {built.map(({ c, key, title, subtitle, option }) => (
        <Card key={key} title={title} subtitle={subtitle} className={c.type === 'series' || (c.type === 'profile' && c.period === 'weekly') ? 'span-2' : ''}>
          <EChart option={option} height={c.type === 'series' ? 300 : 240} onReady={(inst) => onChart(title, inst)} testId={`chart-${c.type}`} />
        </Card>
      ))}
    </div>
  );
}

function Suggestions({ dataset, target, suggest }: {
  dataset: Dataset; target: string; suggest: { data: SuggestResponse | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
}) {
  const { t, lang } = useI18n();
  const { canWrite } = useAuth();
  const notify = useToast();
  const qc = useQueryClient();
  const plans = usePlans(dataset.id);
  const save = useSavePlan();
  const [planId, setPlanId] = useState<string>('');
  const [added, setAdded] = useState<Set<number>>(new Set());
  const existing = plans.data?.items ?? [];
  const chosen = planId || existing[0]?.id || 'new';

  const add = async (s: FeatureSuggestion, index: number) => {
    const op = suggestionToOp(s, target);
    const rec = existing.find((p) => p.id === chosen);
    const unit = dataset.columns.find((c) => c.name === target)?.unit ?? null;
    const base = rec?.plan ?? defaultPlan({ datasetId: dataset.id, target, frequency: dataset.frequency, name: `${dataset.name} · ${target}`, unit });
    const saved = await save.mutateAsync({ id: rec?.id, plan: addOp(base, op) });
    setPlanId(saved.id);
    setAdded((s0) => new Set(s0).add(index));
    void qc.invalidateQueries({ queryKey: ['plans'] });
    notify(t('explore.addedToPlan', { op: s.op }), 'ok');
  };

  return (
    <Card flush title={t('explore.suggestions')} subtitle={t('explore.suggestionsHint')} testId="suggestions">
      {canWrite && (
        <div className="row" style={{ padding: '10px 16px', borderBottom: '1px solid var(--border)' }}>
          <span className="small muted">{t('explore.addTo')}</span>
          <select className="sm" value={chosen} onChange={(e) => setPlanId(e.target.value)} data-testid="plan-choice" style={{ flex: 1 }}>
            <option value="new">{t('explore.newPlan')}</option>
            {existing.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
          </select>
          {chosen !== 'new' && <Link className="small" to={`/features?datasetId=${dataset.id}&planId=${chosen}`} data-testid="open-plan">{t('explore.openPlan')} →</Link>}
        </div>
      )}
      {save.error ? <div style={{ padding: 12 }}><ErrorMessage error={save.error} /></div> : null}
      <QueryView query={suggest} skeleton={<div style={{ padding: 16 }}><SkeletonLines lines={6} /></div>}>
        {(s) => s.features.length === 0 ? <EmptyState title={t('explore.noSuggestions')} /> : (
          <div>
            {s.features.map((f, i) => (
              <div className="suggestion" key={i} data-testid="suggestion">
                <div style={{ flex: 1, minWidth: 0 }}>
                  <div className="row" style={{ gap: 6 }}>
                    <span className="tag">{f.op}</span>
                    <span className="small mono" style={{ overflowWrap: 'anywhere' }}>{paramsText(f.params)}</span>
                  </div>
                  <div className="why" data-testid="suggestion-reason">{coded(lang, 'reasons', f.reasonCode, f.reasonParams, f.reason)}{typeof f.score === 'number' ? <span className="muted"> · {t('explore.score')} {fmtNum(f.score, 2)}</span> : null}</div>
                </div>
                {canWrite && (
                  <button className="btn sm" disabled={save.isPending || added.has(i)} onClick={() => void add(f, i).catch(() => undefined)} data-testid="add-to-plan">
                    <Icon name={added.has(i) ? 'check' : 'plus'} size={14} /> {added.has(i) ? t('explore.added') : t('explore.addToPlan')}
                  </button>
                )}
              </div>
            ))}
          </div>
        )}
      </QueryView>
    </Card>
  );
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`).join(' ');
}

/** All charts stacked into one PNG under a title. */
async function composePng(charts: [string, EChartsType][], title: string): Promise<string | null> {
  if (charts.length === 0) return null;
  const ratio = 2;
  const images = await Promise.all(charts.map(async ([name, c]) => {
    const el = new Image();
    el.src = c.getDataURL({ type: 'png', pixelRatio: ratio, backgroundColor: '#fff' });
    await el.decode();
    return { name, el };
  }));
  const width = Math.max(...images.map((i) => i.el.width));
  const head = 40 * ratio;
  const label = 34 * ratio;
  const height = head + images.reduce((s, i) => s + i.el.height + label, 0);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1a2233';
  ctx.font = `600 ${18 * ratio}px system-ui, sans-serif`;
  ctx.fillText(title, 16 * ratio, 26 * ratio);
  let y = head;
  for (const img of images) {
    ctx.font = `500 ${13 * ratio}px system-ui, sans-serif`;
    ctx.fillText(img.name, 16 * ratio, y + 22 * ratio);
    ctx.drawImage(img.el, 0, y + label);
    y += img.el.height + label;
  }
  return canvas.toDataURL('image/png');
}
