/** Live accuracy over time: MAE and coverage of p05-p95 per hour or day, against the
 * model card's hold-out figures (dashed). */
import { useState } from 'react';
import EChart from '../../charts/EChart';
import type { Option } from '../../charts/options';
import { Card, EmptyState, QueryView } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { type Accuracy, useAccuracyOverTime } from './queries';

const AXIS = { axisLine: { lineStyle: { color: '#cdd5df' } }, axisLabel: { color: '#4b5565' }, splitLine: { lineStyle: { color: '#eef1f5' } } };

export function overTimeOption(a: Accuracy, labels: { mae: string; coverage: string; offlineMae: string; offlineCoverage: string }): Option {
  const t = a.buckets.map((b) => Date.parse(b.t));
  const flat = (v: number | null | undefined) => (v == null ? [] : t.map((x) => [x, v]));
  return {
    animation: false,
    grid: { left: 56, right: 56, top: 36, bottom: 36 },
    tooltip: { trigger: 'axis', confine: true },
    legend: { top: 0, right: 0 },
    xAxis: { type: 'time', ...AXIS },
    yAxis: [
      { type: 'value', name: 'MAE', scale: true, ...AXIS },
      { type: 'value', name: labels.coverage, min: 0, max: 1, ...AXIS },
    ],
    series: [
      { name: labels.mae, type: 'line', data: a.buckets.map((b, i) => [t[i], b.mae]), symbolSize: 4, itemStyle: { color: '#2856d6' } },
      { name: labels.offlineMae, type: 'line', data: flat(a.offlineMae), symbol: 'none', lineStyle: { type: 'dashed' }, itemStyle: { color: '#2856d6' } },
      { name: labels.coverage, type: 'line', yAxisIndex: 1, data: a.buckets.map((b, i) => [t[i], b.coverage]), symbolSize: 4, itemStyle: { color: '#e8871e' } },
      { name: labels.offlineCoverage, type: 'line', yAxisIndex: 1, data: flat(a.offlineCoverage), symbol: 'none', lineStyle: { type: 'dashed' }, itemStyle: { color: '#e8871e' } },
    ],
  };
}

export function AccuracyOverTimeCard({ deploymentId }: { deploymentId: string }) {
  const { t } = useI18n();
  const [bucket, setBucket] = useState<'hour' | 'day'>('day');
  const accuracy = useAccuracyOverTime(deploymentId, bucket, bucket === 'day' ? 90 : 7);
  return (
    <Card title={t('watching.overTime')} subtitle={t('watching.overTimeHint')} testId="monitor-accuracy-over-time"
      actions={<label className="row" style={{ gap: 6 }}>{t('watching.bucket')}
        <select value={bucket} onChange={(e) => setBucket(e.target.value as 'hour' | 'day')} aria-label={t('watching.bucket')}>
          <option value="day">{t('watching.day')}</option>
          <option value="hour">{t('watching.hour')}</option>
        </select></label>}>
      <QueryView query={accuracy} skeleton={<div style={{ height: 240 }} />}>
        {(a) => a.buckets.length === 0 ? <EmptyState title={t('watching.noBuckets')} /> : (
          <EChart height={240} testId="monitor-accuracy-chart" option={overTimeOption(a, {
            mae: 'MAE', coverage: t('watching.coverage'), offlineMae: t('watching.offlineMae'), offlineCoverage: t('watching.offlineCoverage'),
          })} />
        )}
      </QueryView>
    </Card>
  );
}
