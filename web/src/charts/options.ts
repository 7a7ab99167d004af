/** Chart options as pure functions of data, so they can be tested without a canvas. */
import type { LossCurve } from '../lib/lossCurve';
import type { Placed, LineageEdge } from '../lib/lineageLayout';

// A loose alias: echarts' full option type is large and the builders below are tested by shape.
export type Option = Record<string, unknown>;

export const PALETTE = ['#2856d6', '#e8871e', '#138a5b', '#8b5cf6', '#c8313b', '#0891b2', '#64748b'];
const AXIS = { axisLine: { lineStyle: { color: '#cdd5df' } }, axisLabel: { color: '#4b5565' }, splitLine: { lineStyle: { color: '#eef1f5' } } };
const GRID = { left: 56, right: 24, top: 36, bottom: 36, containLabel: false };
const TOOLTIP = { trigger: 'axis', confine: true };

export function lossOption(curve: LossCurve, labels: { train: string; val: string; epoch: string; best: string }): Option {
  return {
    color: PALETTE,
    animation: false,
    grid: { ...GRID, bottom: 64 },
    tooltip: TOOLTIP,
    legend: { top: 0, right: 0 },
    xAxis: { type: 'category', name: labels.epoch, nameLocation: 'middle', nameGap: 26, data: curve.epochs, ...AXIS },
    yAxis: { type: 'value', scale: true, ...AXIS },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 6 }],
    series: [
      { name: labels.train, type: 'line', data: curve.train, showSymbol: curve.epochs.length < 40, connectNulls: true },
      {
        name: labels.val, type: 'line', data: curve.val, showSymbol: curve.epochs.length < 40, connectNulls: true,
        markPoint: undefined,
        markLine: curve.best
          ? { symbol: 'none', label: { formatter: `${labels.best} ${Number(curve.best.val.toPrecision(4))}`, position: 'insideEndTop', color: '#b86e00' }, lineStyle: { type: 'dashed', color: '#e8871e' }, data: [{ yAxis: Number(curve.best.val.toPrecision(4)) }] }
          : undefined,
      },
    ],
  };
}

/** Time series with zoom (mouse wheel and slider); long series are drawn with LTTB sampling. */
export function seriesOption(x: readonly (string | number)[], series: { name: string; data: readonly (number | null)[] }[], y?: { min: number; max: number }): Option {
  return {
    color: PALETTE,
    animation: false,
    grid: { ...GRID, bottom: 70 },
    tooltip: TOOLTIP,
    legend: { top: 0, right: 0, type: 'scroll' },
    xAxis: { type: 'category', data: x, boundaryGap: false, ...AXIS },
    yAxis: { type: 'value', scale: !y, ...(y ?? {}), ...AXIS },
    dataZoom: [{ type: 'inside', filterMode: 'none' }, { type: 'slider', height: 18, bottom: 10, filterMode: 'none' }],
    series: series.map((s) => ({ name: s.name, type: 'line', data: s.data, showSymbol: false, sampling: 'lttb', lineStyle: { width: 1.2 } })),
  };
}

export interface BoxStats { name: string; min: number; q1: number; median: number; q3: number; max: number }
export function boxplotOption(boxes: readonly BoxStats[]): Option {
  return {
    color: PALETTE,
    animation: false,
    grid: GRID,
    tooltip: { trigger: 'item', confine: true },
    xAxis: { type: 'category', data: boxes.map((b) => b.name), ...AXIS },
    yAxis: { type: 'value', scale: true, ...AXIS },
    series: [{
      type: 'boxplot',
      itemStyle: { color: '#eaf0ff', borderColor: '#2856d6' },
      data: boxes.map((b) => [b.min, b.q1, b.median, b.q3, b.max]),
    }],
  };
}

/** Density (or a histogram read as one): x are bin centres, y the density. */
export function densityOption(curves: { name: string; x: readonly number[]; y: readonly number[] }[]): Option {
  return {
    color: PALETTE,
    animation: false,
    grid: GRID,
    tooltip: TOOLTIP,
    legend: { top: 0, right: 0, type: 'scroll' },
    xAxis: { type: 'value', scale: true, ...AXIS },
    yAxis: { type: 'value', ...AXIS },
    series: curves.map((c) => ({
      name: c.name, type: 'line', smooth: true, showSymbol: false, areaStyle: { opacity: 0.12 },
      data: c.x.map((x, i) => [x, c.y[i] ?? null]),
    })),
  };
}

