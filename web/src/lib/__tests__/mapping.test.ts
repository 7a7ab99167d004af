import { describe, expect, it } from 'vitest';
import { blockingIssues, futureInputs, validateMapping, validatePolicy } from '../mapping';
import { unitChoices, unitDimension } from '../units';

describe('mapping validation', () => {
  it('accepts a complete mapping with convertible units', () => {
    expect(validateMapping([
      { name: 'load', source: 'P_total', unit: 'kW', modelUnit: 'W' },
      { name: 'temp', source: 'T_amb', unit: 'degF', modelUnit: 'degC' },
    ])).toEqual([]);
  });

  it('flags missing and duplicated caller fields', () => {
    const issues = validateMapping([
      { name: 'a', source: ' ', unit: 'kW' },
      { name: 'b', source: 'x', unit: 'kW' },
      { name: 'c', source: 'x', unit: 'kW' },
      { name: 'd', source: '', unit: 'kW', required: false },
    ]);
    expect(issues).toEqual([{ row: 0, kind: 'sourceMissing' }, { row: 2, kind: 'sourceDuplicate', source: 'x' }]);
  });

  it('flags a unit of the wrong dimension, and only warns on units it does not know', () => {
    const issues = validateMapping([
      { name: 'load', source: 'p', unit: 'kWh', modelUnit: 'kW' },
      { name: 'other', source: 'q', unit: 'furlong', modelUnit: 'm' },
      { name: 'none', source: 'r', unit: '' },
    ]);
    expect(issues).toEqual([
      { row: 0, kind: 'unitDimension', unit: 'kWh', modelUnit: 'kW' },
      { row: 1, kind: 'unitUnknown', unit: 'furlong' },
      { row: 2, kind: 'unitMissing' },
    ]);
    expect(blockingIssues(issues).map((i) => i.kind)).toEqual(['unitDimension', 'unitMissing']);
  });

  it('checks the missing threshold range', () => {
    expect(validatePolicy({ fill: 'linear', maxMissingRatio: 0.2 })).toBeNull();
    expect(validatePolicy({ fill: 'ffill', maxMissingRatio: 1.5 })).toBe('ratioRange');
    expect(validatePolicy({ fill: 'ffill', maxMissingRatio: Number.NaN })).toBe('ratioRange');
  });

  it('offers units of the model unit dimension first and knows aliases', () => {
    expect(unitChoices('W').slice(0, 3)).toEqual(['W', 'kW', 'MW']);
    expect(unitDimension('°C')).toBe('temperature');
    expect(unitDimension('m³/h')).toBe('flow');
    expect(unitDimension('parsec')).toBeNull();
  });
});

describe('forecast-period inputs', () => {
  it('lists the known inputs in the caller\'s field names and units', () => {
    const contract = {
      inputs: [
        { name: 'load', source: 'P', unit: 'kW' },
        { name: 'production', source: 'plan', unit: 'kW', known: true },
        { name: 'shift', source: 'shift', unit: '1', known: true, required: false },
      ],
      sourceUnits: { plan: 'W' },
    } as unknown as Parameters<typeof futureInputs>[0]['contract'];
    expect(futureInputs({ contract })).toEqual([
      { name: 'production', source: 'plan', unit: 'W', required: true },
      { name: 'shift', source: 'shift', unit: '1', required: false },
    ]);
  });

  it('is empty for a deployment without known inputs', () => {
    const contract = { inputs: [{ name: 'load', source: 'P', unit: 'kW' }] } as unknown as Parameters<typeof futureInputs>[0]['contract'];
    expect(futureInputs({ contract })).toEqual([]);
  });
});
