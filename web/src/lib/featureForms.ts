/** Checks of the feature-store forms, before anything is sent (the server checks again). */
import type { MessageKey } from '../i18n/i18n';

export const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DTYPES = ['float64', 'float32', 'int64', 'int32', 'bool', 'string'] as const;
export type Dtype = (typeof DTYPES)[number];
const NUMERIC = new Set<Dtype>(['float64', 'float32', 'int64', 'int32']);

export interface FeatureRow { name: string; dtype: Dtype; unit: string; minValue: string; maxValue: string }
export const blankFeature = (): FeatureRow => ({ name: '', dtype: 'float64', unit: '', minValue: '', maxValue: '' });

/** What is wrong with one feature row of a new group, as a message key (null: fine). */
export function featureProblem(row: FeatureRow, names: string[]): MessageKey | null {
  if (!FEATURE_NAME.test(row.name)) return 'featureStore.form.badName';
  if (names.filter((n) => n === row.name).length > 1) return 'featureStore.form.duplicate';
  if (row.unit && !NUMERIC.has(row.dtype)) return 'featureStore.form.unitNumbers';
  const bad = (x: string) => x.trim() !== '' && Number.isNaN(Number(x));
  if (bad(row.minValue) || bad(row.maxValue)) return 'featureStore.form.notNumber';
  if (row.minValue && row.maxValue && Number(row.minValue) > Number(row.maxValue)) return 'featureStore.form.minAboveMax';
  return null;
}

/** An MQTT broker address: host:port. */
export const brokerOk = (text: string) => /^[^:\s]+:\d{1,5}$/.test(text);
