/** Triton's cumulative latency counters, turned into per-interval means for a chart. */
import type { LatencySeries } from '../api/types';

export interface Snapshot { at: string; series: readonly LatencySeries[] }
export interface LatencyPoint { ts: string; requestMs: number; queueMs: number; computeMs: number; count: number }

function totals(series: readonly LatencySeries[]) {
  let count = 0, request = 0, queue = 0, compute = 0, failures = 0;
  for (const s of series) {
    count += s.requestSuccess;
    failures += s.requestFailure;
    request += s.requestDurationUs;
    queue += s.queueDurationUs;
    compute += s.computeInputDurationUs + s.computeInferDurationUs + s.computeOutputDurationUs;
  }
  return { count, request, queue, compute, failures };
}

/** One point per pair of consecutive snapshots that saw new requests; counter resets are skipped. */
export function latencyPoints(snapshots: readonly Snapshot[]): LatencyPoint[] {
  const out: LatencyPoint[] = [];
  for (let i = 1; i < snapshots.length; i++) {
    const a = totals(snapshots[i - 1]!.series);
    const b = totals(snapshots[i]!.series);
    const n = b.count - a.count;
    if (n <= 0) continue;
    out.push({
      ts: snapshots[i]!.at,
      requestMs: (b.request - a.request) / n / 1000,
      queueMs: (b.queue - a.queue) / n / 1000,
      computeMs: (b.compute - a.compute) / n / 1000,
      count: n,
    });
  }
  return out;
}

/** Counts over every version the deployment served, and means (ms) over the recent points
 * when there are any. Triton's p99 comes from a summary over a sliding window of recent
 * requests, so it is set beside the mean of recent requests too: a lifetime mean (which
 * keeps the slow first calls after a model loads) can lie above a recent p99. */
export function latencySummary(series: readonly LatencySeries[], recent: readonly LatencyPoint[] = []) {
  const t = totals(series);
  const ms = (us: number) => (t.count > 0 ? us / t.count / 1000 : null);
  const p99 = series.map((s) => s.p99RequestUs).filter((v): v is number => typeof v === 'number');
  const n = recent.reduce((sum, p) => sum + p.count, 0);
  const mean = (pick: (p: LatencyPoint) => number) => recent.reduce((sum, p) => sum + pick(p) * p.count, 0) / n;
  return {
    requests: t.count,
    failures: t.failures,
    recent: n > 0,
    requestMs: n > 0 ? mean((p) => p.requestMs) : ms(t.request),
    queueMs: n > 0 ? mean((p) => p.queueMs) : ms(t.queue),
    computeMs: n > 0 ? mean((p) => p.computeMs) : ms(t.compute),
    p99Ms: p99.length ? Math.max(...p99) / 1000 : null,
  };
}
