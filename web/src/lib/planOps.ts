/** Feature-plan editing as pure functions: defaults, adding a suggested op, op labels. */
import type { FeatureOp, FeaturePlan } from '../api/types';

type ApiFrequency = NonNullable<FeaturePlan['frequency']>;
export const FREQUENCIES = ['1min', '5min', '10min', '15min', '30min', '1h', '1d'] as const satisfies readonly ApiFrequency[];
export type Frequency = (typeof FREQUENCIES)[number];
export const OP_KINDS = ['lag', 'rolling', 'diff', 'seasonality', 'normalize'] as const;
export type OpKind = (typeof OP_KINDS)[number];

const FREQ_ALIASES: Record<string, Frequency> = {
  '1min': '1min', '1t': '1min', '1m': '1min', '60s': '1min', min: '1min',
  '5min': '5min', '5t': '5min', '5m': '5min',
  '10min': '10min', '10t': '10min', '10m': '10min', '600s': '10min',
  '15min': '15min', '15t': '15min', '15m': '15min',
  '30min': '30min', '30t': '30min', '30m': '30min', '1h': '1h', h: '1h', '60min': '1h', '1hr': '1h',
  '1d': '1d', d: '1d', '24h': '1d',
};

export function toFrequency(raw: string | null | undefined): Frequency {
  return (raw && FREQ_ALIASES[raw.trim().toLowerCase()]) || '1h';
}

// Keyed by the API's frequencies: one the API gains and the console lacks fails the type check.
const STEPS_PER_DAY: Record<ApiFrequency, number> = {
  '1min': 1440, '5min': 288, '10min': 144, '15min': 96, '30min': 48, '1h': 24, '1d': 1,
};

/** Steps per day at a frequency, for sensible default windows. */
export function stepsPerDay(f: Frequency): number {
  return STEPS_PER_DAY[f];
}

export function defaultOp(kind: OpKind, input: string): FeatureOp {
  switch (kind) {
    case 'lag': return { op: 'lag', input, lags: [1] };
    case 'rolling': return { op: 'rolling', input, window: 24, stats: ['mean'] };
    case 'diff': return { op: 'diff', input, periods: 1 };
    case 'seasonality': return { op: 'seasonality', daily: true, weekly: true, fourierOrder: 3 };
    case 'normalize': return { op: 'normalize', method: 'zscore', inputs: null };
  }
}

/** The lookback an op needs: a lag k or a window w reads k + 1 or w points. */
export function opReach(op: FeatureOp): number {
  if (op.op === 'lag') return Math.max(0, ...(op.lags ?? [0])) + 1;
  if (op.op === 'rolling') return op.window ?? 0;
  if (op.op === 'diff') return (op.periods ?? 1) + 1;
  return 0;
}

export function sameOp(a: FeatureOp, b: FeatureOp): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(op: FeatureOp): [string, unknown][] {
  return Object.entries(op).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y));
}

/** A suggestion `{op, params}` as an op; ops over one input default to the target. */
export function suggestionToOp(s: { op: string; params: Record<string, unknown> }, target: string): FeatureOp {
  const op = { op: s.op, ...s.params } as FeatureOp;
  if ((op.op === 'lag' || op.op === 'rolling' || op.op === 'diff') && !op.input) op.input = target;
  return op;
}

/** Append an op unless the plan has it already, and grow the lookback so the op fits. */
export function addOp(plan: FeaturePlan, op: FeatureOp): FeaturePlan {
  const ops = plan.ops ?? [];
  if (ops.some((o) => sameOp(o, op))) return plan;
  const inputs = [...plan.inputs];
  const needs = op.op === 'lag' || op.op === 'rolling' || op.op === 'diff' ? [op.input] : [];
  for (const name of needs) if (name && !inputs.some((i) => i.name === name)) inputs.push({ name });
  return { ...plan, inputs, ops: [...ops, op], lookback: Math.max(plan.lookback, opReach(op) + 1) };
}

/** A plan to start from; the canonical data's timestamp column is the plan's default. */
export function defaultPlan(args: { datasetId: string; target: string; frequency: string | null | undefined; name?: string; unit?: string | null }): FeaturePlan {
  const frequency = toFrequency(args.frequency);
  const day = stepsPerDay(frequency);
  return {
    name: args.name ?? `${args.target} plan`,
    datasetId: args.datasetId,
    target: args.target,
    inputs: [{ name: args.target, ...(args.unit ? { unit: args.unit } : {}) }],
    frequency,
    lookback: Math.min(10_000, Math.max(2, day * 4)),
    horizon: Math.max(1, day),
    quantiles: [0.05, 0.5, 0.95],
    ops: [],
  };
}

/** A one-line description of an op, e.g. "lag OT [1, 24]". */
export function describeOp(op: FeatureOp): string {
  switch (op.op) {
    case 'lag': return `lag ${op.input ?? ''} [${(op.lags ?? []).join(', ')}]`;
    case 'rolling': return `rolling ${op.input ?? ''} w=${op.window ?? '?'} (${(op.stats ?? []).join(', ')})`;
    case 'diff': return `diff ${op.input ?? ''} p=${op.periods ?? 1}`;
    case 'seasonality': return `seasonality${op.daily !== false ? ' daily' : ''}${op.weekly !== false ? ' weekly' : ''} k=${op.fourierOrder ?? 3}${op.holidays ? ` holidays ${op.holidays}` : ''}`;
    case 'normalize': return `normalize ${op.method ?? 'zscore'}${op.inputs?.length ? ` (${op.inputs.join(', ')})` : ''}`;
    default: return JSON.stringify(op);
  }
}

/** "1, 24 168" -> [1, 24, 168]: positive integers, unique, sorted. */
export function parseIntList(text: string): number[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => Number.parseInt(s, 10)).filter((n) => Number.isFinite(n) && n > 0))].sort((a, b) => a - b);
}
