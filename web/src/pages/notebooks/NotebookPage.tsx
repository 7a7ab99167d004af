/** The notebook editor: cells with CodeMirror, run/interrupt/restart, live outputs over the
 * notebook's socket, autosave as new versions, the kernel's state and the version history.
 * A notebook shared read-only (or a viewer) sees the saved outputs, with no kernel. */
import { useCallback, useEffect, useRef, useState } from 'react';
import './notebooks.css';
import { Link, useParams } from 'react-router';
import { openSocket } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { Icon } from '../../components/icons';
import { Alert, Badge, Card, ErrorMessage, PageHeader, QueryView, SkeletonPage, type Tone } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fmtDate } from '../../lib/format';
import { applyEvent, cellsOf, contentWith, newCellId, type Cell, type NotebookEvent } from './notebookState';
import { CellView } from './CellView';
import {
  exportNotebook, useExecute, useKernel, useKernelAction, useNotebook, useSaveNotebook, useVersions,
  type Kernel, type Notebook,
} from './notebookApi';

const AUTOSAVE_MS = 1500;
const KERNEL_TONE: Record<string, Tone> = { idle: 'ok', busy: 'info', starting: 'info', dead: 'danger', none: 'neutral' };

export default function NotebookPage() {
  const { id = '' } = useParams();
  const notebook = useNotebook(id);
  const kernel = useKernel(id);
  return (
    <QueryView query={notebook} skeleton={<SkeletonPage />}>
      {(nb) => (
        <QueryView query={kernel} skeleton={<SkeletonPage />}>
          {(k) => <Editor key={nb.id} nb={nb} initialKernel={k} />}
        </QueryView>
      )}
    </QueryView>
  );
}

