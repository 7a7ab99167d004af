"""Each rule kind against a plain-Python reference: counts and failing time ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.quality.suite import evaluate_suite
from loadstar_core.quality.timeline import gap_table
from schemas.quality import (
    AllowedValues,
    ColumnsCompare,
    Freshness,
    MonotonicTimestamps,
    NoDuplicateTimestamps,
    NotNull,
    OutlierShare,
    Range,
    RegularInterval,
    RowCount,
    Rule,
    RuleResult,
    StuckValues,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def frame(values: list[float | None], **extra: list[object]) -> pl.DataFrame:
    times = [T0 + i * STEP for i in range(len(values))]
    return pl.DataFrame(
        {"timestamp": times, "load": values, **extra},
        schema_overrides={"timestamp": pl.Datetime("us", "UTC"), "load": pl.Float64},
    )


def run(df: pl.DataFrame, rule: Rule) -> RuleResult:
    return evaluate_suite(df, [rule], NOW, STEP.total_seconds()).rules[0]


def expected_runs(times: list[datetime], mask: list[bool]) -> list[tuple[datetime, datetime, int]]:
    runs: list[tuple[datetime, datetime, int]] = []
    for i, bad in enumerate(mask):
        if not bad:
            continue
        if runs and i > 0 and mask[i - 1]:
            start, end, n = runs[-1]
            runs[-1] = (min(start, times[i]), max(end, times[i]), n + 1)
        else:
            runs.append((times[i], times[i], 1))
    return runs


def ranges_of(result: RuleResult) -> list[tuple[datetime, datetime, int]]:
    return [(r.start, r.end, r.points) for r in result.ranges]


values = st.lists(
    st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=100
)


@settings(max_examples=60, deadline=None)
@given(values)
def test_not_null_counts_and_ranges_match_the_missing_rows(xs: list[float | None]) -> None:
    df = frame(xs)
    result = run(df, NotNull(column="load", minShare=1.0))
    mask = [x is None for x in xs]
    assert result.failing == sum(mask)
    assert ranges_of(result) == expected_runs(df["timestamp"].to_list(), mask)
    assert result.outcome == ("pass" if not any(mask) else "fail")


@settings(max_examples=60, deadline=None)
@given(values, st.floats(-1e5, 0), st.floats(0, 1e5))
def test_range_flags_exactly_the_values_outside(
    xs: list[float | None], low: float, high: float
) -> None:
    df = frame(xs)
    result = run(df, Range(column="load", min=low, max=high, severity="warn"))
    mask = [x is not None and (x < low or x > high) for x in xs]
    assert result.failing == sum(mask)
    assert ranges_of(result) == expected_runs(df["timestamp"].to_list(), mask)
    assert result.outcome == ("warn" if any(mask) else "pass")
    assert len(result.samples) == min(5, sum(mask))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=3, max_size=100))
def test_gaps_are_the_holes_between_kept_points(keep: list[bool]) -> None:
    keep[0] = keep[-1] = True
    times = [T0 + i * STEP for i, k in enumerate(keep) if k]
    df = pl.DataFrame({"timestamp": times, "load": [1.0] * len(times)}).with_columns(
        pl.col("timestamp").dt.cast_time_unit("us")
    )
    result = run(df, RegularInterval())
    holes = expected_runs([T0 + i * STEP for i in range(len(keep))], [not k for k in keep])
    assert result.failing == len(holes) and result.params["missingPoints"] == keep.count(False)
    assert ranges_of(result) == [(a - STEP, b + STEP, n) for a, b, n in holes]
    # Explore's gap summary is the same computation
    assert gap_table(df.lazy(), STEP.total_seconds()).collect().height == len(holes)


def test_max_gap_tolerates_shorter_holes() -> None:
    times = [T0, T0 + STEP, T0 + 3 * STEP, T0 + 12 * STEP]  # holes of 2 and 9 steps
    df = pl.DataFrame({"timestamp": times, "load": [1.0] * 4})
    result = run(df, RegularInterval(maxGapSeconds=3600))
    assert [(r.start, r.end, r.points) for r in result.ranges] == [
        (T0 + 3 * STEP, T0 + 12 * STEP, 8)
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=100))
def test_duplicates_and_order(offsets: list[int]) -> None:
    times = [T0 + o * STEP for o in offsets]
    df = pl.DataFrame({"timestamp": times, "load": [1.0] * len(times)})
    dup = run(df, NoDuplicateTimestamps())
    assert dup.failing == sum(offsets.count(o) > 1 for o in offsets)
    mono = run(df, MonotonicTimestamps())
    back = [i > 0 and offsets[i] < offsets[i - 1] for i in range(len(offsets))]
    assert mono.failing == sum(back)
    assert ranges_of(mono) == sorted(expected_runs(times, back))
    assert mono.outcome == ("fail" if any(back) else "pass")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=150), st.integers(2, 6))
def test_stuck_values_are_long_runs(xs: list[int], n: int) -> None:
    df = frame([float(x) for x in xs])
    result = run(df, StuckValues(column="load", maxRepeats=n))
    mask = [False] * len(xs)
    start = 0
    for i in range(1, len(xs) + 1):
        if i == len(xs) or xs[i] != xs[start]:
            if i - start >= n:
                mask[start:i] = [True] * (i - start)
            start = i
    assert result.failing == sum(mask)


@settings(max_examples=40, deadline=None)
@given(st.integers(20, 100), st.integers(0, 19), st.integers(1, 9))
def test_a_spike_is_an_outlier(n: int, at: int, period: int) -> None:
    xs = [100.0 + (i % period) for i in range(n)]
    xs[at] = 1e6
    result = run(frame(xs), OutlierShare(column="load", z=5, maxShare=0.0))
    assert result.failing == 1 and result.ranges[0].start == T0 + at * STEP


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10), st.floats(0, 10)), min_size=1, max_size=100))
def test_cross_column_comparison(pairs: list[tuple[float, float]]) -> None:
    df = frame([a for a, _ in pairs], cap=[b for _, b in pairs])
    result = run(df, ColumnsCompare(left="load", op="<=", right="cap"))
    mask = [not a <= b for a, b in pairs]
    assert result.failing == sum(mask)
    assert ranges_of(result) == expected_runs(df["timestamp"].to_list(), mask)


def test_allowed_values_row_count_and_freshness() -> None:
    df = frame([1.0, 2.0, 3.0], mode=["run", "idle", "bogus"])
    allowed = run(df, AllowedValues(column="mode", values=["run", "idle"]))
    assert allowed.failing == 1 and allowed.samples[0]["mode"] == "bogus"
    assert run(df, RowCount(min=3, max=3)).outcome == "pass"
    assert run(df, RowCount(min=4)).outcome == "fail"
    stale = run(df, Freshness(maxAgeSeconds=3600, severity="fail"))
    assert stale.outcome == "fail" and stale.ranges[0].start == T0 + 2 * STEP
    fresh = evaluate_suite(df, [Freshness(maxAgeSeconds=3600)], T0 + 3 * STEP, None)
    assert fresh.outcome == "pass"


def test_suite_outcome_is_the_worst_severity_and_names_missing_columns() -> None:
    df = frame([1.0, None])
    result = evaluate_suite(
        df,
        [NotNull(column="load", severity="warn"), Range(column="nope", min=0)],
        NOW,
        None,
    )
    assert result.outcome == "fail" and (result.warned, result.failed) == (1, 1)
    assert result.rules[1].code == "quality.missingColumn"


def test_every_rule_kind_has_an_evaluator() -> None:
    from typing import get_args

    from loadstar_core.quality.rules import EVALUATORS
    from schemas.quality import Rule as AnyRule

    assert set(EVALUATORS) == set(get_args(AnyRule))
