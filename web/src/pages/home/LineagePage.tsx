/** The lineage explorer: the whole graph or the graph around any node; click a node to
import './home.css';
 * start from it and go deeper. External nodes (recorded through the API) are marked. */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import EChart from '../../charts/EChart';
import { lineageOption } from '../../charts/options';
import { Badge, Card, EmptyState, PageHeader, QueryView, Skeleton, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { layoutLineage, type Placed } from '../../lib/lineageLayout';
import { useLineageGraph, type LineagePage as Page } from './queries';

const DERIVED = ['dataset', 'featurePlan', 'trainingJob', 'modelVersion', 'deployment'];
const DEPTHS = [1, 2, 3, 5, 10];
const PAGE = 200;

export default function LineagePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const rootType = params.get('type') ?? '';
  const rootId = params.get('id') ?? '';
  const depth = Number(params.get('depth') ?? 2);
  const types = params.get('types') ?? '';
  const offset = Number(params.get('offset') ?? 0);
  const graph = useLineageGraph({ rootType, rootId, depth: rootId ? depth : undefined, types, offset, limit: PAGE });
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k); else next.set(k, v);
    setParams(next);
  };
  return (
    <>
      <PageHeader title={t('lineage.title')} subtitle={t('lineage.subtitle')} />
      <Card testId="lineage-filters">
        <div className="row" style={{ gap: 12, alignItems: 'flex-end' }}>
          <label className="field-inline">{t('lineage.rootType')}
            <select value={rootType} onChange={(e) => set({ type: e.target.value, offset: null })} data-testid="lineage-root-type">
              <option value="">{t('lineage.wholeGraph')}</option>
              {DERIVED.map((d) => <option key={d} value={d}>{d}</option>)}
              {rootType && !DERIVED.includes(rootType) && <option value={rootType}>{rootType}</option>}
            </select>
          </label>
          <label className="field-inline">{t('lineage.rootId')}
            <input defaultValue={rootId} key={rootId} onBlur={(e) => set({ id: e.target.value.trim(), offset: null })} placeholder="ds-… / model:1" data-testid="lineage-root-id" />
          </label>
          <label className="field-inline">{t('lineage.depth')}
            <select value={depth} onChange={(e) => set({ depth: e.target.value })} disabled={!rootId} data-testid="lineage-depth">
              {DEPTHS.map((d) => <option key={d} value={d}>{d}</option>)}
            </select>
          </label>
          <label className="field-inline">{t('lineage.types')}
            <input defaultValue={types} key={types} onBlur={(e) => set({ types: e.target.value.trim(), offset: null })} placeholder="dataset,scadaExport" data-testid="lineage-types" />
          </label>
        </div>
      </Card>
      <QueryView query={graph} skeleton={<Skeleton height={360} />}>
        {(page) => page.nodes.length === 0
          ? <EmptyState title={t('lineage.empty')} text={t('lineage.emptyHint')} />
          : <GraphCard page={page} focus={rootId} onPick={(type, id) => set({ type, id, offset: null })} onOffset={(o) => set({ offset: String(o) })} />}
      </QueryView>
    </>
  );
}

/** An outside source with nothing upstream (a SCADA export feeding a dataset) goes one
 * column left of what it feeds, rather than into its first child's column. */
function sourcesLeft(placed: Placed[], edges: readonly { from: string; to: string }[], colGap = 200): Placed[] {
  const column = new Map(placed.map((p) => [p.id, p.column]));
  const fed = new Set(edges.map((e) => e.to));
  return placed.map((p) => {
    if (DERIVED.includes(p.type) || fed.has(p.id)) return p;
    const children = edges.filter((e) => e.from === p.id).map((e) => column.get(e.to) ?? p.column);
    if (!children.length) return p;
    const c = Math.min(...children) - 1;
    return c < p.column ? { ...p, column: c, x: c * colGap } : p;
  });
}

function GraphCard({ page, focus, onPick, onOffset }: { page: Page; focus: string; onPick: (type: string, id: string) => void; onOffset: (o: number) => void }) {
  const { t } = useI18n();
  const { option, rows } = useMemo(() => {
    const placed = sourcesLeft(layoutLineage(page.nodes, page.edges), page.edges);
    const perColumn = new Map<number, number>();
    for (const p of placed) perColumn.set(p.column, (perColumn.get(p.column) ?? 0) + 1);
    return { option: lineageOption(placed, page.edges, focus || undefined), rows: Math.max(1, ...perColumn.values()) };
  }, [page, focus]);
  const external = page.nodes.filter((n) => n.external).length;
  return (
    <Card
      title={t('lineage.graph')}
      subtitle={t('lineage.counts', { nodes: page.nodes.length, total: page.total, edges: page.edges.length, external })}
      testId="lineage-graph"
      actions={
        <div className="row" style={{ gap: 8 }}>
          <button className="btn sm" disabled={page.offset === 0} onClick={() => onOffset(Math.max(0, page.offset - page.limit))}>{t('common.prev')}</button>
          <button className="btn sm" disabled={page.nextOffset == null} onClick={() => onOffset(page.nextOffset ?? 0)}>{t('common.next')}</button>
        </div>
      }
    >
      <EChart option={option} height={Math.min(560, 160 + rows * 70)} testId="lineage-chart" />
      <Table testId="lineage-nodes" head={<tr><th>{t('lineage.node')}</th><th>{t('lineage.type')}</th><th /></tr>}>
        {page.nodes.map((n) => (
          <tr key={`${n.type}/${n.id}`}>
            <td><button className="link" onClick={() => onPick(n.type, n.id)}>{n.label}</button></td>
            <td>{n.type}</td>
            <td>{n.external ? <Badge tone="info">{t('lineage.external')}</Badge> : n.missing ? <Badge tone="warn">{t('lineage.missing')}</Badge> : null}</td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
