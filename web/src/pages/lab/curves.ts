/** Loss curves of several runs for one chart: exponential smoothing and a log axis. */
import { PALETTE, type Option } from '../../charts/options';

/** Exponential moving average with weight `alpha` on the past (0: the raw values). */
export function smooth(values: readonly (number | null)[], alpha: number): (number | null)[] {
  let level: number | null = null;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    level = level === null ? v : alpha * level + (1 - alpha) * v;
    return level;
  });
}

export function curvesOption(
  curves: Record<string, Record<string, unknown>[]>,
  metric: string,
  opts: { alpha: number; log: boolean; names: Record<string, string> },
): Option {
  const series = Object.entries(curves).map(([id, points], i) => {
    const xs = points.map((p) => Number(p.epoch ?? 0));
    const ys = smooth(points.map((p) => (typeof p[metric] === 'number' ? (p[metric] as number) : null)), opts.alpha);
    return { name: opts.names[id] ?? id, type: 'line', showSymbol: false, color: PALETTE[i % PALETTE.length], data: xs.map((x, k) => [x, ys[k]]) };
  });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 16, top: 32, bottom: 30 },
    xAxis: { type: 'value', name: 'epoch', minInterval: 1 },
    yAxis: { type: opts.log ? 'log' : 'value', scale: true },
    series,
  };
}

export function perStepOption(perStep: Record<string, Record<string, number[]>>, metric: string, names: Record<string, string>): Option {
  const series = Object.entries(perStep).map(([id, m], i) => ({
    name: names[id] ?? id, type: 'line', color: PALETTE[i % PALETTE.length], data: (m[metric] ?? []).map((v, k) => [k + 1, v]),
  }));
  return {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 16, top: 32, bottom: 30 },
    xAxis: { type: 'value', name: 'step', minInterval: 1 }, yAxis: { type: 'value', scale: true }, series,
  };
}
