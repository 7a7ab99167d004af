/** Chart options for each chart `explore/suggest` returns (series, box, density, profile, acf). */
import type { ChartSuggestion } from '../api/types';
import { acfOption, boxplotOption, densityOption, profileOption, seriesOption, type Option } from './options';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Hour-of-day (24 slots) or hour-of-week (168 slots, Monday 00:00 first) as a label. */
export function slotLabel(period: 'daily' | 'weekly', slot: number): string {
  const hour = `${String(slot % 24).padStart(2, '0')}:00`;
  return period === 'daily' ? hour : `${WEEKDAYS[Math.floor(slot / 24) % 7]} ${hour}`;
}

/** A lag in steps as time, e.g. 24 steps of 3600 s -> "24h"; 7 days -> "7d". */
export function lagLabel(lag: number, stepSeconds: number): string {
  const s = lag * stepSeconds;
  if (!stepSeconds || lag === 0) return String(lag);
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Indexes of the lags to label: whole days (or whole hours for short lags), at most `max` (eight
 * short labels fit side by side on a phone-wide chart without touching). */
export function acfTicks(lags: readonly number[], stepSeconds: number, max = 8): Set<number> {
  const span = (lags.at(-1) ?? 0) * stepSeconds;
  const unit = span >= 3 * 86400 ? 86400 : 3600;
  const whole = lags.map((l, i) => [l, i] as const).filter(([l]) => stepSeconds > 0 && (l * stepSeconds) % unit === 0);
  const stride = Math.max(1, Math.ceil(whole.length / max));
  return new Set(whole.filter((_, k) => k % stride === 0).map(([, i]) => i));
}

/** The chart's option, its value axis named with the column's unit when it has one. */
export function suggestedChartOption(c: ChartSuggestion, labels: { lag: string; mean: string; band: string }, unit?: string | null): Option {
  const option = baseOption(c, labels);
  if (!unit || c.type === 'acf') return option;
  const axis = c.type === 'density' ? 'xAxis' : 'yAxis';
  const current = (option as Record<string, unknown>)[axis];
  if (!current || Array.isArray(current)) return option;
  return { ...option, [axis]: { ...(current as object), name: unit, nameTextStyle: { color: '#64748b', align: 'left' } } } as Option;
}

function baseOption(c: ChartSuggestion, labels: { lag: string; mean: string; band: string }): Option {
  switch (c.type) {
    case 'series':
      return seriesOption(c.t.map((t) => t.replace('T', ' ').slice(0, 16)), [{ name: c.column, data: c.y }]);
    case 'box':
      return boxplotOption([{ name: c.column, min: c.whiskerLow, q1: c.q1, median: c.median, q3: c.q3, max: c.whiskerHigh }]);
    case 'density':
      return densityOption([{ name: c.column, x: c.x, y: c.density }]);
    case 'profile': {
      const lower = c.mean.map((m, i) => (m == null || c.std[i] == null ? null : m - (c.std[i] as number)));
      const upper = c.mean.map((m, i) => (m == null || c.std[i] == null ? null : m + (c.std[i] as number)));
      return profileOption(c.slot.map((s) => slotLabel(c.period, s)), [{ name: labels.mean, data: c.mean }], { name: labels.band, lower, upper });
    }
    case 'acf':
      return acfOption(c.lags.map((l) => lagLabel(l, c.stepSeconds)), c.values, c.confidence, labels.lag, acfTicks(c.lags, c.stepSeconds));
  }
}
