import { describe, expect, it } from 'vitest';
import { FREQUENCIES, addOp, defaultPlan, describeOp, opReach, suggestionToOp, toFrequency } from '../planOps';

const base = defaultPlan({ datasetId: 'd1', target: 'OT', frequency: '1h' });

describe('plan operations', () => {
  it('builds a default plan from the dataset frequency', () => {
    expect(base).toMatchObject({ target: 'OT', inputs: [{ name: 'OT' }], frequency: '1h', lookback: 96, horizon: 24 });
    expect(toFrequency('15T')).toBe('15min');
    expect(toFrequency('10min')).toBe('10min');
    expect(toFrequency('10T')).toBe('10min');
    expect(FREQUENCIES).toContain('10min');
    // ten-minute data: a day is 144 steps, the default plan four days back and one ahead
    expect(defaultPlan({ datasetId: 'd1', target: 'load', frequency: '10min' })).toMatchObject({ frequency: '10min', lookback: 576, horizon: 144 });
    expect(toFrequency('weird')).toBe('1h');
  });

  it('adds a suggested op once, growing the lookback so a lag fits', () => {
    const op = suggestionToOp({ op: 'lag', params: { lags: [24, 168] } }, 'OT');
    expect(op).toEqual({ op: 'lag', lags: [24, 168], input: 'OT' });
    const p1 = addOp(base, op);
    expect(p1.ops).toHaveLength(1);
    expect(p1.lookback).toBe(170);
    expect(addOp(p1, { input: 'OT', op: 'lag', lags: [24, 168] })).toBe(p1);
  });

  it('adds the op input to the plan inputs', () => {
    const p = addOp(base, { op: 'rolling', input: 'HUFL', window: 24, stats: ['mean'] });
    expect(p.inputs.map((i) => i.name)).toEqual(['OT', 'HUFL']);
    expect(p.lookback).toBe(96);
  });

  it('knows how far back each op reads and describes it', () => {
    expect(opReach({ op: 'diff', input: 'x', periods: 24 })).toBe(25);
    expect(opReach({ op: 'seasonality', daily: true })).toBe(0);
    expect(describeOp({ op: 'rolling', input: 'OT', window: 24, stats: ['mean', 'std'] })).toBe('rolling OT w=24 (mean, std)');
  });
});
