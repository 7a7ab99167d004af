import { describe, expect, it } from 'vitest';
import type { LatencySeries } from '../../api/types';
import { latencyPoints, latencySummary } from '../latency';

const s = (count: number, requestUs: number, queueUs: number, computeUs: number): LatencySeries => ({
  model: 'm', version: '1', requestSuccess: count, requestFailure: 0, inferenceCount: count, execCount: count,
  requestDurationUs: requestUs, queueDurationUs: queueUs, computeInputDurationUs: 0, computeInferDurationUs: computeUs,
  computeOutputDurationUs: 0, meanRequestUs: null, meanQueueUs: null, meanComputeUs: null, p99RequestUs: 9000, quantiles: {},
});

describe('latency series', () => {
  it('turns cumulative counters into per-interval means in ms', () => {
    const points = latencyPoints([
      { at: 't0', series: [s(10, 10_000, 1_000, 5_000)] },
      { at: 't1', series: [s(10, 10_000, 1_000, 5_000)] },
      { at: 't2', series: [s(14, 18_000, 1_400, 9_000)] },
      { at: 't3', series: [s(2, 1_000, 100, 500)] },
    ]);
    expect(points).toEqual([{ ts: 't2', requestMs: 2, queueMs: 0.1, computeMs: 1, count: 4 }]);
  });

  it('summarizes lifetime means across versions', () => {
    const sum = latencySummary([s(10, 20_000, 2_000, 10_000), s(10, 20_000, 2_000, 10_000)]);
    expect(sum).toEqual({ requests: 20, failures: 0, requestMs: 2, queueMs: 0.2, computeMs: 1, p99Ms: 9 });
    expect(latencySummary([]).requestMs).toBeNull();
  });
});
