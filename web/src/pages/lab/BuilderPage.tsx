/** Model builder: draw an architecture with React Flow; every change is checked by the
 * server, which resolves each node's output shape; a graph it refuses cannot be saved. */
import { addEdge, Background, Controls, Handle, Position, ReactFlow, useEdgesState, useNodesState, type Connection, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './lab.css';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/describeError';
import { CanWrite } from '../../auth/AuthContext';
import { Alert, Card, Field, PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { fromBody, nextId, TEMPLATE, toBody, type BlockNode } from './graphModel';
import { useArchitectures, useBlocks, useSaveArchitecture, validateArchitecture } from './labApi';

function BlockView({ data, selected }: NodeProps<BlockNode>) {
  const params = Object.entries(data.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  return (
    <div className={`lab-block${data.invalid ? ' invalid' : ''}${selected ? ' selected' : ''}`} data-testid={`block-${data.kind}`} data-node={data.kind}>
      {data.kind !== 'input' && data.kind !== 'features' && <Handle type="target" position={Position.Left} />}
      <strong>{data.kind}</strong>
      {params && <div className="small muted">{params}</div>}
      <div className="small" data-testid="block-shape">{data.shape ? `[${data.shape.join(', ')}]` : '…'}</div>
      {data.kind !== 'quantileHead' && <Handle type="source" position={Position.Right} />}
    </div>
  );
}
const NODE_TYPES = { block: BlockView };

export default function BuilderPage() {
  const { t } = useI18n();
  const blocks = useBlocks();
  const saved = useArchitectures();
  const start = fromBody(TEMPLATE);
  const [nodes, setNodes, onNodesChange] = useNodesState<BlockNode>(start.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState(start.edges);
  const [name, setName] = useState('skip-gru');
  const [archId, setArchId] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [badNode, setBadNode] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [paramsText, setParamsText] = useState('');
  const save = useSaveArchitecture();
  const structure = JSON.stringify([nodes.map((n) => [n.id, n.data.kind, n.data.params]), edges.map((e) => [e.source, e.target])]);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      validateArchitecture(toBody(name || 'draft', nodes, edges)).then((report) => {
        if (!live) return;
        setProblem(null); setBadNode(null);
        setNodes((ns) => ns.map((n) => ({ ...n, data: { ...n.data, shape: report.shapes[n.id], invalid: false } })));
      }).catch((err: unknown) => {
        if (!live) return;
        const node = (err as { details?: { node?: string } }).details?.node ?? null;
        setProblem(describeError(err).message); setBadNode(node);
        setNodes((ns) => ns.map((n) => ({ ...n, data: { ...n.data, shape: undefined, invalid: n.id === node } })));
      });
    }, 250);
    return () => { live = false; clearTimeout(timer); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [structure]);

  const onConnect = useCallback((c: Connection) => setEdges((es) => addEdge(c, es)), [setEdges]);
  const add = (kind: string) => {
    const defaults = blocks.data?.find((b) => b.type === kind)?.defaults ?? {};
    setNodes((ns) => [...ns, { id: nextId(kind, ns), type: 'block', position: { x: 120 + 30 * ns.length, y: 260 }, data: { kind, params: { ...defaults } } }]);
  };
  const selected = nodes.find((n) => n.id === selectedId);
  const applyParams = () => {
    try {
      const params = JSON.parse(paramsText || '{}') as Record<string, unknown>;
      setNodes((ns) => ns.map((n) => (n.id === selectedId ? { ...n, data: { ...n.data, params } } : n)));
    } catch { setProblem(t('lab.builder.badJson')); }
  };
  const load = (id: string) => {
    const arch = saved.data?.find((a) => a.id === id);
    if (!arch) return;
    const g = fromBody(arch);
    setNodes(g.nodes); setEdges(g.edges); setName(arch.name); setArchId(arch.id);
  };

  return (
    <>
      <PageHeader title={t('lab.builder.title')} subtitle={t('lab.builder.subtitle')} />
      <div className="grid side">
        <Card flush title={name}>
          <div style={{ height: 520 }} data-testid="builder-canvas">
            <ReactFlow nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange}
              onConnect={onConnect} onNodeClick={(_, n) => { setSelectedId(n.id); setParamsText(JSON.stringify(n.data.params)); }} fitView>
              <Background /><Controls />
            </ReactFlow>
          </div>
        </Card>
        <div className="stack">
          <Card title={t('lab.builder.blocks')}>
            <div className="row wrap" style={{ gap: 6 }}>
              {blocks.data?.map((b) => <button key={b.type} className="btn small" title={b.description} onClick={() => add(b.type)} data-testid={`add-${b.type}`}>{b.type}</button>)}
            </div>
          </Card>
          {selected && (
            <Card title={`${selected.id} (${selected.data.kind})`}>
              <Field label={t('lab.builder.params')}>
                <textarea rows={3} value={paramsText} onChange={(e) => setParamsText(e.target.value)} onBlur={applyParams} data-testid="node-params" />
              </Field>
              <button className="btn" onClick={() => { setNodes((ns) => ns.filter((n) => n.id !== selectedId)); setEdges((es) => es.filter((e) => e.source !== selectedId && e.target !== selectedId)); setSelectedId(null); }}>{t('common.remove')}</button>
            </Card>
          )}
          <Card title={t('lab.builder.save')}>
            <div className="stack">
              {problem ? <Alert kind="error" title={badNode ? t('lab.builder.nodeProblem', { node: badNode }) : undefined}><span data-testid="builder-error">{problem}</span></Alert>
                : <Alert kind="ok">{t('lab.builder.valid')}</Alert>}
              <Field label={t('common.name')}><input value={name} onChange={(e) => setName(e.target.value)} data-testid="arch-name" /></Field>
              <Field label={t('lab.builder.open')}>
                <select value={archId ?? ''} onChange={(e) => load(e.target.value)}>
                  <option value="">{t('lab.builder.new')}</option>
                  {saved.data?.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
                </select>
              </Field>
              {save.error ? <Alert kind="error">{describeError(save.error).message}</Alert> : null}
              {save.isSuccess ? <Alert kind="ok">{t('lab.builder.saved')}</Alert> : null}
              <CanWrite>
                <div className="row" style={{ gap: 8 }}>
                  <button className="btn primary" disabled={!!problem || save.isPending} data-testid="arch-save"
                    onClick={() => save.mutate({ id: archId, body: toBody(name, nodes, edges) }, { onSuccess: (a) => setArchId(a.id) })}>{t('common.save')}</button>
                  <button className="btn" disabled={!!problem || save.isPending} onClick={() => save.mutate({ body: toBody(name, nodes, edges) }, { onSuccess: (a) => setArchId(a.id) })}>{t('lab.builder.saveAs')}</button>
                </div>
              </CanWrite>
            </div>
          </Card>
        </div>
      </div>
    </>
  );
}
