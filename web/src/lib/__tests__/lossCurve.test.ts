import { describe, expect, it } from 'vitest';
import { shapeLossCurve } from '../lossCurve';

describe('loss curve shaping', () => {
  it('orders epochs and keeps the latest point per epoch', () => {
    const c = shapeLossCurve([
      { epoch: 2, trainLoss: 0.4, valLoss: 0.5 },
      { epoch: 1, trainLoss: 0.9, valLoss: 0.8 },
      { epoch: 2, trainLoss: 0.35, valLoss: 0.45 },
    ]);
    expect(c.epochs).toEqual([1, 2]);
    expect(c.train).toEqual([0.9, 0.35]);
    expect(c.val).toEqual([0.8, 0.45]);
    expect(c.best).toEqual({ epoch: 2, val: 0.45 });
  });

  it('accepts snake_case, skips points without an epoch or a loss, keeps gaps as null', () => {
    const c = shapeLossCurve([
      { epoch: 1, train_loss: 1.0 },
      { trainLoss: 3 },
      { epoch: 3, lr: 0.001 },
      { epoch: 2, val_loss: 0.7, trainLoss: Number.NaN },
    ]);
    expect(c.epochs).toEqual([1, 2]);
    expect(c.train).toEqual([1.0, null]);
    expect(c.val).toEqual([null, 0.7]);
    expect(c.best).toEqual({ epoch: 2, val: 0.7 });
  });

  it('keeps a value an epoch already had when a later event lacks it', () => {
    const c = shapeLossCurve([{ epoch: 1, trainLoss: 0.5 }, { epoch: 1, valLoss: 0.6 }]);
    expect(c.train).toEqual([0.5]);
    expect(c.val).toEqual([0.6]);
  });

  it('is empty for no events', () => {
    expect(shapeLossCurve([])).toEqual({ epochs: [], train: [], val: [], best: null });
  });
});
