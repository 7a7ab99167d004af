import { describe, expect, it } from 'vitest';
import { filterLogs, normalizeLevel, splitMatches, toLogLine, type LogLine } from '../logs';

const lines: LogLine[] = [
  { seq: 1, ts: '2026-01-01T00:00:00Z', level: 'DEBUG', message: 'loading parquet' },
  { seq: 2, ts: '2026-01-01T00:00:01Z', level: 'INFO', message: 'epoch 1 train loss 0.52' },
  { seq: 3, ts: '2026-01-01T00:00:02Z', level: 'WARNING', message: 'Gap of 3 points filled' },
  { seq: 4, ts: '2026-01-01T00:00:03Z', level: 'ERROR', message: 'CUDA out of memory' },
];

describe('log filter', () => {
  it('shows the chosen level and above', () => {
    expect(filterLogs(lines, { level: 'ALL', q: '' })).toHaveLength(4);
    expect(filterLogs(lines, { level: 'WARNING', q: '' }).map((l) => l.seq)).toEqual([3, 4]);
    expect(filterLogs(lines, { level: 'ERROR', q: '' }).map((l) => l.seq)).toEqual([4]);
  });

  it('searches case-insensitively and combines with the level', () => {
    expect(filterLogs(lines, { level: 'ALL', q: 'EPOCH' }).map((l) => l.seq)).toEqual([2]);
    expect(filterLogs(lines, { level: 'WARNING', q: 'epoch' })).toEqual([]);
    expect(filterLogs(lines, { level: 'ALL', q: '   ' })).toHaveLength(4);
  });

  it('normalizes level names', () => {
    expect(normalizeLevel('warn')).toBe('WARNING');
    expect(normalizeLevel('critical')).toBe('ERROR');
    expect(normalizeLevel(undefined)).toBe('INFO');
    expect(normalizeLevel('trace')).toBe('INFO');
  });

  it('reads log events and ignores the others', () => {
    expect(toLogLine({ type: 'log', seq: 7, ts: 't', payload: { level: 'error', message: 'boom' } })).toEqual({ seq: 7, ts: 't', level: 'ERROR', message: 'boom' });
    expect(toLogLine({ type: 'metric', seq: 8, ts: 't', payload: { epoch: 1 } })).toBeNull();
    expect(toLogLine({ type: 'log', seq: 10, ts: 't', payload: { level: 'INFO', message: 'done: MAE 12.0% below naive', code: 'done', params: { gain: '12.0', baseline: 'naive' } } }))
      .toEqual({ seq: 10, ts: 't', level: 'INFO', message: 'done: MAE 12.0% below naive', code: 'done', params: { gain: '12.0', baseline: 'naive' } });
    // The worker logs an ERROR line as well as the error event: the event is not a second line.
    expect(toLogLine({ type: 'error', seq: 9, ts: 't', payload: { message: 'x' } })).toBeNull();
  });

  it('splits text around every match for highlighting', () => {
    expect(splitMatches('Loss loss LOSS', 'loss')).toEqual([
      { text: 'Loss', match: true }, { text: ' ', match: false }, { text: 'loss', match: true }, { text: ' ', match: false }, { text: 'LOSS', match: true },
    ]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', match: false }]);
    expect(splitMatches('abc', 'x')).toEqual([{ text: 'abc', match: false }]);
  });
});
