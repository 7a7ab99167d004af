import { describe, expect, it } from 'vitest';
import { deploymentTitle, versionMove } from '../deploymentText';
import { defaultTarget } from '../target';
import { LAGS, parseNumberList, QUANTILES, unitShapeOk } from '../validators';

describe('number lists, element by element', () => {
  it('names the first bad element with its place and text', () => {
    expect(parseNumberList('1, two, -3', LAGS)).toEqual({ ok: false, error: { index: 1, token: 'two', reason: 'notNumber' } });
    expect(parseNumberList('1, 2.5', LAGS)).toEqual({ ok: false, error: { index: 1, token: '2.5', reason: 'notInteger' } });
    expect(parseNumberList('24 0', LAGS)).toEqual({ ok: false, error: { index: 1, token: '0', reason: 'tooSmall' } });
    expect(parseNumberList(' ', LAGS)).toEqual({ ok: false, error: { index: 0, token: '', reason: 'empty' } });
  });

  it('keeps a good list unique and sorted', () => {
    expect(parseNumberList('168; 1 24,1', LAGS)).toEqual({ ok: true, values: [1, 24, 168] });
    expect(parseNumberList('0.95, 0.05 0.5', QUANTILES)).toEqual({ ok: true, values: [0.05, 0.5, 0.95] });
  });

  it('refuses quantiles outside (0, 1), bounds excluded', () => {
    expect(parseNumberList('0.5, 1', QUANTILES)).toMatchObject({ ok: false, error: { index: 1, reason: 'tooLarge' } });
    expect(parseNumberList('0, 0.5', QUANTILES)).toMatchObject({ ok: false, error: { index: 0, reason: 'tooSmall' } });
    expect(parseNumberList('1e-1', QUANTILES)).toEqual({ ok: true, values: [0.1] });
    expect(parseNumberList('0x10', { integer: true })).toMatchObject({ ok: false, error: { reason: 'notNumber' } });
  });

  it('never accepts what it cannot read back', () => {
    for (const text of ['1,,2', '  3 ', '+4', '1e400', 'NaN', 'Infinity', '٣']) {
      const r = parseNumberList(text, LAGS);
      if (r.ok) expect(r.values.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    }
  });
});

describe('unit shape', () => {
  it('accepts what the API pattern accepts, leaving the meaning to the server', () => {
    expect(unitShapeOk('kW')).toBe(true);
    expect(unitShapeOk('m3/h')).toBe(true);
    expect(unitShapeOk('bananas')).toBe(true); // only the server (pint) can say this is no unit
    expect(unitShapeOk('[kW]')).toBe(false);
    expect(unitShapeOk('k  W')).toBe(false);
    expect(unitShapeOk('x'.repeat(33))).toBe(false);
  });
});

describe('deployment title', () => {
  it('shows the current version, not the one it was created with', () => {
    expect(deploymentTitle({ name: 'line-b-load v1', modelId: 'line-b-load', version: 2 })).toEqual({ title: 'line-b-load v2', current: null });
    expect(deploymentTitle({ name: 'press 3', modelId: 'line-b-load', version: 2 })).toEqual({ title: 'press 3', current: 'line-b-load v2' });
    expect(deploymentTitle({ name: 'a.b v1', modelId: 'a.b', version: 3 }).title).toBe('a.b v3');
  });

  it('says each version change from-to', () => {
    expect(versionMove({ from: 2, to: 1 })).toBe('v2 → v1');
    expect(versionMove({ from: 1, to: 1, mapping: {} })).toBeNull();
    expect(versionMove({ version: 3, alias: null })).toBe('v3');
    expect(versionMove({})).toBeNull();
  });
});

describe('default Explore target', () => {
  const cols = [
    { name: 'timestamp', dtype: 'Datetime', role: 'timestamp' },
    { name: 'temperature', dtype: 'Float64', unit: 'degC' },
    { name: 'line_load', dtype: 'Float64' },
    { name: 'P', dtype: 'Float64', unit: 'kW' },
  ];
  it('prefers the chosen target, then a power unit, then a load-like name', () => {
    expect(defaultTarget(cols, 'temperature')).toBe('temperature');
    expect(defaultTarget(cols, 'nope')).toBe('P');
    expect(defaultTarget(cols.slice(0, 3))).toBe('line_load');
    expect(defaultTarget(cols.slice(0, 2))).toBe('temperature');
    expect(defaultTarget([])).toBe('');
  });
});
