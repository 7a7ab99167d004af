import { describe, expect, it } from 'vitest';
import { seriesColumnChoices, withAsset, withSeriesColumn } from '../seriesColumns';

describe('many meters, one model', () => {
  it('offers the categorical columns that are not plan inputs as series columns', () => {
    const columns = [
      { name: 'timestamp', role: 'timestamp' },
      { name: 'line', role: 'categorical' },
      { name: 'load_kw', role: 'numeric' },
      { name: 'shift', role: 'categorical' },
    ];
    expect(seriesColumnChoices(columns)).toEqual(['line', 'shift']);
    expect(seriesColumnChoices(columns, ['shift'])).toEqual(['line']);
    expect(seriesColumnChoices(undefined)).toEqual([]);
  });

  it('adds series_column only when one is chosen', () => {
    expect(withSeriesColumn({ epochs: 3 }, '')).toEqual({ epochs: 3 });
    expect(withSeriesColumn({ epochs: 3 }, 'line')).toEqual({ epochs: 3, series_column: 'line' });
  });

  it('names the asset only for a deployment that serves several', () => {
    expect(withAsset({ series: [] }, ['line-a', 'line-b'], 'line-b')).toEqual({ series: [], assetId: 'line-b' });
    expect(withAsset({ series: [] }, [], 'line-b')).toEqual({ series: [] });
    expect(withAsset({ series: [] }, undefined, '')).toEqual({ series: [] });
  });
});
