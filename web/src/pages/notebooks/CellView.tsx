/** One cell: a CodeMirror editor (or the source, read-only), its run button and outputs. */
import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';
import { Markdown } from '../../components/Markdown';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n';
import type { Cell } from './notebookState';
import { Outputs } from './Outputs';

const PYTHON = [python()];

export function CellView({ cell, editable, canRun, onChange, onRun, onRemove }: {
  cell: Cell; editable: boolean; canRun: boolean;
  onChange: (source: string) => void; onRun: () => void; onRemove: () => void;
}) {
  const { t } = useI18n();
  const prompt = cell.running ? '[*]' : cell.execution_count != null ? `[${cell.execution_count}]` : '[ ]';
  return (
    <div className={`nb-cell ${cell.running ? 'running' : ''}`} data-testid="nb-cell" data-cell-id={cell.id}>
      <div className="nb-gutter">
        {cell.cell_type === 'code' && <span className="nb-prompt">{prompt}</span>}
        {cell.cell_type === 'code' && canRun && (
          <button className="btn sm ghost" onClick={onRun} title={t('notebooks.runCell')} aria-label={t('notebooks.runCell')} data-testid="nb-run-cell">
            <Icon name="play" />
          </button>
        )}
      </div>
      <div className="nb-body">
        {cell.cell_type === 'markdown' && !editable ? (
          <Markdown source={cell.source} />
        ) : editable ? (
          <CodeMirror
            value={cell.source}
            extensions={cell.cell_type === 'code' ? PYTHON : []}
            onChange={onChange}
            basicSetup={{ lineNumbers: false, foldGutter: false }}
            aria-label={t('notebooks.cellEditor')}
          />
        ) : (
          <pre className="nb-source">{cell.source}</pre>
        )}
        <Outputs outputs={cell.outputs} />
      </div>
      {editable && (
        <button className="btn sm ghost nb-remove" onClick={onRemove} title={t('notebooks.removeCell')} aria-label={t('notebooks.removeCell')}>
          <Icon name="trash" />
        </button>
      )}
    </div>
  );
}
