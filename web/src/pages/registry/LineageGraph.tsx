import { useMemo } from 'react';
import { useLineage } from '../../api/queries';
import EChart from '../../charts/EChart';
import { lineageOption } from '../../charts/options';
import { Card, EmptyState, QueryView, Skeleton } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { layoutLineage } from '../../lib/lineageLayout';
import type { Lineage, LineageNodeType } from '../../api/types';

export function LineageGraph({ nodeType, id, title }: { nodeType: LineageNodeType; id: string; title?: string }) {
  const { t } = useI18n();
  const lineage = useLineage(nodeType, id);
  return (
    <Card title={title ?? t('registry.lineage')} subtitle={t('registry.lineageHint')} testId="lineage">
      <QueryView query={lineage} skeleton={<Skeleton height={260} />}>
        {(g) => g.nodes.length === 0 ? <EmptyState title={t('registry.noLineage')} /> : <Graph graph={g} focus={id} />}
      </QueryView>
    </Card>
  );
}

function Graph({ graph, focus }: { graph: Lineage; focus: string }) {
  const { option, rows } = useMemo(() => {
    const placed = layoutLineage(graph.nodes, graph.edges);
    const focusId = graph.root.id ?? graph.nodes.find((n) => n.id === focus)?.id;
    const perColumn = new Map<number, number>();
    for (const p of placed) perColumn.set(p.column, (perColumn.get(p.column) ?? 0) + 1);
    return { option: lineageOption(placed, graph.edges, focusId), rows: Math.max(1, ...perColumn.values()) };
  }, [graph, focus]);
  return <EChart option={option} height={Math.min(420, 120 + rows * 70)} testId="lineage-chart" />;
}
