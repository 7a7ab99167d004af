/** Hyperparameters from the form: numbers where they parse, extra JSON merged over them. */
export function buildHyperparams(fields: Record<string, string>, extra: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const t = v.trim();
    if (!t) continue;
    const n = Number(t);
    out[k] = Number.isFinite(n) ? n : t === 'true' ? true : t === 'false' ? false : t;
  }
  if (extra.trim()) Object.assign(out, JSON.parse(extra) as Record<string, unknown>);
  return out;
}
