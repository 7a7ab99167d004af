import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/errors';
import { useDataset, useDatasetRows, useDeleteDataset, useQuality, useUpdateDataset } from '../../api/queries';
import type { Dataset } from '../../api/types';
import { CanWrite, useAuth } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { useToast } from '../../components/toast';
import {
  Badge, Card, ConfirmDialog, ErrorMessage, Kv, PageHeader, QueryView, SkeletonLines, SkeletonPage,
  SkeletonTable, Stat, Table,
} from '../../components/ui';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { fmtBytes, fmtCell, fmtDate, fmtNum, fmtPct } from '../../lib/format';
import { UNIT_GROUPS } from '../../lib/units';
import { useUnsavedGuard } from '../../lib/useUnsavedGuard';
import { unitShapeOk } from '../../lib/validators';

export default function DatasetDetailPage() {
  const { id } = useParams();
  const ds = useDataset(id);
  return (
    <QueryView query={ds} skeleton={<SkeletonPage />}>
      {(d) => <DatasetDetail dataset={d} />}
    </QueryView>
  );
}

function DatasetDetail({ dataset: d }: { dataset: Dataset }) {
  const { t, lang } = useI18n();
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <PageHeader
        crumb={<Link to="/datasets">{t('nav.datasets')}</Link>}
        title={d.name}
        subtitle={d.description || undefined}
        actions={
          <>
            <Link className="btn" to={`/explore?datasetId=${d.id}`} data-testid="to-explore"><Icon name="explore" /> {t('datasets.explore')}</Link>
            <CanWrite>
              <Link className="btn" to={`/features?datasetId=${d.id}`}><Icon name="features" /> {t('datasets.buildPlan')}</Link>
              <button className="btn danger" onClick={() => setConfirming(true)} data-testid="delete-dataset"><Icon name="trash" /> {t('common.delete')}</button>
            </CanWrite>
          </>
        }
      />
      <div className="stack">
        <div className="grid cols-4">
          <Stat label={t('datasets.rows')} value={d.rows.toLocaleString()} />
          <Stat label={t('datasets.columns')} value={d.columns.length} />
          <Stat label={t('datasets.frequency')} value={d.frequency ?? '—'} sub={d.timestampColumn ? t('datasets.tsColumn', { col: d.timestampColumn }) : undefined} />
          <Stat label={t('datasets.size')} value={fmtBytes(d.sizeBytes)} sub={d.format} />
        </div>
        <div className="grid side">
          <SchemaCard dataset={d} />
          <div className="stack">
            <Card title={t('datasets.details')}>
              <Kv items={[
                ['datasets.range', d.start ? `${fmtDate(d.start, lang)} → ${fmtDate(d.end, lang)}` : '—'],
                ['common.created', fmtDate(d.createdAt, lang)],
                ['common.id', <code key="id">{d.id}</code>],
              ]} />
            </Card>
            <QualityCard dataset={d} />
          </div>
        </div>
      </div>
      <div style={{ marginTop: 16 }}><RowsCard id={d.id} /></div>
      {confirming && <DeleteDialog dataset={d} onClose={() => setConfirming(false)} />}
    </>
  );
}

