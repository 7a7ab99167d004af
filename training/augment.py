"""Augmentation of a training batch's values on its way to the loss (numpy, then back)."""

from __future__ import annotations

import numpy as np
import torch

from loadstar_core.augmentation import AugmentationStep, augment


class WindowAugmentation:
    """Callable on [B, L + H, n] values: `loadstar_core.augmentation.augment` with a
    generator seeded by `seed`, on the values' device."""

    def __init__(self, steps: list[AugmentationStep], lookback: int, seed: tuple[int, ...]) -> None:
        self.steps, self.lookback = steps, lookback
        self.rng = np.random.default_rng(list(seed))

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        array = values.detach().cpu().numpy()
        changed = augment(array, self.steps, self.lookback, self.rng)
        return torch.from_numpy(np.ascontiguousarray(changed)).to(values.device, values.dtype)
