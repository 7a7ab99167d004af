import { describe, expect, it } from 'vitest';
import { applyEvent, cellsOf, contentWith, type NotebookEvent } from '../notebookState';

const doc = {
  nbformat: 4, nbformat_minor: 5, metadata: {},
  cells: [
    { id: 'a', cell_type: 'code', source: ['x = 1\n', 'x'], metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: 'old' }], execution_count: 3 },
    { id: 'b', cell_type: 'markdown', source: '# Title', metadata: {} },
  ],
};

const event = (e: Partial<NotebookEvent>): NotebookEvent => ({ seq: 1, type: 'output', payload: {}, ...e });

describe('notebook state', () => {
  it('reads cells with their sources joined and writes them back', () => {
    const cells = cellsOf(doc);
    expect(cells.map((c) => [c.id, c.cell_type, c.source])).toEqual([['a', 'code', 'x = 1\nx'], ['b', 'markdown', '# Title']]);
    const back = contentWith(doc, cells) as typeof doc;
    expect(back.cells[1]).toEqual({ id: 'b', cell_type: 'markdown', source: '# Title', metadata: {} });
    expect(back.nbformat).toBe(4);
  });

  it('clears a cell when it runs, joins its stream outputs and keeps its count', () => {
    let cells = cellsOf(doc);
    cells = applyEvent(cells, event({ type: 'cell', cellId: 'a', payload: { status: 'running' } })).cells;
    expect(cells[0]?.outputs).toEqual([]);
    expect(cells[0]?.running).toBe(true);
    for (const text of ['4', '2\n']) {
      cells = applyEvent(cells, event({ cellId: 'a', payload: { output_type: 'stream', name: 'stdout', text } })).cells;
    }
    cells = applyEvent(cells, event({ type: 'cell', cellId: 'a', payload: { status: 'ok', executionCount: 4 } })).cells;
    expect(cells[0]?.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '42\n' }]);
    expect([cells[0]?.running, cells[0]?.execution_count]).toEqual([false, 4]);
  });

  it('ignores kernel events and cells it does not have', () => {
    const cells = cellsOf(doc);
    expect(applyEvent(cells, event({ type: 'kernel', payload: { state: 'busy' } })).changed).toBe(false);
    expect(applyEvent(cells, event({ cellId: 'zz', payload: { output_type: 'stream', name: 'stdout', text: 'x' } })).changed).toBe(false);
  });
});