/** A profile (mean per slot) with an optional ±std band drawn under it. */
export function profileOption(
  x: readonly (string | number)[],
  series: { name: string; data: readonly (number | null)[] }[],
  band?: { name: string; lower: readonly (number | null)[]; upper: readonly (number | null)[] },
): Option {
  const bandSeries = band ? [
    { name: 'lower', type: 'line', data: band.lower, stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
    {
      name: band.name, type: 'line', stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(40,86,214,0.12)' },
      itemStyle: { color: 'rgba(40,86,214,0.3)' },
      data: band.upper.map((u, i) => (u == null || band.lower[i] == null ? null : u - (band.lower[i] as number))),
    },
  ] : [];
  return {
    color: PALETTE,
    animation: false,
    grid: GRID,
    tooltip: TOOLTIP,
    legend: { top: 0, right: 0, type: 'scroll', data: [...series.map((s) => s.name), ...(band ? [band.name] : [])] },
    xAxis: { type: 'category', data: x, boundaryGap: false, ...AXIS },
    yAxis: { type: 'value', scale: true, ...AXIS },
    series: [...bandSeries, ...series.map((s, i) => ({
      name: s.name, type: 'line', data: s.data, smooth: true, showSymbol: x.length <= 48, symbolSize: 4, itemStyle: { color: PALETTE[i % PALETTE.length] },
    }))],
  };
}

/** Autocorrelation bars with the ±1.96/√n band. */
export function acfOption(lags: readonly (number | string)[], values: readonly number[], bound: number | null, lagLabel: string, shownLabels?: ReadonlySet<number>): Option {
  const axisLabel = shownLabels
    ? { ...AXIS.axisLabel, interval: 0, hideOverlap: true, formatter: (v: string, i: number) => (shownLabels.has(i) ? v : '') }
    : { ...AXIS.axisLabel, hideOverlap: true };
  return {
    color: PALETTE,
    animation: false,
    grid: { ...GRID, bottom: 44 },
    tooltip: TOOLTIP,
    xAxis: { type: 'category', data: lags, name: lagLabel, nameLocation: 'middle', nameGap: 26, ...AXIS, axisLabel, axisTick: { show: false } },
    yAxis: { type: 'value', min: -1, max: 1, ...AXIS },
    series: [{
      type: 'bar', data: values, barMaxWidth: 8, barCategoryGap: '30%',
      itemStyle: { color: '#2856d6' },
      markLine: bound
        ? { symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#e8871e', width: 1.5 }, label: { show: false }, data: [{ yAxis: bound }, { yAxis: -bound }] }
        : undefined,
    }],
  };
}

export function latencyOption(points: readonly { ts: string; requestMs: number; queueMs: number; computeMs: number }[], labels: { request: string; queue: string; compute: string }): Option {
  const x = points.map((p) => p.ts.slice(11, 19) || p.ts);
  return {
    color: [PALETTE[0], PALETTE[1], PALETTE[2]],
    animation: false,
    grid: { ...GRID, bottom: 60 },
    tooltip: { ...TOOLTIP, valueFormatter: (v: number) => `${v?.toFixed?.(2) ?? v} ms` },
    legend: { top: 0, right: 0 },
    xAxis: { type: 'category', data: x, boundaryGap: false, ...AXIS },
    yAxis: { type: 'value', name: 'ms', ...AXIS },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 6 }],
    series: [
      { name: labels.request, type: 'line', showSymbol: points.length < 30, data: points.map((p) => p.requestMs) },
      { name: labels.queue, type: 'line', showSymbol: points.length < 30, data: points.map((p) => p.queueMs) },
      { name: labels.compute, type: 'line', showSymbol: points.length < 30, data: points.map((p) => p.computeMs) },
    ],
  };
}

/** Small multiples: one bar chart per metric (each on its own scale), one bar per version. */
export function versionMetricsOption(versions: readonly { version: number; metrics: Record<string, number> }[], metricNames: readonly string[]): Option {
  const n = Math.max(1, metricNames.length);
  const cols = Math.min(n, 4);
  const rows = Math.ceil(n / cols);
  const cell = (i: number) => ({
    left: `${(i % cols) * (100 / cols) + 4}%`,
    width: `${100 / cols - 8}%`,
    top: `${Math.floor(i / cols) * (100 / rows) + 14 / rows}%`,
    height: `${100 / rows - 30 / rows}%`,
    containLabel: true,
  });
  const x = versions.map((v) => `v${v.version}`);
  return {
    color: PALETTE,
    animation: false,
    tooltip: { trigger: 'axis', confine: true },
    title: metricNames.map((m, i) => ({
      text: m, left: `${(i % cols) * (100 / cols) + 4}%`, top: `${Math.floor(i / cols) * (100 / rows)}%`,
      textStyle: { fontSize: 12, fontWeight: 500, color: '#4b5565', fontFamily: 'ui-monospace, monospace' },
    })),
    grid: metricNames.map((_, i) => cell(i)),
    xAxis: metricNames.map((_, i) => ({ type: 'category', gridIndex: i, data: x, ...AXIS })),
    yAxis: metricNames.map((_, i) => ({ type: 'value', gridIndex: i, scale: false, splitNumber: 3, ...AXIS })),
    series: metricNames.map((m, i) => ({
      name: m, type: 'bar', xAxisIndex: i, yAxisIndex: i, barMaxWidth: 26,
      data: versions.map((v, k) => ({
        value: typeof v.metrics[m] === 'number' ? Number(v.metrics[m].toPrecision(4)) : null,
        itemStyle: { color: k === versions.length - 1 ? PALETTE[0] : '#9db4ee' },
      })),
    })),
  };
}

