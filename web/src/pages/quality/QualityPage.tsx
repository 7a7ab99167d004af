/** Data quality: a dataset's rule suite (JSON, versioned), checks run as jobs, and each report's
 * findings with the time ranges where a rule failed. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useDatasetOptions } from '../../api/queries';
import type { ResponseOf } from '../../api/types';
import { CanWrite } from '../../auth/AuthContext';
import { Alert, Badge, Card, EmptyState, ErrorMessage, Field, PageHeader, Progress, Table, type Tone } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';

type Report = ResponseOf<'/api/v2/data/quality/reports/{report_id}'>;
const BASE = '/api/v2/data/quality';
const TONE: Record<string, Tone> = { pass: 'ok', warn: 'warn', fail: 'danger', error: 'danger' };
const EXAMPLE = JSON.stringify([
  { kind: 'notNull', column: 'load', minShare: 0.99 },
  { kind: 'range', column: 'load', min: 0, max: 1000 },
  { kind: 'regularInterval', maxGapSeconds: 3600 },
  { kind: 'noDuplicateTimestamps' },
], null, 2);

function useReports(datasetId: string) {
  return useQuery({
    queryKey: ['quality', 'reports', datasetId],
    queryFn: () => unwrap(api.GET(`${BASE}/reports`, { params: { query: { datasetId, limit: 20 } } })),
    enabled: !!datasetId,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 1000 : false),
  });
}

function SuiteEditor({ datasetId }: { datasetId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const suites = useQuery({
    queryKey: ['quality', 'suites', datasetId],
    queryFn: () => unwrap(api.GET(`${BASE}/rules`, { params: { query: { datasetId } } })),
  });
  const latest = suites.data?.[0];
  const [text, setText] = useState(EXAMPLE);
  useEffect(() => { setText(latest ? JSON.stringify(latest.rules, null, 2) : EXAMPLE); }, [latest]);
  let parsed: unknown = null;
  let parseError = '';
  try { parsed = JSON.parse(text); } catch (e) { parseError = e instanceof Error ? e.message : String(e); }
  const save = useMutation({
    mutationFn: () => unwrap(api.POST(`${BASE}/rules`, {
      body: { name: latest?.name ?? 'checks', datasetId, rules: parsed as never },
    })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['quality', 'suites', datasetId] }),
  });
  return (
    <Card title={t('quality.suite')} subtitle={latest ? `${latest.name} v${latest.version}` : undefined}>
      <div className="stack">
        <Field label={t('quality.suite')} hint={t('quality.suiteHint')} error={parseError ? t('quality.badJson', { error: parseError }) : undefined}>
          <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} className="mono" data-testid="suite-json" />
        </Field>
        {save.error ? <ErrorMessage error={save.error} /> : null}
        {save.isSuccess ? <Alert kind="ok">{t('quality.suiteSaved', { name: save.data.name, version: save.data.version })}</Alert> : null}
        <CanWrite><div><button className="btn" disabled={!!parseError || save.isPending} onClick={() => save.mutate()} data-testid="suite-save">{t('quality.saveSuite')}</button></div></CanWrite>
      </div>
    </Card>
  );
}

type RuleResult = NonNullable<Report['result']>['rules'][number];
const pct = (v: unknown) => `${(Number(v ?? 0) * 100).toFixed(2)}%`;
const SHARE_CODES = new Set(['quality.range', 'quality.allowedValues', 'quality.stuck', 'quality.outliers', 'quality.compare']);

/** The finding in the reader's language, from the rule's code and parameters. */
function finding(r: RuleResult, t: ReturnType<typeof useI18n>['t']): string {
  const p = (r.params ?? {}) as Record<string, unknown>;
  const n = (k: string) => Number(p[k] ?? 0);
  if (SHARE_CODES.has(r.code)) return t('quality.finding.share', { failing: n('failing'), checked: n('checked'), share: pct(p.share), allowed: pct(p.allowed) });
  switch (r.code) {
    case 'quality.notNull': return t('quality.finding.notNull', { present: pct(p.present), missing: n('missing') });
    case 'quality.gaps': return t('quality.finding.gaps', { gaps: n('gaps'), missingPoints: n('missingPoints') });
    case 'quality.monotonic': return t('quality.finding.monotonic', { failing: n('failing') });
    case 'quality.duplicates': return t('quality.finding.duplicates', { failing: n('failing') });
    case 'quality.freshness': return t('quality.finding.freshness', { age: `${Math.round(n('ageSeconds') / 3600)} h` });
    case 'quality.rowCount': return t('quality.finding.rowCount', { rows: n('rows') });
    case 'quality.missingColumn': return t('quality.finding.missingColumn', { column: String(p.column ?? '') });
    case 'quality.noFrequency': return t('quality.finding.noFrequency');
    case 'quality.empty': return t('quality.finding.empty');
    default: return r.message;
  }
}