function Editor({ nb, initialKernel }: { nb: Notebook; initialKernel: Kernel }) {
  const { t, lang } = useI18n();
  const { canWrite } = useAuth();
  const editable = canWrite && nb.access !== 'read';
  const [cells, setCells] = useState<Cell[]>(() => cellsOf(nb.content));
  const [kernelState, setKernelState] = useState({ state: initialKernel.state, reason: initialKernel.reason ?? null });
  const [dirty, setDirty] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const version = useRef(nb.version);
  const cellsRef = useRef(cells);
  cellsRef.current = cells;
  const save = useSaveNotebook(nb.id);
  const execute = useExecute(nb.id);
  const kernelAction = useKernelAction(nb.id);
  const versions = useVersions(nb.id, showHistory);

  const update = useCallback((change: (cs: Cell[]) => Cell[]) => {
    setCells(change);
    setDirty(true);
  }, []);

  const saveNow = useCallback(async () => {
    const result = await save.mutateAsync({ content: contentWith(nb.content, cellsRef.current), baseVersion: version.current });
    version.current = result.version;
    setDirty(false);
  }, [nb.content, save]);

  // autosave: a quiet moment after the last change becomes a new version
  useEffect(() => {
    if (!dirty || !editable || save.isPending || cells.some((c) => c.running)) return;
    const timer = window.setTimeout(() => void saveNow().catch(() => undefined), AUTOSAVE_MS);
    return () => window.clearTimeout(timer);
  }, [dirty, editable, cells, save.isPending, saveNow]);

  // live events after what the page already shows
  useEffect(() => {
    if (!editable) return;
    const ws = openSocket(`/ws/notebooks/${nb.id}`, { after: String(initialKernel.lastSeq ?? 0) });
    ws.onmessage = (msg) => {
      const event = JSON.parse(String(msg.data)) as NotebookEvent;
      if (event.type === 'kernel') {
        setKernelState({ state: event.payload.state as Kernel['state'], reason: (event.payload.reason as string | undefined) ?? null });
        return;
      }
      setCells((cs) => {
        const { cells: next, changed } = applyEvent(cs, event);
        if (changed) setDirty(true);
        return next;
      });
    };
    return () => ws.close();
  }, [nb.id, editable, initialKernel.lastSeq]);

  const runCell = (cell: Cell) => execute.mutate({ cellId: cell.id, source: cell.source });
  const runAll = async () => {
    if (dirty) await saveNow();
    execute.mutate({ all: true });
  };
  const act = (action: 'start' | 'interrupt' | 'restart') =>
    kernelAction.mutate(action, { onSuccess: (k) => setKernelState({ state: k.state, reason: k.reason ?? null }) });

  const toolbar = (
    <>
      <Badge tone={KERNEL_TONE[kernelState.state] ?? 'neutral'}>
        <span data-testid="nb-kernel-state">{t(`notebooks.kernelStates.${kernelState.state}`)}</span>
      </Badge>
      {editable && (
        <>
          <button className="btn primary" onClick={() => void runAll()} data-testid="nb-run-all"><Icon name="play" /> {t('notebooks.runAll')}</button>
          <button className="btn" onClick={() => act('interrupt')} disabled={kernelState.state !== 'busy'} data-testid="nb-interrupt"><Icon name="stop" /> {t('notebooks.interrupt')}</button>
          <button className="btn" onClick={() => act(kernelState.state === 'none' ? 'start' : 'restart')} data-testid="nb-restart">
            <Icon name="refresh" /> {t(kernelState.state === 'none' ? 'notebooks.start' : 'notebooks.restart')}
          </button>
        </>
      )}
      <button className="btn" onClick={() => void exportNotebook(nb.id, nb.name)}><Icon name="download" /> {t('notebooks.export')}</button>
      <button className="btn" onClick={() => setShowHistory((s) => !s)} data-testid="nb-history"><Icon name="rollback" /> {t('notebooks.history')}</button>
    </>
  );

  return (
    <>
      <PageHeader
        crumb={<Link to="/notebooks">{t('notebooks.title')}</Link>}
        title={nb.name}
        subtitle={editable
          ? (save.isPending ? t('notebooks.saving') : dirty ? t('notebooks.unsaved') : t('notebooks.savedAs', { version: version.current }))
          : t('notebooks.readOnly', { owner: nb.owner })}
        actions={toolbar}
      />
      {kernelState.state === 'dead' && kernelState.reason && <Alert kind="error" title={t('notebooks.kernelDied')}><div data-testid="nb-kernel-reason">{kernelState.reason}</div></Alert>}
      {[save.error, execute.error, kernelAction.error].filter(Boolean).map((e, i) => <ErrorMessage key={i} error={e} />)}
      {showHistory && (
        <Card title={t('notebooks.history')}>
          <QueryView query={versions}>
            {(vs) => (
              <ul className="nb-versions" data-testid="nb-versions">
                {vs.map((v) => <li key={v.version}>v{v.version} · {v.savedBy} · {fmtDate(v.savedAt, lang)}{v.message ? ` · ${v.message}` : ''}</li>)}
              </ul>
            )}
          </QueryView>
        </Card>
      )}
      <div className="nb-cells">
        {cells.map((cell) => (
          <CellView
            key={cell.id}
            cell={cell}
            editable={editable}
            canRun={editable}
            onChange={(source) => update((cs) => cs.map((c) => (c.id === cell.id ? { ...c, source } : c)))}
            onRun={() => runCell(cell)}
            onRemove={() => update((cs) => cs.filter((c) => c.id !== cell.id))}
          />
        ))}
      </div>
      {editable && (
        <div className="row">
          {(['code', 'markdown'] as const).map((kind) => (
            <button key={kind} className="btn" data-testid={`nb-add-${kind}`} onClick={() => update((cs) => [
              ...cs, { id: newCellId(), cell_type: kind, source: '', outputs: [], execution_count: null, metadata: {} },
            ])}>
              <Icon name="plus" /> {t(kind === 'code' ? 'notebooks.addCode' : 'notebooks.addMarkdown')}
            </button>
          ))}
        </div>
      )}
    </>
  );
}
