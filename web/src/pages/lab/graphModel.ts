/** The builder's React Flow nodes and edges <-> the server's architecture body. */
import type { Edge, Node } from '@xyflow/react';
import type { ArchitectureBody } from './labApi';

export interface BlockData extends Record<string, unknown> {
  kind: string;
  params: Record<string, unknown>;
  shape?: number[];
  invalid?: boolean;
}
export type BlockNode = Node<BlockData, 'block'>;

export function toBody(name: string, nodes: BlockNode[], edges: Edge[]): ArchitectureBody {
  return {
    name,
    nodes: nodes.map((n) => ({ id: n.id, type: n.data.kind, data: n.data.params, position: { x: n.position.x, y: n.position.y } })),
    edges: edges.map((e) => ({ source: e.source, target: e.target })),
  };
}

export function fromBody(body: Pick<ArchitectureBody, 'nodes' | 'edges'>): { nodes: BlockNode[]; edges: Edge[] } {
  return {
    nodes: body.nodes.map((n, i) => ({
      id: n.id, type: 'block', position: { x: n.position?.x ?? 40 + 200 * i, y: n.position?.y ?? 80 },
      data: { kind: n.type, params: (n.data ?? {}) as Record<string, unknown> },
    })),
    edges: (body.edges ?? []).map((e) => ({ id: `${e.source}->${e.target}`, source: e.source, target: e.target })),
  };
}

/** A small architecture with a skip connection: input -> conv -> GRU, conv + GRU -> head. */
export const TEMPLATE: Pick<ArchitectureBody, 'nodes' | 'edges'> = {
  nodes: [
    { id: 'in', type: 'input', data: {}, position: { x: 0, y: 120 } },
    { id: 'conv', type: 'conv1d', data: { out: 16, kernel: 3 }, position: { x: 220, y: 120 } },
    { id: 'gru', type: 'gru', data: { hidden: 16 }, position: { x: 440, y: 40 } },
    { id: 'sum', type: 'add', data: {}, position: { x: 660, y: 120 } },
    { id: 'head', type: 'quantileHead', data: {}, position: { x: 880, y: 120 } },
  ],
  edges: [
    { source: 'in', target: 'conv' }, { source: 'conv', target: 'gru' },
    { source: 'conv', target: 'sum' }, { source: 'gru', target: 'sum' }, { source: 'sum', target: 'head' },
  ],
};

export function nextId(kind: string, nodes: BlockNode[]): string {
  let i = 1;
  while (nodes.some((n) => n.id === `${kind}${i}`)) i += 1;
  return `${kind}${i}`;
}
