// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/i18n';
import type { LogLine } from '../../lib/logs';
import { LogViewer } from '../LogViewer';

const lines: LogLine[] = [
  { seq: 1, ts: '2026-01-01T10:00:00Z', level: 'INFO', message: 'epoch 1 done' },
  { seq: 2, ts: '2026-01-01T10:00:01Z', level: 'ERROR', message: 'worker lost' },
  { seq: 3, ts: '2026-01-01T10:00:02Z', level: 'DEBUG', message: 'batch 3' },
];

describe('LogViewer', () => {
  afterEach(cleanup);

  it('filters by level and search, highlights matches and marks errors', () => {
    localStorage.setItem('loadstar.lang', 'en');
    const { container } = render(<I18nProvider><LogViewer lines={lines} /></I18nProvider>);
    expect(container.querySelectorAll('.log-line')).toHaveLength(3);
    expect(container.querySelector('.log-line.ERROR')?.textContent).toContain('worker lost');
    expect(screen.getByText('1 errors')).toBeTruthy();

    fireEvent.change(screen.getByTestId('log-level'), { target: { value: 'INFO' } });
    expect(container.querySelectorAll('.log-line')).toHaveLength(2);

    fireEvent.change(screen.getByTestId('log-search'), { target: { value: 'EPOCH' } });
    expect(container.querySelectorAll('.log-line')).toHaveLength(1);
    expect(container.querySelector('mark')?.textContent).toBe('epoch');

    fireEvent.change(screen.getByTestId('log-search'), { target: { value: 'nothing' } });
    expect(screen.getByText('No line matches the filter.')).toBeTruthy();
  });

  it('shows a coded line in the reader\'s language and searches it as shown', () => {
    localStorage.setItem('loadstar.lang', 'zh-CN');
    const coded: LogLine[] = [
      { seq: 1, ts: '2026-01-01T10:00:00Z', level: 'INFO', message: 'stopped after 12 epochs (best 9); evaluating', code: 'stopped', params: { epochs: '12', best: '9' } },
      { seq: 2, ts: '2026-01-01T10:00:01Z', level: 'INFO', message: 'an uncoded line', code: 'noSuchCode', params: {} },
    ];
    const { container } = render(<I18nProvider><LogViewer lines={coded} /></I18nProvider>);
    const shown = [...container.querySelectorAll('.log-line .msg')].map((e) => e.textContent);
    expect(shown).toEqual(['训练 12 轮后停止（最佳第 9 轮）；正在评估', 'an uncoded line']);
    fireEvent.change(screen.getByTestId('log-search'), { target: { value: '评估' } });
    expect(container.querySelectorAll('.log-line')).toHaveLength(1);
  });
});
