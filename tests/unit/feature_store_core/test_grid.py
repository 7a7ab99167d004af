"""A stream owes one forecast per grid point that holds a reading, oldest first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.feature_store.grid import due_points, point_of

times = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=50)
steps = st.sampled_from([60, 900, 3600])


@given(times, steps, st.one_of(st.none(), st.integers(0, 1_000_000)))
def test_every_due_point_has_a_reading_and_none_is_missed(
    readings: list[float], step: int, last: int | None
) -> None:
    due = due_points(last, readings, step)
    assert due == sorted(set(due))
    assert all(p % step == 0 and (last is None or p > last) for p in due)
    for t in readings:  # every reading after the last point done is covered by a due point
        if last is None or point_of(t, step) > last:
            assert point_of(t, step) in due
    for p in due:
        assert any(p <= t < p + step for t in readings)


def test_resuming_after_a_gap_replays_the_missed_points() -> None:
    readings = [0, 3600, 7200 + 5, 10800 + 1800]
    assert due_points(3600, readings, 3600) == [7200, 10800]
    assert due_points(10800, readings, 3600) == []
