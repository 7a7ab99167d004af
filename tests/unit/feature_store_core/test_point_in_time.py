"""The `as of` join never takes a value from the future of its row, and takes the latest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.feature_store.point_in_time import as_of_join

T0 = datetime(2026, 1, 1, tzinfo=UTC)
entities = st.sampled_from(["m1", "m2", "m3"])
minutes = st.integers(min_value=0, max_value=200)
points = st.lists(st.tuples(entities, minutes, st.floats(-1e6, 1e6)), max_size=40)
spines = st.lists(st.tuples(entities, minutes), min_size=1, max_size=30)


def _history(rows: list[tuple[str, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "entity": [r[0] for r in rows],
            "eventTime": [T0 + timedelta(minutes=r[1]) for r in rows],
            "value": [r[2] for r in rows],
        },
        schema={"entity": pl.String, "eventTime": pl.Datetime("us", "UTC"), "value": pl.Float64},
    )


def _spine(rows: list[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"entity": [r[0] for r in rows], "eventTime": [T0 + timedelta(minutes=r[1]) for r in rows]},
        schema={"entity": pl.String, "eventTime": pl.Datetime("us", "UTC")},
    )


def _expected(history: list[tuple[str, int, float]], entity: str, at: int) -> float | None:
    """Brute force: the last value given at the latest event time <= `at`."""
    best: tuple[int, int] | None = None
    value = None
    for seq, (e, m, v) in enumerate(history):
        if e == entity and m <= at and (best is None or (m, seq) >= best):
            best, value = (m, seq), v
    return value


@settings(max_examples=200, deadline=None)
@given(spine=spines, a=points, b=points)
def test_no_value_from_the_future_and_the_latest_known(
    spine: list[tuple[str, int]], a: list[tuple[str, int, float]], b: list[tuple[str, int, float]]
) -> None:
    frame = as_of_join(_spine(spine), {"g1.a": _history(a), "g2.b": _history(b)})
    assert frame.height == len(spine)
    assert frame.select("entity", "eventTime").equals(_spine(spine))
    for i, (entity, at) in enumerate(spine):
        for name, history in (("g1.a", a), ("g2.b", b)):
            got = frame[name][i]
            want = _expected(history, entity, at)
            assert got == want
            if got is not None:  # whatever was taken existed at or before the row's time
                assert any(e == entity and m <= at and v == got for e, m, v in history)


@settings(max_examples=100, deadline=None)
@given(spine=spines, a=points, ttl=st.integers(min_value=0, max_value=30))
def test_a_value_older_than_the_ttl_is_missing(
    spine: list[tuple[str, int]], a: list[tuple[str, int, float]], ttl: int
) -> None:
    frame = as_of_join(_spine(spine), {"g.a": _history(a)}, ttl=timedelta(minutes=ttl))
    for i, (entity, at) in enumerate(spine):
        if frame["g.a"][i] is not None:
            assert any(e == entity and at - ttl <= m <= at for e, m, _ in a)