function SchemaCard({ dataset: d }: { dataset: Dataset }) {
  const { t } = useI18n();
  const { canWrite } = useAuth();
  const notify = useToast();
  const update = useUpdateDataset(d.id);
  const initial = Object.fromEntries(d.columns.map((c) => [c.name, c.unit ?? '']));
  const [units, setUnits] = useState<Record<string, string>>(initial);
  const dirty = d.columns.some((c) => (units[c.name] ?? '') !== (c.unit ?? ''));
  const badShape = Object.values(units).find((u) => u.trim() !== '' && !unitShapeOk(u));
  useUnsavedGuard(dirty, t('checks.leave'));
  const save = () => {
    const changed = Object.fromEntries(
      Object.entries(units).filter(([k, v]) => v.trim() !== (initial[k] ?? '')).map(([k, v]) => [k, v.trim() || null]),
    );
    update.mutate({ units: changed }, { onSuccess: () => notify(t('datasets.unitsSaved'), 'ok') });
  };
  return (
    <Card flush title={t('datasets.schema')} subtitle={t('datasets.schemaHint')} actions={
      canWrite && (
        <>
          {dirty && <button className="btn sm" onClick={() => setUnits(initial)}>{t('common.reset')}</button>}
          <button className="btn primary sm" disabled={!dirty || !!badShape || update.isPending} onClick={save} data-testid="save-units">
            {update.isPending && <span className="spinner" />} {t('datasets.saveUnits')}
          </button>
        </>
      )
    }>
      {badShape ? <div className="card-body small" role="alert" style={{ color: 'var(--danger)' }} data-testid="unit-shape">{t('checks.unitShape', { unit: badShape })}</div> : null}
      {update.error ? <div className="card-body" data-testid="units-error"><ErrorMessage error={update.error} /></div> : null}
      <datalist id="unit-options">
        {Object.values(UNIT_GROUPS).flat().map((u) => <option key={u} value={u} />)}
      </datalist>
      <Table dense head={<tr><th>{t('datasets.column')}</th><th>{t('datasets.dtype')}</th><th className="num">{t('datasets.empty_')}</th><th>{t('datasets.unit')}</th></tr>}>
        {d.columns.map((c) => (
          <tr key={c.name}>
            <td><code>{c.name}</code> {c.role === 'timestamp' && <Badge tone="info" plain>{t('datasets.timestamp')}</Badge>}
              {c.sourceName && c.sourceName !== c.name ? <span className="muted small"> ← {c.sourceName}</span> : null}</td>
            <td className="muted">{c.dtype}</td>
            <td className="num">{c.nullCount ? <Badge tone="warn" plain>{c.nullCount.toLocaleString()}</Badge> : <span className="muted">0</span>}</td>
            <td>
              {canWrite && c.role !== 'timestamp' ? (
                <input className="sm" list="unit-options" value={units[c.name] ?? ''} placeholder="—" style={{ width: 110 }}
                  onChange={(e) => setUnits({ ...units, [c.name]: e.target.value })} aria-label={t('datasets.unitOf', { col: c.name })} />
              ) : (c.unit ?? '—')}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function RowsCard({ id }: { id: string }) {
  const { t } = useI18n();
  const rows = useDatasetRows(id, 20);
  return (
    <Card flush title={t('datasets.firstRows')}>
      <QueryView query={rows} skeleton={<SkeletonTable rows={6} cols={6} />}>
        {(r) => (
          <Table dense testId="dataset-rows" style={{ maxHeight: 360 }} head={<tr>{r.columns.map((c) => <th key={c} className={typeof r.rows[0]?.[c] === 'number' ? 'num' : undefined}>{c}</th>)}</tr>}>
            {r.rows.map((row, i) => (
              <tr key={i}>{r.columns.map((c) => <td key={c} className={typeof row[c] === 'number' ? 'num' : 'small nowrap'}>{fmtCell(row[c])}</td>)}</tr>
            ))}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

const RULE_KEYS: Record<string, MessageKey> = {
  notNull: 'datasets.rule.notNull', range: 'datasets.rule.range',
  monotonicTimestamps: 'datasets.rule.monotonicTimestamps', regularInterval: 'datasets.rule.regularInterval',
};

function QualityCard({ dataset }: { dataset: Dataset }) {
  const { t } = useI18n();
  const q = useQuality(dataset.id);
  return (
    <Card title={t('datasets.quality')} subtitle={q.data ? t('datasets.qualityScore', { score: fmtPct(q.data.score, 0) }) : undefined} actions={q.data && (
      <Badge tone={q.data.passed ? 'ok' : 'warn'}>{q.data.passed ? t('datasets.qualityPassed') : t('datasets.qualityIssues')}</Badge>
    )}>
      <QueryView query={q} skeleton={<SkeletonLines lines={5} />}>
        {(r) => r.rules.length === 0 ? <p className="muted">{t('datasets.noChecks')}</p> : (
          <Table dense testId="quality" style={{ margin: '-16px -18px' }} head={<tr><th>{t('datasets.ruleCol')}</th><th>{t('datasets.column')}</th><th className="num">{t('datasets.observed')}</th><th /></tr>}>
            {[...r.rules].sort((a, b) => Number(a.passed) - Number(b.passed)).map((c, i) => (
              <tr key={i} title={`${c.message} (${c.threshold})`}>
                <td>{RULE_KEYS[c.rule] ? t(RULE_KEYS[c.rule]!) : c.rule}</td>
                <td>{c.column ? <code>{c.column}</code> : <span className="muted">—</span>}</td>
                <td className="num">{c.observed <= 1 && c.observed >= 0 ? fmtPct(c.observed, 2) : fmtNum(c.observed)}</td>
                <td><Badge tone={c.passed ? 'ok' : 'warn'} plain>{c.passed ? '✓' : t('datasets.failedRule')}</Badge></td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}

function DeleteDialog({ dataset, onClose }: { dataset: Dataset; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const notify = useToast();
  const del = useDeleteDataset();
  const conflict = del.error instanceof ApiError && del.error.code === 'CONFLICT';
  const run = (force: boolean) =>
    del.mutate({ id: dataset.id, force }, {
      onSuccess: () => {
        notify(t('datasets.deleted', { name: dataset.name }), 'ok');
        navigate('/datasets');
      },
    });
  return (
    <ConfirmDialog
      title={t('datasets.deleteTitle')}
      text={conflict ? t('datasets.deleteConflict') : t('datasets.deleteText', { name: dataset.name })}
      confirmLabel={conflict ? t('datasets.deleteForce') : t('common.delete')}
      danger
      busy={del.isPending}
      error={del.error}
      onConfirm={() => run(conflict)}
      onCancel={onClose}
    />
  );
}
