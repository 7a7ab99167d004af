"""Which grid points a live stream still owes a forecast for.

A reading at time t belongs to the grid point floor(t / step) * step. Every point after
the last one done that holds a reading is due, oldest first; so a stream that was down
resumes with the points it missed, and a point without readings is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable


def point_of(t: float, step: int) -> int:
    return int(t // step) * step


def due_points(last_done: int | None, reading_times: Iterable[float], step: int) -> list[int]:
    """The grid points (epoch seconds) with readings after `last_done`, ascending."""
    points = {point_of(t, step) for t in reading_times}
    return sorted(p for p in points if last_done is None or p > last_done)
