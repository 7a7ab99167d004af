/** Checks on the input-mapping editor before the API sees it (the API validates again). */
import type { Deployment } from '../api/types';
import { unitDimension } from './units';

export interface MappingRow {
  /** The model input this row feeds. */
  name: string;
  /** The caller's field name. */
  source: string;
  /** The unit the caller sends. */
  unit: string;
  /** The unit the model expects (from the contract), when known. */
  modelUnit?: string;
  required?: boolean;
}

export type MappingIssue =
  | { row: number; kind: 'sourceMissing' }
  | { row: number; kind: 'sourceDuplicate'; source: string }
  | { row: number; kind: 'unitMissing' }
  | { row: number; kind: 'unitUnknown'; unit: string }
  | { row: number; kind: 'unitDimension'; unit: string; modelUnit: string };

export interface MappingPolicy {
  fill: 'linear' | 'ffill';
  maxMissingRatio: number;
}

export function validateMapping(rows: readonly MappingRow[]): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, row) => {
    const source = r.source.trim();
    if (!source) {
      if (r.required !== false) issues.push({ row, kind: 'sourceMissing' });
    } else if (seen.has(source)) {
      issues.push({ row, kind: 'sourceDuplicate', source });
    } else {
      seen.set(source, row);
    }
    const unit = r.unit.trim();
    if (!unit) {
      issues.push({ row, kind: 'unitMissing' });
      return;
    }
    const dim = unitDimension(unit);
    if (dim === null) {
      // Not in the picker: the API may still know it; flag it so the user looks twice.
      issues.push({ row, kind: 'unitUnknown', unit });
      return;
    }
    if (r.modelUnit) {
      const modelDim = unitDimension(r.modelUnit);
      if (modelDim !== null && modelDim !== dim) issues.push({ row, kind: 'unitDimension', unit, modelUnit: r.modelUnit });
    }
  });
  return issues;
}

/** Only issues that stop a save; an unknown unit is a warning the API settles. */
export function blockingIssues(issues: readonly MappingIssue[]): MappingIssue[] {
  return issues.filter((i) => i.kind !== 'unitUnknown');
}

export function validatePolicy(p: MappingPolicy): 'ratioRange' | null {
  return Number.isFinite(p.maxMissingRatio) && p.maxMissingRatio >= 0 && p.maxMissingRatio <= 1 ? null : 'ratioRange';
}

/** Editor rows from a deployment's contract: the model unit per input, the caller's unit per source field. */
export function mappingRows(d: Pick<Deployment, 'contract'>): MappingRow[] {
  const sourceUnits = d.contract.sourceUnits ?? {};
  return d.contract.inputs.map((i) => ({
    name: i.name,
    source: i.source,
    unit: sourceUnits[i.source] ?? i.unit ?? '1',
    modelUnit: i.unit ?? '1',
    required: i.required !== false,
  }));
}

export interface FutureInput {
  /** The model input known in advance for the forecast period. */
  name: string;
  /** The caller's field in the request's `future` rows. */
  source: string;
  /** The unit the caller sends it in (as for `series`). */
  unit: string;
  required: boolean;
}

/** The inputs a caller sends for the forecast period (`future` rows), in the caller's field names and units. */
export function futureInputs(d: Pick<Deployment, 'contract'>): FutureInput[] {
  const sourceUnits = d.contract.sourceUnits ?? {};
  return d.contract.inputs
    .filter((i) => i.known === true)
    .map((i) => ({ name: i.name, source: i.source, unit: sourceUnits[i.source] ?? i.unit ?? '1', required: i.required !== false }));
}
