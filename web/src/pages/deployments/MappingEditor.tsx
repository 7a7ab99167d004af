/** The input mapping: caller field and unit per model input, fill policy and missing threshold. */
import { useMemo, useState } from 'react';
import type { DeploymentMapping } from '../../api/types';
import { ErrorMessage, Table } from '../../components/ui';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { blockingIssues, validateMapping, validatePolicy, type MappingIssue, type MappingRow } from '../../lib/mapping';
import { unitChoices } from '../../lib/units';

export interface MappingEditorProps {
  rows: MappingRow[];
  fill: 'linear' | 'ffill';
  maxMissingRatio: number;
  readOnly?: boolean;
  saving?: boolean;
  error?: unknown;
  onSave: (mapping: DeploymentMapping) => void;
}

const ISSUE_KEYS: Record<MappingIssue['kind'], MessageKey> = {
  sourceMissing: 'mapping.sourceMissing',
  sourceDuplicate: 'mapping.sourceDuplicate',
  unitMissing: 'mapping.unitMissing',
  unitUnknown: 'mapping.unitUnknown',
  unitDimension: 'mapping.unitDimension',
};

export function MappingEditor(props: MappingEditorProps) {
  const { t } = useI18n();
  const [rows, setRows] = useState<MappingRow[]>(props.rows);
  const [fill, setFill] = useState(props.fill);
  const [ratioPct, setRatioPct] = useState(String(Math.round(props.maxMissingRatio * 1000) / 10));
  const issues = useMemo(() => validateMapping(rows), [rows]);
  const ratio = Number(ratioPct) / 100;
  const policyIssue = validatePolicy({ fill, maxMissingRatio: ratio });
  const blocked = blockingIssues(issues).length > 0 || policyIssue !== null;
  const issueText = (i: MappingIssue) => t(ISSUE_KEYS[i.kind], {
    source: 'source' in i ? i.source : '', unit: 'unit' in i ? i.unit : '', modelUnit: 'modelUnit' in i ? i.modelUnit : '',
  });
  const set = (i: number, patch: Partial<MappingRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = () => props.onSave({
    inputs: rows.map((r) => ({ name: r.name, source: r.source.trim(), unit: r.unit.trim() })),
    fill,
    maxMissingRatio: ratio,
  });

  return (
    <div className="stack" data-testid="mapping-editor">
      <Table dense head={<tr><th>{t('mapping.modelInput')}</th><th>{t('mapping.modelUnit')}</th><th>{t('mapping.source')}</th><th>{t('mapping.unit')}</th></tr>}>
        {rows.map((r, i) => {
          const rowIssues = issues.filter((x) => x.row === i);
          const choices = unitChoices(r.modelUnit);
          return (
            <tr key={r.name}>
              <td><code>{r.name}</code>{r.required === false ? <span className="muted small"> ({t('common.optional')})</span> : null}</td>
              <td className="muted">{r.modelUnit ?? '—'}</td>
              <td>
                <input className="sm" value={r.source} disabled={props.readOnly} onChange={(e) => set(i, { source: e.target.value })}
                  aria-label={t('mapping.sourceOf', { name: r.name })} data-testid={`map-source-${r.name}`} />
              </td>
              <td>
                <select className="sm" value={choices.includes(r.unit) ? r.unit : '__other'} disabled={props.readOnly}
                  onChange={(e) => e.target.value !== '__other' && set(i, { unit: e.target.value })} data-testid={`map-unit-${r.name}`}
                  aria-label={t('mapping.unitOf', { name: r.name })}>
                  {!choices.includes(r.unit) && <option value="__other">{r.unit || '—'}</option>}
                  {choices.map((u) => <option key={u} value={u}>{u}</option>)}
                </select>
                {rowIssues.map((x, k) => (
                  <div key={k} className={`small ${x.kind === 'unitUnknown' ? 'muted' : ''}`} style={{ color: x.kind === 'unitUnknown' ? undefined : 'var(--danger)' }}>{issueText(x)}</div>
                ))}
              </td>
            </tr>
          );
        })}
      </Table>
      <div className="form-grid">
        <label className="field">
          <span>{t('mapping.fill')}</span>
          <select value={fill} disabled={props.readOnly} onChange={(e) => setFill(e.target.value as 'linear' | 'ffill')} data-testid="map-fill">
            <option value="linear">{t('mapping.fillLinear')}</option>
            <option value="ffill">{t('mapping.fillFfill')}</option>
          </select>
        </label>
        <label className={`field ${policyIssue ? 'error' : ''}`}>
          <span>{t('mapping.maxMissing')} <span className="hint">%</span></span>
          <input type="number" min={0} max={100} step={1} value={ratioPct} disabled={props.readOnly} onChange={(e) => setRatioPct(e.target.value)} data-testid="map-missing" />
          {policyIssue && <span className="err">{t('mapping.ratioRange')}</span>}
        </label>
      </div>
      {props.error ? <ErrorMessage error={props.error} /> : null}
      {!props.readOnly && (
        <div className="row">
          <button className="btn primary" disabled={blocked || props.saving} onClick={save} data-testid="save-mapping">
            {props.saving && <span className="spinner" />} {t('mapping.save')}
          </button>
          {blocked && <span className="small muted">{t('mapping.fixFirst')}</span>}
        </div>
      )}
    </div>
  );
}
