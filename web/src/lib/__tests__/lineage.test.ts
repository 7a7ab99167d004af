import { describe, expect, it } from 'vitest';
import { layoutLineage } from '../lineageLayout';

describe('lineage layout', () => {
  it('puts each stage in its own column, left to right', () => {
    const placed = layoutLineage(
      [
        { id: 'dep', type: 'deployment', label: 'd' },
        { id: 'ds', type: 'dataset', label: 'data' },
        { id: 'job', type: 'trainingJob', label: 'j' },
        { id: 'v1', type: 'modelVersion', label: 'm:1' },
        { id: 'plan', type: 'featurePlan', label: 'p' },
      ],
      [{ from: 'ds', to: 'plan' }, { from: 'plan', to: 'job' }, { from: 'job', to: 'v1' }, { from: 'v1', to: 'dep' }],
    );
    const col = Object.fromEntries(placed.map((p) => [p.id, p.column]));
    expect(col).toEqual({ ds: 0, plan: 1, job: 2, v1: 3, dep: 4 });
  });

  it('spreads siblings vertically and places unknown types after their parent', () => {
    const placed = layoutLineage(
      [{ id: 'a', type: 'dataset', label: 'a' }, { id: 'x', type: 'thing', label: 'x' }, { id: 'y', type: 'thing', label: 'y' }],
      [{ from: 'a', to: 'x' }, { from: 'a', to: 'y' }],
    );
    const x = placed.find((p) => p.id === 'x')!;
    const y = placed.find((p) => p.id === 'y')!;
    expect(x.column).toBe(1);
    expect(y.column).toBe(1);
    expect(x.y).not.toBe(y.y);
  });
});
