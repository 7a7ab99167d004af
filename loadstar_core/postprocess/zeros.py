"""Zero runs: a meter that reads exactly zero longer than the series makes plausible.

Near zero, a dropout cannot be told by its distance from the expectation (a load that
crosses zero, a forecast that follows the zeros after the first one). What gives it away is
that it stays *exactly* zero: a live meter repeats a reading only as often as its
resolution lets it. A run of `k` exact zeros is a dropout when

- the series' own rate of repeated readings over the week before it, `r`, makes it rarer
  than the policy's level: r ** (k - 1) < 1 - level (with r counted as at least one repeat
  in the week, so an unseen repeat is not taken as impossible), and
- it is longer than every zero run of that week (a line that is off at night reads zero
  for hours, and did so the night before).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

WEEK = 672  # 15-minute readings; the history is counted in readings of the grid


def _runs(mask: Mask) -> list[tuple[int, int]]:
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def needed(repeat_rate: float, level: float) -> int:
    """The shortest run of equal readings rarer than `level` at this rate of repeats."""
    rate = min(max(repeat_rate, 1e-9), 1.0 - 1e-9)
    return 1 + math.floor(math.log(1.0 - level) / math.log(rate)) + 1


def zero_runs(v: Floats, present: Mask, level: float, history: int = WEEK) -> list[tuple[int, int]]:
    """[start, stop) of every run of exact zeros that is a dropout by the rule above; the
    readings of the run so far count (a run still growing is judged on its length now)."""
    zero = present & (v == 0.0)
    same = np.zeros(v.size, dtype=np.bool_)
    same[1:] = present[1:] & present[:-1] & (v[1:] == v[:-1])
    found: list[tuple[int, int]] = []
    runs = _runs(zero)
    for n, (start, stop) in enumerate(runs):
        lo = max(0, start - history)
        pairs = int((present[lo + 1 : start] & present[lo : start - 1]).sum()) if start > lo else 0
        if pairs < history // 4:
            continue  # too little history to know the series' repeats
        rate = max(float(same[lo + 1 : start].sum()), 1.0) / pairs
        longest = max((b - a for a, b in runs[:n] if b > lo), default=0)
        if stop - start >= needed(rate, level) and stop - start > longest:
            found.append((start, stop))
    return found