export function gaugeOption(value: number | null, label: string, unit = '%', max = 100): Option {
  const v = value == null ? 0 : Math.round(value * 10) / 10;
  const color = value == null ? '#cdd5df' : v / max > 0.85 ? '#c8313b' : v / max > 0.6 ? '#e8871e' : '#2856d6';
  return {
    animation: true,
    series: [{
      type: 'gauge', min: 0, max, startAngle: 210, endAngle: -30, radius: '92%', center: ['50%', '58%'],
      progress: { show: true, width: 12, itemStyle: { color } },
      axisLine: { lineStyle: { width: 12, color: [[1, '#eef1f5']] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      anchor: { show: false },
      title: { offsetCenter: [0, '38%'], color: '#7d8799', fontSize: 12 },
      detail: { valueAnimation: true, offsetCenter: [0, '-2%'], fontSize: 24, fontWeight: 600, color: '#1a2233', formatter: value == null ? '—' : `{value}${unit}` },
      data: [{ value: v, name: label }],
    }],
  };
}

const NODE_COLORS: Record<string, string> = {
  dataset: '#0891b2', featurePlan: '#8b5cf6', feature_plan: '#8b5cf6', plan: '#8b5cf6', trainingJob: '#e8871e',
  training_job: '#e8871e', job: '#e8871e', modelVersion: '#2856d6', model_version: '#2856d6', version: '#2856d6',
  model: '#2856d6', deployment: '#138a5b',
};

export function lineageOption(nodes: readonly Placed[], edges: readonly LineageEdge[], focusId?: string): Option {
  return {
    animation: false,
    tooltip: { formatter: (p: { data?: { type?: string; name?: string } }) => (p.data?.type ? `${p.data.type}: ${p.data.name}` : '') },
    series: [{
      type: 'graph', layout: 'none', roam: true, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
      label: { show: true, position: 'bottom', color: '#1a2233', fontSize: 11, width: 150, overflow: 'truncate' },
      lineStyle: { color: '#9aa5b5', width: 1.5, curveness: 0.08 },
      data: nodes.map((n) => ({
        id: n.id, name: n.label, type: n.type, x: n.x, y: n.y, symbol: 'roundRect', symbolSize: n.id === focusId ? [26, 26] : [20, 20],
        itemStyle: { color: NODE_COLORS[n.type] ?? '#64748b', borderColor: n.id === focusId ? '#1a2233' : '#fff', borderWidth: 2 },
      })),
      links: edges.map((e) => ({ source: e.from, target: e.to })),
    }],
  };
}

/** Forecast with its [p05, p95] band (drawn as a stacked area over the lower bound). */
export function forecastOption(out: { values: readonly { t: string; y: number }[]; intervals: Record<string, readonly number[]>; unit: string }, labels: { forecast: string; band: string }): Option {
  const x = out.values.map((v) => v.t.replace('T', ' ').slice(0, 16));
  const lo = out.intervals.p05 ?? [];
  const hi = out.intervals.p95 ?? [];
  const hasBand = lo.length === out.values.length && hi.length === out.values.length;
  return {
    color: PALETTE,
    animation: false,
    grid: { ...GRID, bottom: 44 },
    tooltip: TOOLTIP,
    legend: { top: 0, right: 0, data: hasBand ? [labels.forecast, labels.band] : [labels.forecast] },
    xAxis: { type: 'category', data: x, boundaryGap: false, ...AXIS },
    yAxis: { type: 'value', scale: true, name: out.unit, ...AXIS },
    series: [
      ...(hasBand ? [
        { name: 'lower', type: 'line', data: lo, stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
        { name: labels.band, type: 'line', data: hi.map((h, i) => h - (lo[i] ?? 0)), stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(40,86,214,0.14)' }, itemStyle: { color: 'rgba(40,86,214,0.3)' } },
      ] : []),
      { name: labels.forecast, type: 'line', data: out.values.map((v) => v.y), showSymbol: out.values.length < 50, lineStyle: { width: 2 }, itemStyle: { color: PALETTE[0] } },
    ],
  };
}
