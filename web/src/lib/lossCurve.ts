/** Per-epoch train/validation loss from metric events, ready for a line chart. */

export interface LossCurve {
  epochs: number[];
  train: (number | null)[];
  val: (number | null)[];
  best: { epoch: number; val: number } | null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * One point per epoch (the latest event for an epoch wins, so a replayed history and live
 * events can be concatenated), sorted by epoch. Accepts camelCase and snake_case payloads.
 */
export function shapeLossCurve(payloads: readonly Record<string, unknown>[]): LossCurve {
  const byEpoch = new Map<number, { train: number | null; val: number | null }>();
  for (const p of payloads) {
    const epoch = num(p.epoch);
    if (epoch === null) continue;
    const train = num(p.trainLoss ?? p.train_loss);
    const val = num(p.valLoss ?? p.val_loss);
    if (train === null && val === null) continue;
    const prev = byEpoch.get(epoch);
    byEpoch.set(epoch, { train: train ?? prev?.train ?? null, val: val ?? prev?.val ?? null });
  }
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  const train = epochs.map((e) => byEpoch.get(e)!.train);
  const val = epochs.map((e) => byEpoch.get(e)!.val);
  let best: LossCurve['best'] = null;
  epochs.forEach((e, i) => {
    const v = val[i];
    if (v != null && (best === null || v < best.val)) best = { epoch: e, val: v };
  });
  return { epochs, train, val, best };
}
