/** The Monitor chart: readings, the forecasts made for them with their p05-p95 band, and
 * anomaly events marked at their peaks; zoomable (the server already downsampled). */
import type { Option } from '../../charts/options';
import type { MonitorSeries, WatchEvent } from './queries';

const AXIS = { axisLine: { lineStyle: { color: '#cdd5df' } }, axisLabel: { color: '#4b5565' }, splitLine: { lineStyle: { color: '#eef1f5' } } };

export function monitorOption(
  series: MonitorSeries,
  events: readonly WatchEvent[],
  unit: string,
  labels: { actual: string; forecast: string; band: string; events: string },
): Option {
  const t = series.points.map((p) => Date.parse(p.t));
  const lo = series.points.map((p) => p.p05);
  const band = series.points.map((p) => (p.p95 == null || p.p05 == null ? null : p.p95 - p.p05));
  const marks = events
    .filter((e) => e.peakAt && e.peak != null)
    .map((e) => ({ value: [Date.parse(e.peakAt!), e.peak], name: e.reason }));
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis', confine: true },
    legend: { top: 0, right: 0, data: [labels.actual, labels.forecast, labels.band, labels.events] },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    xAxis: { type: 'time', ...AXIS },
    yAxis: { type: 'value', scale: true, name: unit, ...AXIS },
    series: [
      { name: 'lower', type: 'line', data: t.map((x, i) => [x, lo[i]]), stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
      {
        name: labels.band, type: 'line', data: t.map((x, i) => [x, band[i]]), stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none',
        areaStyle: { color: 'rgba(40,86,214,0.14)' }, itemStyle: { color: 'rgba(40,86,214,0.3)' },
      },
      { name: labels.forecast, type: 'line', data: series.points.map((p, i) => [t[i], p.p50]), symbol: 'none', lineStyle: { width: 1.5, type: 'dashed' }, itemStyle: { color: '#2856d6' } },
      { name: labels.actual, type: 'line', data: series.points.map((p, i) => [t[i], p.actual]), symbol: 'none', lineStyle: { width: 2 }, itemStyle: { color: '#1f2937' } },
      {
        name: labels.events, type: 'line', data: marks, lineStyle: { width: 0 }, symbol: 'diamond', symbolSize: 12,
        itemStyle: { color: '#c8313b' }, tooltip: { show: true }, connectNulls: false,
      },
    ],
  };
}

export function durationOption(curve: readonly number[], unit: string, label: string): Option {
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 24, bottom: 36 },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: { type: 'category', data: curve.map((_, i) => `${i + 1}%`), ...AXIS },
    yAxis: { type: 'value', scale: true, name: unit, ...AXIS },
    series: [{ name: label, type: 'line', data: [...curve], symbol: 'none', areaStyle: { color: 'rgba(232,135,30,0.15)' }, itemStyle: { color: '#e8871e' } }],
  };
}
