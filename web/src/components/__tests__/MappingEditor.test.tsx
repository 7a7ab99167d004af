// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../../i18n/i18n';
import { MappingEditor } from '../../pages/deployments/MappingEditor';

const rows = [
  { name: 'load', source: 'load', unit: 'kW', modelUnit: 'kW' },
  { name: 'temp', source: 'temp', unit: 'degC', modelUnit: 'degC' },
];

function setup(onSave = vi.fn()) {
  localStorage.setItem('loadstar.lang', 'en');
  render(<I18nProvider><MappingEditor rows={rows} fill="linear" maxMissingRatio={0.2} onSave={onSave} /></I18nProvider>);
  return onSave;
}

describe('MappingEditor', () => {
  afterEach(cleanup);

  it('saves caller fields, units, fill policy and threshold', () => {
    const onSave = setup();
    fireEvent.change(screen.getByTestId('map-source-load'), { target: { value: 'P_total' } });
    fireEvent.change(screen.getByTestId('map-unit-load'), { target: { value: 'W' } });
    fireEvent.change(screen.getByTestId('map-fill'), { target: { value: 'ffill' } });
    fireEvent.change(screen.getByTestId('map-missing'), { target: { value: '35' } });
    fireEvent.click(screen.getByTestId('save-mapping'));
    expect(onSave).toHaveBeenCalledWith({
      inputs: [{ name: 'load', source: 'P_total', unit: 'W' }, { name: 'temp', source: 'temp', unit: 'degC' }],
      fill: 'ffill',
      maxMissingRatio: 0.35,
    });
  });

  it('blocks a save while two inputs read one field or a unit has the wrong dimension', () => {
    const onSave = setup();
    fireEvent.change(screen.getByTestId('map-source-temp'), { target: { value: 'load' } });
    expect(screen.getByText('“load” is used twice')).toBeTruthy();
    expect((screen.getByTestId('save-mapping') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('map-source-temp'), { target: { value: 'T' } });
    fireEvent.change(screen.getByTestId('map-unit-temp'), { target: { value: 'kW' } });
    expect(screen.getByText('kW cannot be converted to degC')).toBeTruthy();
    fireEvent.click(screen.getByTestId('save-mapping'));
    expect(onSave).not.toHaveBeenCalled();
  });

  it('refuses a threshold outside 0–100 %', () => {
    setup();
    fireEvent.change(screen.getByTestId('map-missing'), { target: { value: '140' } });
    expect(screen.getByText('Between 0 and 100')).toBeTruthy();
    expect((screen.getByTestId('save-mapping') as HTMLButtonElement).disabled).toBe(true);
  });
});
