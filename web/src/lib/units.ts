/** Units the unit picker offers, by dimension; the API (pint) has the final word. */

export const UNIT_GROUPS = {
  power: ['W', 'kW', 'MW'],
  energy: ['Wh', 'kWh', 'MWh', 'J', 'kJ', 'MJ'],
  temperature: ['degC', 'degF', 'K'],
  pressure: ['Pa', 'kPa', 'bar', 'psi'],
  flow: ['m3/h', 'L/min', 'L/s'],
  current: ['A', 'mA'],
  voltage: ['V', 'kV'],
  frequency: ['Hz'],
  ratio: ['%', '1'],
} as const;

export type Dimension = keyof typeof UNIT_GROUPS;

const ALIASES: Record<string, string> = {
  '°C': 'degC', C: 'degC', celsius: 'degC', '°F': 'degF', F: 'degF', kelvin: 'K',
  'm³/h': 'm3/h', 'm^3/h': 'm3/h', percent: '%', '': '1', dimensionless: '1',
};

export function canonicalUnit(u: string): string {
  const t = u.trim();
  return ALIASES[t] ?? t;
}

export function unitDimension(u: string): Dimension | null {
  const c = canonicalUnit(u);
  for (const [dim, units] of Object.entries(UNIT_GROUPS)) {
    if ((units as readonly string[]).includes(c)) return dim as Dimension;
  }
  return null;
}

/** Units offered for an input whose model unit is `modelUnit`: the same dimension first. */
export function unitChoices(modelUnit: string | undefined): string[] {
  const dim = modelUnit ? unitDimension(modelUnit) : null;
  const all = Object.values(UNIT_GROUPS).flat() as string[];
  if (!dim) return all;
  const same = [...UNIT_GROUPS[dim]] as string[];
  return [...same, ...all.filter((u) => !same.includes(u))];
}
