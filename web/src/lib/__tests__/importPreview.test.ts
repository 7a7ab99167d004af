import { describe, expect, it } from 'vitest';
import { detectDecimal, detectSeparator, headSlice, importFields, sniffCsv, splitLine } from '../importPreview';

const EU = 'Zeit;Last [kW];Temp\n01.01.2024 00:00;12,5;3,1\n01.01.2024 01:00;13,25;2,9\n';

describe('import preview', () => {
  it('detects a semicolon file with decimal commas and splits its first rows', () => {
    const s = sniffCsv(EU);
    expect(s.separator).toBe(';');
    expect(s.decimal).toBe(',');
    expect(s.header).toEqual(['Zeit', 'Last [kW]', 'Temp']);
    expect(s.rows[0]).toEqual(['01.01.2024 00:00', '12,5', '3,1']);
  });

  it('keeps the usual comma file as it is', () => {
    const text = 'time,load\n2024-01-01 00:00,1.5\n2024-01-01 01:00,2.5\n';
    expect(detectSeparator(text)).toBe(',');
    expect(detectDecimal(text, ',')).toBe('.');
    expect(sniffCsv(text).rows).toHaveLength(2);
  });

  it('lets the user override what was detected', () => {
    const s = sniffCsv(EU, { separator: ',', decimal: '.' });
    expect(s.separator).toBe(',');
    expect(s.header).toEqual(['Zeit;Last [kW];Temp']);
  });

  it('reads tabs, pipes and quoted separators', () => {
    expect(detectSeparator('a\tb\tc\n1\t2\t3\n')).toBe('\t');
    expect(detectSeparator('a|b\n1|2\n')).toBe('|');
    expect(splitLine('"a;b";c;"say ""hi"""', ';')).toEqual(['a;b', 'c', 'say "hi"']);
  });

  it('a number with both marks is not a decimal comma', () => {
    expect(detectDecimal('t;x\n1;1,5\n2;2.5\n', ';')).toBe('.');
  });

  it('cuts a sample after its last whole line', () => {
    expect(headSlice('a,b\n1,2\n3,')).toBe('a,b\n1,2\n');
    expect(headSlice('no newline')).toBe('no newline');
  });

  it('sends only what the user set, units as JSON', () => {
    expect(importFields({})).toEqual({});
    expect(importFields({ separator: ';', decimal: ',', timestampColumn: 'Zeit', timestampFormat: ' %d.%m.%Y %H:%M ', timezone: 'Europe/Berlin', units: { Last: 'kW', Temp: ' ' } }))
      .toEqual({ separator: ';', decimal: ',', timestampColumn: 'Zeit', timestampFormat: '%d.%m.%Y %H:%M', timezone: 'Europe/Berlin', units: '{"Last":"kW"}' });
    expect(importFields({ timezone: 'UTC' })).toEqual({});
  });
});
