import { describe, expect, it } from 'vitest';
import { evaluationRows, flatModelMetrics } from '../metrics';

const evaluation = {
  model: { mae: 1.0, rmse: 1.5, mape: 10, pinball: { p05: 0.1, p50: 0.5, p95: 0.12 } },
  baseline: { name: 'seasonal-naive (period 24)', mae: 2.0, rmse: 1.2, mape: 20 },
  maeImprovementPct: 50,
  coverage: 0.88,
  nominalCoverage: 0.9,
  intervalWidth: 3.2,
};

describe('evaluation table', () => {
  it('flattens the model metrics, pinball losses included', () => {
    expect(flatModelMetrics(evaluation)).toEqual({ mae: 1, rmse: 1.5, mape: 10, 'pinball p05': 0.1, 'pinball p50': 0.5, 'pinball p95': 0.12, coverage: 0.88, intervalWidth: 3.2 });
    expect(flatModelMetrics(null)).toEqual({});
  });

  it('compares against the baseline, errors lower is better', () => {
    const { rows, baselineName, improvementPct } = evaluationRows(evaluation);
    expect(baselineName).toBe('seasonal-naive (period 24)');
    expect(improvementPct).toBe(50);
    const mae = rows.find((r) => r.name === 'mae')!;
    expect(mae).toMatchObject({ model: 1, baseline: 2, delta: -0.5, better: true });
    expect(rows.find((r) => r.name === 'rmse')!.better).toBe(false);
    expect(rows.map((r) => r.name).slice(0, 3)).toEqual(['mae', 'rmse', 'mape']);
    expect(rows.find((r) => r.name === 'coverage')).toMatchObject({ model: 0.88, baseline: null, better: null });
  });

  it('is empty for a job without an evaluation', () => {
    expect(evaluationRows({}).rows).toEqual([]);
  });
});
