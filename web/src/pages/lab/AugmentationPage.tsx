/** Augmentation pipelines: steps with a probability each, a preview of a few windows. */
import { lazy, useState } from 'react';
import { CanWrite } from '../../auth/AuthContext';
import { Alert, Card, Field, PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { describeError } from '../../lib/describeError';
import { PALETTE } from '../../charts/options';
import { previewAugmentation, useAugmentations, useSaveAugmentation, type AugmentationStep, type Preview } from './labApi';

const EChart = lazy(() => import('../../charts/EChart'));
const KINDS = ['jitter', 'scaling', 'magnitudeWarp', 'timeWarp', 'windowSlice', 'mixup', 'gaps'] as const;

export default function AugmentationPage() {
  const { t } = useI18n();
  const list = useAugmentations();
  const saveAug = useSaveAugmentation();
  const [name, setName] = useState('noise');
  const [steps, setSteps] = useState<AugmentationStep[]>([{ type: 'jitter', probability: 1, sigma: 0.05 } as AugmentationStep]);
  const [kind, setKind] = useState<string>('scaling');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = () => previewAugmentation(steps).then((p) => { setPreview(p); setError(null); }).catch((e: unknown) => setError(describeError(e).message));
  const setProb = (i: number, p: number) => setSteps(steps.map((s, k) => (k === i ? { ...s, probability: p } : s)));
  return (
    <>
      <PageHeader title={t('lab.augmentation.title')} subtitle={t('lab.augmentation.subtitle')} />
      <div className="grid side">
        <Card title={t('lab.augmentation.preview')}>
          {error ? <Alert kind="error">{error}</Alert> : null}
          {preview ? preview.windows.map((w, i) => (
            <EChart key={i} height={160} testId={`preview-${i}`} option={{
              grid: { left: 40, right: 10, top: 10, bottom: 20 }, tooltip: { trigger: 'axis' },
              xAxis: { type: 'category', data: w.original.map((_, k) => k) }, yAxis: { type: 'value', scale: true },
              series: [
                { name: t('lab.augmentation.original'), type: 'line', showSymbol: false, data: w.original, color: PALETTE[6] },
                { name: t('lab.augmentation.augmented'), type: 'line', showSymbol: false, data: w.augmented, color: PALETTE[0] },
              ],
            }} />
          )) : <p className="muted">{t('lab.augmentation.previewHint')}</p>}
        </Card>
        <div className="stack">
          <Card title={t('lab.augmentation.pipeline')}>
            <div className="stack">
              <Field label={t('common.name')}><input value={name} onChange={(e) => setName(e.target.value)} data-testid="aug-name" /></Field>
              {steps.map((s, i) => (
                <div key={i} className="row" style={{ gap: 8 }}>
                  <code style={{ minWidth: 110 }}>{s.type}</code>
                  <label className="small">p <input type="number" min={0} max={1} step={0.1} value={s.probability ?? 0.5} style={{ width: 70 }} onChange={(e) => setProb(i, Number(e.target.value))} /></label>
                  <button className="btn small" onClick={() => setSteps(steps.filter((_, k) => k !== i))}>{t('common.remove')}</button>
                </div>
              ))}
              <div className="row" style={{ gap: 8 }}>
                <select value={kind} onChange={(e) => setKind(e.target.value)} data-testid="aug-kind">{KINDS.map((k) => <option key={k}>{k}</option>)}</select>
                <button className="btn" onClick={() => setSteps([...steps, { type: kind, probability: 0.5 } as AugmentationStep])} data-testid="aug-add">{t('lab.augmentation.addStep')}</button>
              </div>
              <button className="btn" onClick={show} data-testid="aug-preview">{t('lab.augmentation.preview')}</button>
              {saveAug.error ? <Alert kind="error">{describeError(saveAug.error).message}</Alert> : null}
              {saveAug.isSuccess ? <Alert kind="ok">{t('lab.builder.saved')}</Alert> : null}
              <CanWrite><button className="btn primary" disabled={!steps.length} onClick={() => saveAug.mutate({ name, pipeline: steps })} data-testid="aug-save">{t('common.save')}</button></CanWrite>
            </div>
          </Card>
          <Card title={t('lab.augmentation.saved')}>
            <ul>{list.data?.map((a) => <li key={a.id}>{a.name}: <code>{a.pipeline.map((s) => s.type).join(' → ')}</code></li>)}</ul>
          </Card>
        </div>
      </div>
    </>
  );
}
