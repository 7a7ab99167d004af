"""Reading a table's shape: unit headers, timestamp detection, frequency (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from control_plane.datasets.profile import (
    detect_timestamp,
    infer_frequency,
    snap_frequency,
    snapped_seconds,
    split_unit,
)
from schemas.feature_plan import FREQUENCY_SECONDS

names = st.text(
    alphabet=st.characters(categories=["L", "N"], include_characters="_"), min_size=1, max_size=12
)
units = st.text(
    alphabet=st.characters(categories=["L", "N"], include_characters="/%^°"), min_size=1, max_size=6
)


@settings(max_examples=200, deadline=None)
@given(names, units, st.sampled_from(["{n}[{u}]", "{n} [{u}]", "{n} ({u})", "{n}({u})"]))
def test_unit_headers_split(name: str, unit: str, pattern: str) -> None:
    assert split_unit(pattern.format(n=name, u=unit)) == (name, unit)


@pytest.mark.parametrize("header", ["load", "temp_c", "a[b", "x()"])
def test_plain_headers_keep_their_name(header: str) -> None:
    assert split_unit(header) == (header.strip(), None) or split_unit(header)[1] is None


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(FREQUENCY_SECONDS)), st.floats(-0.019, 0.019))
def test_frequencies_snap_within_two_percent(name: str, jitter: float) -> None:
    assert snap_frequency(FREQUENCY_SECONDS[name] * (1 + jitter)) == name


@pytest.mark.parametrize(
    ("seconds", "name"),
    [(600, "10min"), (606, "10min"), (540, "9min"), (720, "12min")],
)
def test_ten_minutes_is_a_plan_frequency_not_a_snap_to_fifteen(seconds: float, name: str) -> None:
    assert snap_frequency(seconds) == name
    assert snapped_seconds(seconds) == (600.0 if name == "10min" else seconds)


@pytest.mark.parametrize(
    ("seconds", "name"),
    [(10, "10s"), (120, "2min"), (7200, "2h"), (0.5, "500ms"), (86400 * 7, "7d")],
)
def test_other_frequencies_are_named(seconds: float, name: str) -> None:
    assert snap_frequency(seconds) == name


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([60, 300, 600, 900, 3600]),
    st.lists(st.integers(1, 3), min_size=20, max_size=100),
)
def test_inferred_frequency_is_the_median_step(step: int, multiples: list[int]) -> None:
    multiples = [1] * (len(multiples) + 1) + multiples  # most steps regular
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times, now = [], start
    for m in multiples:
        times.append(now)
        now += timedelta(seconds=step * m)
    assert infer_frequency(pl.Series(times)) == (snap_frequency(step), float(step))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (pl.DataFrame({"value": [1.0, 2.0], "date": ["2024-01-01", "2024-01-02"]}), "date"),
        (
            pl.DataFrame(
                {"a": ["x", "y"], "when": ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"]}
            ),
            "when",
        ),
        (pl.DataFrame({"ts": [1_700_000_000, 1_700_000_060], "load": [1, 2]}), "ts"),
        (pl.DataFrame({"time": [1_700_000_000_000, 1_700_000_060_000], "load": [1, 2]}), "time"),
        (
            pl.DataFrame({"id": [1_700_000_000, 1_700_000_060], "load": [1, 2]}),
            None,
        ),  # no hint: not time
        (pl.DataFrame({"x": ["01.02.2024 10:00", "01.02.2024 11:00"]}), "x"),
        (pl.DataFrame({"load": [1.0], "note": ["hello"]}), None),
    ],
)
def test_timestamp_detection(frame: pl.DataFrame, expected: str | None) -> None:
    found = detect_timestamp(frame)
    assert (found[0] if found else None) == expected
    if found:
        parsed = found[1].apply(frame[found[0]])
        assert parsed.null_count() == 0 and parsed.dtype == pl.Datetime("us", "UTC")


def test_epoch_units_and_offsets_parse_to_the_same_instant() -> None:
    instant = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    for column in (
        pl.Series("ts", [1_700_000_000]),
        pl.Series("ts", [1_700_000_000_000]),
        pl.Series("ts", ["2023-11-15T00:13:20+02:00"]),
        pl.Series("ts", ["2023-11-14 22:13:20"]),
    ):
        found = detect_timestamp(column.to_frame())
        assert found is not None and found[1].apply(column)[0] == instant


slash_layouts = st.sampled_from(
    [
        ("%d/%m/%Y %H:%M", "{d:02}/{m:02}/{Y} {H:02}:{M:02}"),
        ("%m/%d/%y %H:%M", "{m}/{d}/{y:02} {H}:{M:02}"),
        ("%m/%d/%Y %H:%M:%S", "{m}/{d}/{Y} {H}:{M:02}:{S:02}"),
        ("%d/%m/%y", "{d}/{m}/{y:02}"),
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    slash_layouts,
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2060, 12, 1)),
    st.integers(min_value=1, max_value=200),
)
def test_slashed_dates_read_as_written(
    layout: tuple[str, str], start: datetime, hours: int
) -> None:
    """Day-first and month-first exports, padded or not, two- or four-digit years: with a
    day past 12 in the sample the column reads back to the instants that were written."""
    fmt, text = layout
    start = start.replace(day=13, microsecond=0, second=0 if "%S" not in fmt else start.second)
    if "%H" not in fmt:
        start = start.replace(hour=0, minute=0, second=0)
    step = timedelta(hours=hours) if "%H" in fmt else timedelta(days=1)
    instants = [start + k * step for k in range(5)]
    values = [
        text.format(d=t.day, m=t.month, Y=t.year, y=t.year % 100, H=t.hour, M=t.minute, S=t.second)
        for t in instants
    ]
    if "%y" in fmt and any(not 1970 <= t.year < 2069 for t in instants):
        return  # two-digit years stand for 1969..2068
    found = detect_timestamp(pl.DataFrame({"date": values}))
    assert found is not None, values
    parsed = found[1].apply(pl.Series("date", values)).to_list()
    assert parsed == [t.replace(tzinfo=UTC) for t in instants], (values, found[1])


def test_a_sample_with_no_day_past_12_reads_day_first() -> None:
    found = detect_timestamp(pl.DataFrame({"date": ["01/02/2024 10:00", "02/02/2024 10:00"]}))
    assert found is not None
    assert found[1].apply(pl.Series("date", ["01/02/2024 10:00"]))[0] == datetime(
        2024, 2, 1, 10, tzinfo=UTC
    )
