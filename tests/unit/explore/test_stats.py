"""Column statistics and gaps agree with numpy on any data (hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.profile import QUANTILES, column_stats, gap_summary, histogram, profile

SETTINGS = settings(max_examples=150, deadline=None)
finite = st.floats(
    min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
cells = st.one_of(finite, st.none(), st.just(math.nan))


@SETTINGS
@given(st.lists(cells, min_size=1, max_size=300))
def test_numeric_stats_match_numpy(values: list[float | None]) -> None:
    stats = column_stats(pl.Series("x", values, dtype=pl.Float64))
    present = np.array([v for v in values if v is not None and not math.isnan(v)])
    assert stats.count == present.size and stats.missing == len(values) - present.size
    assert stats.missingRate == pytest.approx((len(values) - present.size) / len(values))
    if present.size == 0:
        assert stats.mean is None and stats.quantiles is None and stats.buckets == []
        return
    assert stats.mean == pytest.approx(present.mean(), rel=1e-9, abs=1e-6)
    assert stats.min == present.min() and stats.max == present.max()
    if present.size > 1:
        assert stats.std == pytest.approx(present.std(ddof=1), rel=1e-6, abs=1e-6)
    assert stats.quantiles is not None
    for key, q in QUANTILES.items():
        assert getattr(stats.quantiles, key) == pytest.approx(
            np.quantile(present, q), rel=1e-9, abs=1e-6
        )
    assert sum(b.count for b in stats.buckets) == present.size
    assert stats.buckets[0].lo == present.min() and stats.buckets[-1].hi == present.max()
    assert all(a.hi == b.lo for a, b in zip(stats.buckets, stats.buckets[1:], strict=False))


@SETTINGS
@given(st.lists(finite, min_size=2, max_size=300).filter(lambda v: min(v) < max(v)))
def test_histogram_matches_numpy(values: list[float]) -> None:
    ordered = pl.Series(values).sort()
    counts, _ = np.histogram(np.array(values), bins=20)
    assert [b.count for b in histogram(ordered, 20)] == counts.tolist()


def test_integers_booleans_and_text() -> None:
    ints = column_stats(pl.Series("n", [1, 2, 3, None]))
    assert ints.mean == 2.0 and ints.missing == 1 and ints.quantiles is not None
    flags = column_stats(pl.Series("b", [True, False, True, True]))
    assert flags.mean == 0.75 and len(flags.buckets) == 2
    text = column_stats(pl.Series("s", ["a", "b", "a", None]))
    assert text.distinct == 2 and text.top[0].value == "a" and text.top[0].count == 2
    assert text.mean is None and text.missingRate == 0.25


def grid(start: datetime, steps: int, minutes: int) -> list[datetime]:
    return [start + timedelta(minutes=minutes * i) for i in range(steps)]


@SETTINGS
@given(st.integers(10, 400), st.sets(st.integers(1, 398), max_size=60), st.sampled_from([1, 5, 60]))
def test_gaps_count_the_removed_points(length: int, removed: set[int], minutes: int) -> None:
    removed = {i for i in removed if i < length - 1}
    times = [
        t
        for i, t in enumerate(grid(datetime(2024, 1, 1, tzinfo=UTC), length, minutes))
        if i not in removed
    ]
    summary = gap_summary(pl.Series(times, dtype=pl.Datetime("us", "UTC")), minutes * 60.0)
    runs = sum(1 for i in removed if i - 1 not in removed)
    assert summary.count == runs and summary.missingPoints == len(removed)
    assert summary.regularShare == pytest.approx((len(times) - 1 - runs) / (len(times) - 1))
    assert [g.missingPoints for g in summary.largest] == sorted(
        (g.missingPoints for g in summary.largest), reverse=True
    )
    for gap in summary.largest:
        assert gap.before - gap.after == timedelta(minutes=minutes * (gap.missingPoints + 1))


def test_profile_skips_the_timestamp_and_handles_no_frequency() -> None:
    times = pl.Series(
        "timestamp", grid(datetime(2024, 1, 1, tzinfo=UTC), 5, 60), dtype=pl.Datetime("us", "UTC")
    )
    frame = pl.DataFrame({"timestamp": times, "load": [1.0, 2.0, 3.0, 4.0, 5.0]})
    result = profile(frame, None)
    assert set(result.stats) == {"load"} and result.rows == 5 and result.gaps.count == 0
