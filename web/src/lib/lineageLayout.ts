/** Positions for the lineage graph: one column per stage, dataset on the left. */

export interface LineageNode { id: string; type: string; label: string }
export interface LineageEdge { from: string; to: string }
export interface Placed extends LineageNode { x: number; y: number; column: number }

export const STAGE_ORDER = ['dataset', 'featurePlan', 'feature_plan', 'plan', 'trainingJob', 'training_job', 'job', 'modelVersion', 'model_version', 'version', 'model', 'deployment'];

function stageIndex(type: string): number {
  const i = STAGE_ORDER.indexOf(type);
  return i === -1 ? -1 : i;
}

/**
 * Columns by known stage order; unknown types go one column right of their deepest parent
 * (longest path from a root). Rows are spread evenly within each column.
 */
export function layoutLineage(nodes: readonly LineageNode[], edges: readonly LineageEdge[], colGap = 200, rowGap = 90): Placed[] {
  const depth = new Map<string, number>();
  const parents = new Map<string, string[]>();
  for (const e of edges) parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  const known = [...new Set(nodes.map((n) => stageIndex(n.type)).filter((i) => i >= 0))].sort((a, b) => a - b);
  const visiting = new Set<string>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depthOf = (id: string): number => {
    const cached = depth.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    const si = node ? stageIndex(node.type) : -1;
    let d: number;
    if (si >= 0) {
      d = known.indexOf(si);
    } else if (visiting.has(id)) {
      d = 0; // a cycle: stop here
    } else {
      visiting.add(id);
      const ps = parents.get(id) ?? [];
      d = ps.length ? Math.max(...ps.map(depthOf)) + 1 : 0;
      visiting.delete(id);
    }
    depth.set(id, d);
    return d;
  };
  const columns = new Map<number, LineageNode[]>();
  for (const n of nodes) {
    const c = depthOf(n.id);
    columns.set(c, [...(columns.get(c) ?? []), n]);
  }
  const maxRows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const placed: Placed[] = [];
  for (const [column, list] of columns) {
    const offset = ((maxRows - list.length) * rowGap) / 2;
    list.forEach((n, i) => placed.push({ ...n, column, x: column * colGap, y: offset + i * rowGap }));
  }
  return placed;
}
