import { describe, expect, it } from 'vitest';
import { buildHyperparams } from '../hyperparams';
import { mappingRows } from '../mapping';
import { parseIntList } from '../planOps';

describe('form parsing', () => {
  it('keeps blank hyperparameters at the server default and parses the rest', () => {
    expect(buildHyperparams({ epochs: '3', lr: ' ', instance_norm: 'revin', calibrate: 'false' }, '')).toEqual({ epochs: 3, instance_norm: 'revin', calibrate: false });
    expect(buildHyperparams({ epochs: '3' }, '{"epochs": 5, "hidden_sizes": [64]}')).toEqual({ epochs: 5, hidden_sizes: [64] });
    expect(() => buildHyperparams({}, '{oops')).toThrow();
  });

  it('reads a lag list', () => {
    expect(parseIntList('24, 1;168 24 x -3 0')).toEqual([1, 24, 168]);
    expect(parseIntList('')).toEqual([]);
  });

  it('builds mapping rows from a contract, caller units from sourceUnits', () => {
    const rows = mappingRows({
      contract: {
        deploymentId: 'd', modelId: 'm', version: 1, frequency: '1h', lookback: 2, horizon: 1, quantiles: [0.5],
        target: { name: 'load', outputUnit: 'kW' },
        inputs: [{ name: 'load', source: 'P', unit: 'kW' }, { name: 'temp', source: 'T', unit: 'degC', required: false }],
        sourceUnits: { P: 'W' },
      },
    });
    expect(rows).toEqual([
      { name: 'load', source: 'P', unit: 'W', modelUnit: 'kW', required: true },
      { name: 'temp', source: 'T', unit: 'degC', modelUnit: 'degC', required: false },
    ]);
  });
});
