/** The metric table against the baseline: which way is better, and by how much. */

const HIGHER_IS_BETTER = new Set(['r2', 'skill']);
const ORDER = ['mae', 'rmse', 'mse', 'mape', 'smape', 'mase'];

export interface MetricRow {
  name: string;
  model: number | null;
  baseline: number | null;
  /** Relative change of the model against the baseline; negative is an improvement for errors. */
  delta: number | null;
  better: boolean | null;
}

function isCoverage(name: string): boolean {
  return /coverage/i.test(name);
}

export function metricRows(metrics: Record<string, unknown>, baseline: Record<string, unknown> = {}, nominal = 0.9): MetricRow[] {
  const names = [...new Set([...Object.keys(metrics), ...Object.keys(baseline)])].filter(
    (n) => typeof metrics[n] === 'number' || typeof baseline[n] === 'number',
  );
  const rank = (n: string) => {
    const i = ORDER.indexOf(n.toLowerCase());
    if (i >= 0) return i;
    if (/pinball|quantile/i.test(n)) return 50;
    if (isCoverage(n)) return 80;
    return 60;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => {
    const model = typeof metrics[name] === 'number' ? (metrics[name] as number) : null;
    const base = typeof baseline[name] === 'number' ? (baseline[name] as number) : null;
    let better: boolean | null = null;
    let delta: number | null = null;
    if (model !== null && base !== null) {
      delta = base !== 0 ? (model - base) / Math.abs(base) : null;
      if (isCoverage(name)) better = Math.abs(model - nominal) <= Math.abs(base - nominal);
      else if (HIGHER_IS_BETTER.has(name.toLowerCase())) better = model >= base;
      else better = model <= base;
    }
    return { name, model, baseline: base, delta, better };
  });
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The model's numbers from an evaluation summary (`{model:{..., pinball:{p05..}}, coverage, ...}`), flat. */
export function flatModelMetrics(evaluation: unknown): Record<string, number> {
  const e = obj(evaluation);
  const model = obj(e.model);
  const out: Record<string, number> = {};
  const source = Object.keys(model).length ? model : e;
  for (const [k, v] of Object.entries(source)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    else if (k === 'pinball') for (const [q, x] of Object.entries(obj(v))) if (typeof x === 'number') out[`pinball ${q}`] = x;
  }
  for (const k of ['coverage', 'intervalWidth']) if (typeof e[k] === 'number' && !(k in out)) out[k] = e[k] as number;
  return out;
}

/** Rows of the metric table for a job's evaluation summary; coverage is judged against its nominal level. */
export function evaluationRows(evaluation: unknown): { rows: MetricRow[]; baselineName: string | null; improvementPct: number | null } {
  const e = obj(evaluation);
  if (!Object.keys(e).length) return { rows: [], baselineName: null, improvementPct: null };
  const model = flatModelMetrics(e);
  const base = obj(e.baseline);
  const nominal = typeof e.nominalCoverage === 'number' ? e.nominalCoverage : 0.9;
  const rows = metricRows(model, base, nominal);
  return {
    rows,
    baselineName: typeof base.name === 'string' ? base.name : null,
    improvementPct: typeof e.maeImprovementPct === 'number' ? e.maeImprovementPct : null,
  };
}
