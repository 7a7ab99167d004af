import { describe, expect, it } from 'vitest';
import { alertMessage } from '../serverText';

const fired = {
  message: 'Live coverage of [p05, p95] is 62% over the last 24 h (below 80%)',
  code: 'coverageFired',
  params: { value: '62%', window: '24 h', threshold: '80%' },
};

describe('an alert delivery in the reader\'s language', () => {
  it('words a metric rule from its code and parameters, in English as the server sent it', () => {
    expect(alertMessage('en', fired)).toBe(fired.message);
    expect(alertMessage('zh-CN', fired)).toBe('最近 24 h 的 [p05, p95] 实时覆盖率为 62%（低于 80%）');
  });

  it('names an anomaly event\'s kind in the reader\'s language', () => {
    const event = {
      message: 'Spike: load 2.3x the expected 410 kW for 30 min',
      code: 'anomalyEvent',
      params: { kind: 'level_shift', start: '2025-07-03T22:30:00Z', end: '2025-07-04T00:15:00Z', minutes: '120' },
    };
    expect(alertMessage('en', event)).toBe('Anomaly event: Level shift from 2025-07-03T22:30:00Z to 2025-07-04T00:15:00Z (120 min)');
    expect(alertMessage('zh-CN', event)).toBe('异常事件：水平偏移，从 2025-07-03T22:30:00Z 到 2025-07-04T00:15:00Z（120 分钟）');
  });

  it('keeps the English sentence of a delivery without a code, or with one it does not know', () => {
    expect(alertMessage('zh-CN', { message: 'Readings arrive again', code: null, params: {} })).toBe('Readings arrive again');
    expect(alertMessage('zh-CN', { message: 'Something new', code: 'notYetKnown', params: {} })).toBe('Something new');
    expect(alertMessage('en', {})).toBe('');
  });
});
