import { describe, expect, it } from 'vitest';
import { acfTicks, lagLabel, slotLabel, suggestedChartOption } from './suggested';

const labels = { lag: 'lag', mean: 'mean', band: '±1 std' };
type Series = { name: string; type: string; data: unknown[] }[];

describe('suggested charts', () => {
  it('labels profile slots and ACF lags in time units', () => {
    expect(slotLabel('daily', 7)).toBe('07:00');
    expect(slotLabel('weekly', 24 * 6 + 23)).toBe('Sun 23:00');
    expect(lagLabel(24, 3600)).toBe('1d');
    expect(lagLabel(6, 3600)).toBe('6h');
    expect(lagLabel(3, 900)).toBe('45m');
    expect(lagLabel(0, 3600)).toBe('0');
    const lags = Array.from({ length: 337 }, (_, i) => i);
    expect([...acfTicks(lags, 3600)]).toEqual([0, 48, 96, 144, 192, 240, 288, 336]);
    expect(acfTicks(lags, 86400).size).toBeLessThanOrEqual(8);
    expect(acfTicks(lags, 3600, 4).size).toBeLessThanOrEqual(4);
  });

  it('draws a zoomable series and a box from whiskers', () => {
    const series = suggestedChartOption({ type: 'series', column: 'OT', t: ['2016-07-01T00:00:00'], y: [5], originalPoints: 17420, method: 'minmax' }, labels);
    expect(series.dataZoom).toBeDefined();
    expect((series.xAxis as { data: string[] }).data).toEqual(['2016-07-01 00:00']);
    const box = suggestedChartOption({ type: 'box', column: 'OT', min: -4, q1: 1, median: 2, q3: 3, max: 40, whiskerLow: 0, whiskerHigh: 6, outliers: 3 }, labels);
    expect((box.series as Series)[0]!.data).toEqual([[0, 1, 2, 3, 6]]);
  });

  it('draws a profile with its std band and the ACF with its confidence bound', () => {
    const profile = suggestedChartOption({ type: 'profile', column: 'OT', period: 'daily', slot: [0, 1], mean: [10, null], std: [2, null], count: [5, 0] }, labels);
    const s = profile.series as Series;
    expect(s.map((x) => x.name)).toEqual(['lower', '±1 std', 'mean']);
    expect(s[0]!.data).toEqual([8, null]);
    expect(s[1]!.data).toEqual([4, null]);
    const acf = suggestedChartOption({ type: 'acf', column: 'OT', stepSeconds: 3600, lags: [1, 24], values: [0.9, 0.7], confidence: 0.05 }, labels);
    expect((acf.xAxis as { data: string[] }).data).toEqual(['1h', '1d']);
  });
});
