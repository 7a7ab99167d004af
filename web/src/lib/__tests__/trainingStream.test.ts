import { describe, expect, it } from 'vitest';
import type { TrainingEvent } from '../../api/types';
import { applyEvents, initialStream, isTerminal, parseEvent } from '../trainingStream';

const ev = (seq: number, type: TrainingEvent['type'], payload: Record<string, unknown> = {}): TrainingEvent => ({ seq, type, payload, ts: `2026-01-01T00:00:0${seq}Z` });

describe('training stream', () => {
  it('folds logs, metrics, artifacts and the end of a job', () => {
    let s = applyEvents(initialStream, [ev(1, 'status', { status: 'running' }), ev(2, 'log', { level: 'INFO', message: 'start' })], false);
    s = applyEvents(s, [ev(3, 'metric', { epoch: 1, trainLoss: 1, valLoss: 1.1, progress: 0.4 }), ev(4, 'artifact', { name: 'model.onnx' })], true);
    s = applyEvents(s, [ev(5, 'done', { seconds: 3 })]);
    expect(s.logs.map((l) => l.message)).toEqual(['start']);
    expect(s.metrics).toHaveLength(1);
    expect(s.liveMetricCount).toBe(1);
    expect(s.artifacts).toEqual([{ name: 'model.onnx' }]);
    expect(s.status).toBe('succeeded');
    expect(s.progress).toBe(1);
    expect(s.lastSeq).toBe(5);
  });

  it('ignores replayed events and sorts a batch by seq', () => {
    const s1 = applyEvents(initialStream, [ev(2, 'log', { message: 'b' }), ev(1, 'log', { message: 'a' })]);
    expect(s1.logs.map((l) => l.message)).toEqual(['a', 'b']);
    const s2 = applyEvents(s1, [ev(1, 'log', { message: 'a' }), ev(2, 'log', { message: 'b' })]);
    expect(s2).toBe(s1);
  });

  it('records a failure with its traceback', () => {
    const s = applyEvents(initialStream, [ev(1, 'error', { message: 'ValueError: bad', traceback: ['a', 'b'] })]);
    expect(s.status).toBe('failed');
    expect(s.error).toBe('ValueError: bad');
    expect(s.traceback).toEqual(['a', 'b']);
  });

  it('parses frames and knows the terminal ones', () => {
    expect(parseEvent({ type: 'log', seq: 1, ts: 'x', payload: { message: 'm' } })).toEqual({ type: 'log', seq: 1, ts: 'x', payload: { message: 'm' } });
    expect(parseEvent({ code: 'UNAUTHORIZED', message: 'no' })).toBeNull();
    expect(parseEvent('nope')).toBeNull();
    expect(isTerminal(ev(1, 'done'))).toBe(true);
    expect(isTerminal(ev(1, 'status', { status: 'cancelled' }))).toBe(true);
    expect(isTerminal(ev(1, 'status', { status: 'paused' }))).toBe(false);
  });
});
