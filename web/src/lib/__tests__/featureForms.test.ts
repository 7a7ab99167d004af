import { describe, expect, it } from 'vitest';
import { blankFeature, brokerOk, featureProblem } from '../featureForms';

describe('a new feature group\'s feature rows', () => {
  const row = (change: Partial<ReturnType<typeof blankFeature>>) => ({ ...blankFeature(), name: 'power', ...change });

  it('accepts a plain numeric feature with a unit and a range', () => {
    expect(featureProblem(row({ unit: 'kW', minValue: '0', maxValue: '500' }), ['power'])).toBeNull();
  });

  it('names what is wrong, one thing at a time', () => {
    expect(featureProblem(row({ name: '9x' }), ['9x'])).toBe('featureStore.form.badName');
    expect(featureProblem(row({}), ['power', 'power'])).toBe('featureStore.form.duplicate');
    expect(featureProblem(row({ dtype: 'string', unit: 'kW' }), ['power'])).toBe('featureStore.form.unitNumbers');
    expect(featureProblem(row({ minValue: 'low' }), ['power'])).toBe('featureStore.form.notNumber');
    expect(featureProblem(row({ minValue: '10', maxValue: '1' }), ['power'])).toBe('featureStore.form.minAboveMax');
  });

  it('knows a broker address', () => {
    expect(brokerOk('127.0.0.1:1883')).toBe(true);
    expect(brokerOk('mqtt.plant')).toBe(false);
  });
});
