/** One feature operator with its parameters, edited in place. */
import type { FeatureOp } from '../../api/types';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n';
import { NumberListField } from '../../components/NumberListField';
import { LAGS } from '../../lib/validators';

const STATS = ['mean', 'std', 'min', 'max'] as const;

export function OpEditor({ op, inputs, onChange, onRemove, readOnly, onValidity }: {
  op: FeatureOp; inputs: string[]; onChange: (op: FeatureOp) => void; onRemove?: () => void; readOnly?: boolean;
  onValidity?: (error: string | null) => void;
}) {
  const { t } = useI18n();
  const inputSelect = (current: string, set: (input: string) => void) => (
    <label className="field">
      <span>{t('features.input')}</span>
      <select className="sm" value={current} disabled={readOnly} onChange={(e) => set(e.target.value)}>
        {!inputs.includes(current) && <option value={current}>{current || '—'}</option>}
        {inputs.map((i) => <option key={i} value={i}>{i}</option>)}
      </select>
    </label>
  );
  let body: React.ReactNode = null;
  switch (op.op) {
    case 'lag':
      body = (
        <div className="form-grid">
          {inputSelect(op.input, (input) => onChange({ ...op, input }))}
          <NumberListField label={t('features.lags')} className="sm" value={op.lags ?? []} rule={LAGS} readOnly={readOnly}
            placeholder="1, 24, 168" testId="op-lags" onChange={(lags) => onChange({ ...op, lags })} onValidity={(e) => onValidity?.(e)} />
        </div>
      );
      break;
    case 'rolling':
      body = (
        <div className="form-grid">
          {inputSelect(op.input, (input) => onChange({ ...op, input }))}
          <label className="field">
            <span>{t('features.window')}</span>
            <input className="sm" type="number" min={2} value={op.window ?? 2} disabled={readOnly}
              onChange={(e) => onChange({ ...op, window: Number(e.target.value) })} />
          </label>
          <div className="field">
            <span>{t('features.stats')}</span>
            <div className="row" style={{ gap: 10, minHeight: 28 }}>
              {STATS.map((s) => (
                <label key={s} className="check small">
                  <input type="checkbox" disabled={readOnly} checked={(op.stats ?? []).includes(s)}
                    onChange={(e) => onChange({ ...op, stats: e.target.checked ? [...(op.stats ?? []), s] : (op.stats ?? []).filter((x) => x !== s) })} />
                  {s}
                </label>
              ))}
            </div>
          </div>
        </div>
      );
      break;
    case 'diff':
      body = (
        <div className="form-grid">
          {inputSelect(op.input, (input) => onChange({ ...op, input }))}
          <label className="field">
            <span>{t('features.periods')}</span>
            <input className="sm" type="number" min={1} value={op.periods ?? 1} disabled={readOnly}
              onChange={(e) => onChange({ ...op, periods: Number(e.target.value) })} />
          </label>
        </div>
      );
      break;
    case 'seasonality':
      body = (
        <div className="form-grid">
          <label className="check small"><input type="checkbox" disabled={readOnly} checked={op.daily !== false} onChange={(e) => onChange({ ...op, daily: e.target.checked })} /> {t('features.daily')}</label>
          <label className="check small"><input type="checkbox" disabled={readOnly} checked={op.weekly !== false} onChange={(e) => onChange({ ...op, weekly: e.target.checked })} /> {t('features.weekly')}</label>
          <label className="field">
            <span>{t('features.fourierOrder')}</span>
            <input className="sm" type="number" min={1} max={10} value={op.fourierOrder ?? 3} disabled={readOnly}
              onChange={(e) => onChange({ ...op, fourierOrder: Number(e.target.value) })} />
          </label>
          <label className="field">
            <span>{t('features.holidays')}</span>
            <input className="sm" placeholder="DE-BW" value={op.holidays ?? ''} disabled={readOnly} data-testid="op-holidays"
              onChange={(e) => onChange({ ...op, holidays: e.target.value.trim().toUpperCase() || null })} />
          </label>
        </div>
      );
      break;
    case 'normalize':
      body = (
        <div className="form-grid">
          <label className="field">
            <span>{t('features.method')}</span>
            <select className="sm" value={op.method ?? 'zscore'} disabled={readOnly} onChange={(e) => onChange({ ...op, method: e.target.value as 'zscore' | 'minmax' })}>
              <option value="zscore">z-score</option>
              <option value="minmax">min-max</option>
            </select>
          </label>
          <div className="field">
            <span>{t('features.normalizeInputs')}</span>
            <div className="row" style={{ gap: 10, minHeight: 28 }}>
              {inputs.map((i) => (
                <label key={i} className="check small">
                  <input type="checkbox" disabled={readOnly} checked={op.inputs == null || op.inputs.includes(i)}
                    onChange={(e) => {
                      const current = op.inputs ?? inputs;
                      const next = e.target.checked ? [...current, i] : current.filter((x) => x !== i);
                      onChange({ ...op, inputs: next.length === inputs.length ? null : next });
                    }} />
                  {i}
                </label>
              ))}
            </div>
          </div>
        </div>
      );
      break;
  }
  return (
    <div className="op-card" data-testid={`op-${op.op}`}>
      <div className="op-head">
        <span className="tag">{op.op}</span>
        <span className="small muted">{t(`features.opHelp.${op.op}`)}</span>
        <span className="spacer" />
        {onRemove && !readOnly && (
          <button className="btn ghost sm" onClick={onRemove} aria-label={t('common.remove')}><Icon name="trash" size={14} /></button>
        )}
      </div>
      {body}
    </div>
  );
}
