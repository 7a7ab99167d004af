/** Form checks run before sending; the API checks the same again and has the last word. */

/** Why one element of a list was refused; `index` counts from 0, `token` is as typed. */
export interface ListError { index: number; token: string; reason: 'notNumber' | 'notInteger' | 'tooSmall' | 'tooLarge' | 'empty' }

export type ListResult = { ok: true; values: number[] } | { ok: false; error: ListError };

export interface ListRule {
  integer?: boolean;
  min?: number; // inclusive
  max?: number; // inclusive
  exclusive?: boolean; // min and max exclusive (quantiles lie strictly between 0 and 1)
  unique?: boolean; // drop repeats and sort ascending
}

/** "1, 24; 168" read element by element: the first element that breaks `rule` is named. */
export function parseNumberList(text: string, rule: ListRule = {}): ListResult {
  const tokens = text.split(/[\s,;]+/).filter((s) => s !== '');
  if (tokens.length === 0) return { ok: false, error: { index: 0, token: '', reason: 'empty' } };
  const values: number[] = [];
  for (const [index, token] of tokens.entries()) {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token) ? Number(token) : Number.NaN;
    const fail = (reason: ListError['reason']): ListResult => ({ ok: false, error: { index, token, reason } });
    if (!Number.isFinite(n)) return fail('notNumber');
    if (rule.integer && !Number.isInteger(n)) return fail('notInteger');
    if (rule.min !== undefined && (rule.exclusive ? n <= rule.min : n < rule.min)) return fail('tooSmall');
    if (rule.max !== undefined && (rule.exclusive ? n >= rule.max : n > rule.max)) return fail('tooLarge');
    values.push(n);
  }
  return { ok: true, values: rule.unique ? [...new Set(values)].sort((a, b) => a - b) : values };
}

export const LAGS: ListRule = { integer: true, min: 1, unique: true };
export const QUANTILES: ListRule = { min: 0, max: 1, exclusive: true, unique: true };

/** The shape the API accepts for a unit (the server then asks pint whether it knows it). */
export function unitShapeOk(unit: string): boolean {
  const u = unit.trim();
  return u.length > 0 && u.length <= 32 && /^[^[\]\s]+( [^[\]\s]+)*$/.test(u);
}
