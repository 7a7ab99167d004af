"""Steps: an out-of-band jump that the readings after it keep, told from a spike, and the
jump back that makes it a level shift.

A forecast made from the window before each reading follows a level that moved after its
first reading, so a step reads as one out-of-band reading whichever way it goes on. What
comes next tells them apart:

- a spike comes back: within `look` readings after the out-of-band run, a reading is
  back within half the jump of the level before it (`kept` is False);
- a step is kept: the next readings stay past half the jump. Left alone it is the new
  normal (a line that changed its load, a sensor that moved), not an alarm; when the level
  jumps back within `limit` readings (a reading out of band toward the old level and
  within half the jump of it: `jump_back`), the stretch between the two was a level shift.

Both judge the jump from the reading before the run (or, without one, the expectation at
its start): the expectation after the run has already moved.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

LOOK = 2  # readings after an out-of-band run that show whether it came back
SHIFT_LIMIT_MINUTES = 1440.0  # a step that jumps back within a day was a level shift


def level_before(v: Floats, mid: Floats, checked: Mask, start: int) -> float:
    """The level a run left: the reading before it, else the expectation at its start."""
    if start > 0 and checked[start - 1]:
        return float(v[start - 1])
    return float(mid[start])


def _jump(v: Floats, mid: Floats, checked: Mask, start: int, stop: int) -> tuple[float, int]:
    """The run's jump from the level before it, to its farthest reading on the side of its
    first one, and where that reading is."""
    before = level_before(v, mid, checked, start)
    side = np.sign(float(v[start]) - before)
    span = np.where(checked[start:stop], side * (v[start:stop] - before), -np.inf)
    peak = start + int(np.argmax(span))
    return float(v[peak]) - before, peak


def kept(v: Floats, mid: Floats, checked: Mask, start: int, stop: int, look: int = LOOK) -> bool:
    """Whether every reading after the run's peak, up to `look` after the run, stays past
    half its jump (a step); False when one comes back, or when none has arrived yet (a
    spike until then)."""
    before = level_before(v, mid, checked, start)
    jump, peak = _jump(v, mid, checked, start, stop)
    if jump == 0.0 or not np.isfinite(jump):
        return False
    after = [j for j in range(peak + 1, min(v.size, stop + look)) if checked[j]]
    if not after:
        return False
    side = np.sign(jump)
    return all(side * (float(v[j]) - before) > abs(jump) / 2 for j in after)


def pair_level(level: float, limit: int) -> float:
    """The coverage each of two jumps must leave for a step and its jump back within
    `limit` readings to be as rare among normal readings as one reading past `level`:
    p x limit x p = 1 - level (about 99.9% for 99.99% and a day of 15-minute readings)."""
    return 1.0 - math.sqrt((1.0 - level) / max(1, limit))


def jump_back(
    v: Floats,
    z: Floats,
    mid: Floats,
    checked: Mask,
    taken: Mask,
    start: int,
    stop: int,
    z_pair: float,
    limit: int,
) -> int | None:
    """The first reading within `limit` of `start` that jumps back from the step [start,
    stop): past `z_pair` toward the old level, by a step from the reading before it of
    half to twice the jump (the level between may drift, as load does). None when another
    event or the end of the readings comes first."""
    jump, _ = _jump(v, mid, checked, start, stop)
    side = np.sign(jump)
    for j in range(stop, min(v.size, start + limit)):
        if taken[j]:
            return None
        if not (checked[j] and checked[j - 1]) or side * z[j] >= -z_pair:
            continue
        back = -side * (float(v[j]) - float(v[j - 1]))
        if abs(jump) / 2 <= back <= 2 * abs(jump) and not foreseen(v, mid, checked, j):
            return j
    return None


def foreseen(v: Floats, mid: Floats, checked: Mask, i: int) -> bool:
    """Whether the expectation at `i` had moved a quarter of the jump there or more, the
    same way: a change the forecast saw coming (a shift change, a schedule) only of another
    size than expected, not a fault."""
    if i == 0 or not checked[i - 1]:
        return False
    jump = float(v[i]) - float(v[i - 1])
    return bool(np.sign(jump) * (float(mid[i]) - float(v[i - 1])) >= abs(jump) / 4)


def paired_shifts(
    v: Floats,
    z: Floats,
    mid: Floats,
    checked: Mask,
    taken: Mask,
    z_pair: float,
    limit: int,
    short: tuple[int, float] = (0, 0.0),
) -> list[tuple[int, int]]:
    """[start, stop) of every excursion told by a kept step past `z_pair` and its jump
    back, in order; their readings are marked in `taken`. `short` = (readings, z): one
    that lasts no longer than that is a spike's length, and both its jumps must pass z
    (the alarm interval a spike must leave)."""
    found: list[tuple[int, int]] = []
    longest_spike, z_spike = short
    for i in np.flatnonzero(checked & ~taken & (np.abs(z) > z_pair)).tolist():
        if taken[i] or not kept(v, mid, checked, i, i + 1) or foreseen(v, mid, checked, i):
            continue
        back = jump_back(v, z, mid, checked, taken, i, i + 1, z_pair, limit)
        if back is None:
            continue
        if back - i <= longest_spike and min(abs(z[i]), abs(z[back])) <= z_spike:
            continue
        taken[i:back] = True
        found.append((i, back))
    return found
