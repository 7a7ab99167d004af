"""A feature-store query's training frame: one row per grid point, each value the latest at
or before that point (a hypothesis property: never one from the point's future)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.feature_store.training_frame import HISTORY_SCHEMA, build_frame, grid_spine

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_spine_is_every_grid_point_of_the_range() -> None:
    spine = grid_spine("m1", START + timedelta(minutes=10), START + timedelta(hours=5), 3600)
    assert spine["eventTime"].to_list()[0] == START + timedelta(hours=1)
    assert spine.height == 4 and set(spine["entity"]) == {"m1"}


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=48 * 60), st.floats(-1e6, 1e6)),
        min_size=1,
        max_size=60,
    )
)
def test_no_value_comes_from_the_future_of_its_row(points: list[tuple[int, float]]) -> None:
    history = pl.DataFrame(
        {
            "key": ["g.x"] * len(points),
            "entity": ["m1"] * len(points),
            "eventTime": [START + timedelta(minutes=m) for m, _ in points],
            "value": [v for _, v in points],
        },
        schema=HISTORY_SCHEMA,
    )
    spine = grid_spine("m1", START, START + timedelta(hours=48), 3600)
    frame = build_frame(history, spine, {"g.x": "x"})
    assert frame.columns == ["timestamp", "x"] and frame.height == 48
    for when, value in frame.iter_rows():
        past = [(m, v) for m, v in points if START + timedelta(minutes=m) <= when]
        if not past:
            assert value is None
        else:
            latest = max(m for m, _ in past)
            assert value in [v for m, v in past if m == latest]
