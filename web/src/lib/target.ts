/** Which series to open first: the one the user chose, else the one that looks like load. */
import { unitDimension } from './units';

interface Column { name: string; dtype: string; unit?: string | null; role?: string }

const LOAD_NAME = /load|power|demand|consumption|energy|kw|watt|leistung|last|verbrauch|负荷|功率|电量/i;

export function numericNames(columns: readonly Column[], timestampColumn?: string | null): string[] {
  return columns.filter((c) => c.name !== timestampColumn && c.name !== 'timestamp' && c.role !== 'timestamp' && /int|float|double|decimal|number/i.test(c.dtype)).map((c) => c.name);
}

/** `chosen` when it is a numeric column; else a power or energy unit; else a load-like name; else the first numeric column. */
export function defaultTarget(columns: readonly Column[], chosen?: string | null, timestampColumn?: string | null): string {
  const numeric = numericNames(columns, timestampColumn);
  if (chosen && numeric.includes(chosen)) return chosen;
  const byName = new Map(columns.map((c) => [c.name, c]));
  const byUnit = numeric.find((n) => {
    const dim = unitDimension(byName.get(n)?.unit ?? '');
    return dim === 'power' || dim === 'energy';
  });
  return byUnit ?? numeric.find((n) => LOAD_NAME.test(n)) ?? numeric[0] ?? '';
}
