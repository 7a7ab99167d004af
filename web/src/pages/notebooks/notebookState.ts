/** The editor's cells and how the notebook's live events change them (pure). */
import type { Output } from './Outputs';

export interface Cell {
  id: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string;
  outputs: Output[];
  execution_count: number | null;
  metadata: Record<string, unknown>;
  running?: boolean;
}

export interface NotebookEvent {
  seq: number;
  type: 'output' | 'cell' | 'kernel' | 'execution';
  payload: Record<string, unknown>;
  executionId?: string;
  cellId?: string;
}

type Doc = { cells?: unknown[] } & Record<string, unknown>;

function text(v: unknown): string {
  return Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '';
}

export function cellsOf(content: Doc): Cell[] {
  return (content.cells ?? []).map((raw, i) => {
    const c = raw as Record<string, unknown>;
    return {
      id: typeof c.id === 'string' ? c.id : `cell-${i}`,
      cell_type: (c.cell_type as Cell['cell_type']) ?? 'code',
      source: text(c.source),
      outputs: (c.outputs as Output[] | undefined) ?? [],
      execution_count: (c.execution_count as number | null | undefined) ?? null,
      metadata: (c.metadata as Record<string, unknown> | undefined) ?? {},
    };
  });
}

/** The nbformat document with the editor's cells in it. */
export function contentWith(content: Doc, cells: Cell[]): Record<string, unknown> {
  return {
    ...content,
    cells: cells.map((c) => (c.cell_type === 'code'
      ? { id: c.id, cell_type: 'code', source: c.source, metadata: c.metadata, outputs: c.outputs, execution_count: c.execution_count }
      : { id: c.id, cell_type: c.cell_type, source: c.source, metadata: c.metadata })),
  };
}

export function newCellId(): string {
  return Math.random().toString(16).slice(2, 10).padEnd(8, '0');
}

function appendOutput(outputs: Output[], out: Output): Output[] {
  const last = outputs[outputs.length - 1];
  if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) {
    return [...outputs.slice(0, -1), { ...last, text: text(last.text) + text(out.text) }];
  }
  return [...outputs, out];
}

/** The cells after one event; `changed` says whether the document (outputs) changed. */
export function applyEvent(cells: Cell[], event: NotebookEvent): { cells: Cell[]; changed: boolean } {
  if (!event.cellId || (event.type !== 'output' && event.type !== 'cell')) return { cells, changed: false };
  let changed = false;
  const next = cells.map((c) => {
    if (c.id !== event.cellId) return c;
    changed = true;
    if (event.type === 'output') {
      return event.payload.clear ? { ...c, outputs: [] } : { ...c, outputs: appendOutput(c.outputs, event.payload as Output) };
    }
    const status = event.payload.status as string;
    if (status === 'running') return { ...c, outputs: [], running: true };
    const count = event.payload.executionCount as number | null | undefined;
    return { ...c, running: false, execution_count: count ?? c.execution_count };
  });
  return { cells: next, changed };
}
