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
    expect(sum).toEqual({ requests: 20, failures: 0, recent: false, requestMs: 2, queueMs: 0.2, computeMs: 1, p99Ms: 9 });
    expect(latencySummary([]).requestMs).toBeNull();
  });

  it('sets the recent p99 beside the recent mean, not a lifetime mean swollen by slow first calls', () => {
    // 2 warm-up calls of 100 ms, then 98 calls of 5 ms: lifetime mean 6.9 ms, recent mean 5 ms.
    const snapshots = [
      { at: 't0', series: [s(2, 200_000, 0, 0)] },
      { at: 't1', series: [s(100, 200_000 + 98 * 5_000, 0, 0)] },
    ];
    const sum = latencySummary([{ ...s(100, 690_000, 0, 0), p99RequestUs: 6_000 }], latencyPoints(snapshots));
    expect(sum.recent).toBe(true);
    expect(sum.requestMs).toBeCloseTo(5);
    expect(sum.p99Ms!).toBeGreaterThanOrEqual(sum.requestMs!);
  });
});
