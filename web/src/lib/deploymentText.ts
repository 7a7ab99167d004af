/** How a deployment names itself: its title always shows the version it serves now. */

interface Named { name: string; modelId: string; version: number }

/** The title, and the "model vN" line shown beside it when the title does not already say it.
 * A name the server made up at creation ("model v1") is replaced by the current version. */
export function deploymentTitle(d: Named): { title: string; current: string | null } {
  const current = `${d.modelId} v${d.version}`;
  const generated = d.name === '' || d.name === d.modelId || new RegExp(`^${escape(d.modelId)} v\\d+$`).test(d.name);
  return generated ? { title: current, current: null } : { title: d.name, current };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A change's version move as "v1 → v2", when it has one. */
export function versionMove(details: Record<string, unknown>): string | null {
  const from = details['from'];
  const to = details['to'];
  if (typeof from === 'number' && typeof to === 'number') return from === to ? null : `v${from} → v${to}`;
  const v = details['version'];
  return typeof v === 'number' ? `v${v}` : null;
}