function ReportView({ report }: { report: Report }) {
  const { t, lang } = useI18n();
  const result = report.result;
  return (
    <Card title={`${t('quality.report')} ${report.id}`} subtitle={`${report.suiteName} v${report.suiteVersion} · ${fmtDate(report.createdAt, lang)}`} flush>
      {!result ? <div className="pad"><Progress value={report.progress} />{report.error ? <Alert kind="error">{report.error}</Alert> : null}</div> : (
        <Table testId="quality-rules" head={<tr><th>{t('quality.rule')}</th><th>{t('quality.outcome')}</th><th className="num">{t('quality.failing')}</th><th>{t('quality.message')}</th><th>{t('quality.where')}</th></tr>}>
          {result.rules.map((r) => (
            <tr key={r.index} data-testid={`quality-rule-${r.kind}`}>
              <td><strong>{r.kind}</strong>{r.column ? <div className="muted small">{r.column}</div> : null}</td>
              <td><Badge tone={TONE[r.outcome] ?? 'neutral'}>{t(`quality.${r.outcome}`)}</Badge></td>
              <td className="num">{r.failing} / {r.checked}</td>
              <td className="small" title={r.message}>{finding(r, t)}</td>
              <td className="small nowrap" data-testid="quality-ranges">
                {(r.ranges ?? []).slice(0, 5).map((g) => (
                  <div key={`${g.start}-${g.end}`}>{fmtDate(g.start, lang)} → {fmtDate(g.end, lang)} <span className="muted">({t('quality.points', { n: g.points })})</span></div>
                ))}
                {(r.rangesTotal ?? 0) > 5 ? <div className="muted">{t('quality.more', { n: (r.rangesTotal ?? 0) - 5 })}</div> : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

export default function QualityPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const datasetId = params.get('datasetId') ?? '';
  const reportId = params.get('reportId') ?? '';
  const datasets = useDatasetOptions();
  const reports = useReports(datasetId);
  const client = useQueryClient();
  const validate = useMutation({
    mutationFn: () => unwrap(api.POST(`${BASE}/validate`, { body: { datasetId } })),
    onSuccess: (r) => { setParams({ datasetId, reportId: r.id }); void client.invalidateQueries({ queryKey: ['quality', 'reports', datasetId] }); },
  });
  const selected = reports.data?.items.find((r) => r.id === reportId) ?? reports.data?.items[0];
  return (
    <>
      <PageHeader title={t('quality.title')} subtitle={t('quality.subtitle')} actions={
        <CanWrite><button className="btn primary" disabled={!datasetId || validate.isPending} onClick={() => validate.mutate()} data-testid="quality-run">{t('quality.run')}</button></CanWrite>
      } />
      <div className="stack">
        <select value={datasetId} onChange={(e) => setParams({ datasetId: e.target.value })} aria-label={t('quality.dataset')} data-testid="quality-dataset">
          <option value="">{t('quality.pick')}</option>
          {datasets.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.id})</option>)}
        </select>
        {validate.error ? <ErrorMessage error={validate.error} /> : null}
        {datasetId && <SuiteEditor datasetId={datasetId} />}
        {datasetId && (
          <Card title={t('quality.history')} flush>
            {reports.error ? <ErrorMessage error={reports.error} /> : !reports.data?.items.length ? <EmptyState icon="inbox" title={t('quality.noReports')} /> : (
              <Table testId="quality-reports" head={<tr><th>{t('common.id')}</th><th>{t('quality.outcome')}</th><th>{t('quality.trigger')}</th><th>{t('common.created')}</th></tr>}>
                {reports.data.items.map((r) => (
                  <tr key={r.id} className="clickable" onClick={() => setParams({ datasetId, reportId: r.id })}>
                    <td className="mono small">{r.id}</td>
                    <td>{r.outcome ? <Badge tone={TONE[r.outcome]}>{t(`quality.${r.outcome}`)}</Badge> : <Badge tone="info">{t(`status.${r.status === 'done' ? 'succeeded' : r.status === 'error' ? 'failed' : r.status}`)}</Badge>}</td>
                    <td>{r.trigger}</td>
                    <td className="small muted nowrap">{fmtDate(r.createdAt, lang)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
        )}
        {selected && <ReportView report={selected} />}
      </div>
    </>
  );
}
