"""ISO 8601 parsing: offsets honoured, naive read as UTC, the fast path equal to the slow one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.timestamps import (
    _parse_fast,
    format_epoch_s,
    parse_one,
    parse_timestamps,
)
from schemas.errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("text", "expected", "naive"),
    [
        ("2025-07-03T10:00:00Z", datetime(2025, 7, 3, 10, tzinfo=UTC), False),
        ("2025-07-03T12:00:00+02:00", datetime(2025, 7, 3, 10, tzinfo=UTC), False),
        ("2025-07-03T05:30:00-04:30", datetime(2025, 7, 3, 10, tzinfo=UTC), False),
        ("2025-07-03 10:00:00", datetime(2025, 7, 3, 10, tzinfo=UTC), True),
        ("2025-07-03T10:00:00.250Z", datetime(2025, 7, 3, 10, 0, 0, 250_000, tzinfo=UTC), False),
        ("2025-07-03T10:00", datetime(2025, 7, 3, 10, tzinfo=UTC), True),
        ("2025-07-03", datetime(2025, 7, 3, tzinfo=UTC), True),
        ("20250703T100000Z", datetime(2025, 7, 3, 10, tzinfo=UTC), False),
        ("2024-02-29T23:59:59+00:00", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), False),
    ],
)
def test_iso8601_forms(text: str, expected: datetime, naive: bool) -> None:
    for batch in ([text], [text] * 5):  # one row (slow path) and many rows (fast path)
        parsed = parse_timestamps(batch, "timestamp")
        assert parsed.epoch_us.tolist() == [us(expected)] * len(batch)
        assert parsed.naive == (len(batch) if naive else 0)


def test_mixed_layouts_and_offsets_in_one_request() -> None:
    texts = ["2025-07-03T10:00:00Z", "2025-07-03T12:00:00+02:00", "2025-07-03T10:00:00"]
    parsed = parse_timestamps(texts, "timestamp")
    assert len(set(parsed.epoch_us.tolist())) == 1
    assert parsed.naive == 1


@pytest.mark.parametrize(
    "bad",
    ["2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z", "2025-07-03T24:00:00Z", "yesterday",
     "2025-07-03T10:00:60Z", "2025-07-0310:00:00Z", "", "2023-02-29T00:00:00Z"],
)  # fmt: skip
def test_bad_timestamp_names_the_row(bad: str) -> None:
    texts = ["2025-07-03T10:00:00Z"] * 3 + [bad] + ["2025-07-03T11:00:00Z"]
    with pytest.raises(InvalidInput) as info:
        parse_timestamps(texts, "ts")
    assert info.value.details["row"] == 3
    assert info.value.details["field"] == "ts"


@pytest.mark.parametrize("value", [None, 1751536800, 1.5, ["2025"], {"a": 1}, True])
def test_non_string_timestamp_is_invalid(value: object) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_timestamps(["2025-07-03T10:00:00Z", value], "timestamp")
    assert info.value.details["row"] == 1


def test_rows_cannot_borrow_characters_from_a_neighbour() -> None:
    # Same total length as two valid rows, but neither row is valid on its own.
    texts = ["2025-07-03T10:00:00+01:0", "02025-07-03T10:00:00+01:00"]
    with pytest.raises(InvalidInput) as info:
        parse_timestamps(texts, "timestamp")
    assert info.value.details["row"] == 0


LAYOUTS = [
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S{offset}",
    "%Y-%m-%dT%H:%M:%S.%f{offset}",
]
MOMENTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


def render(moment: datetime, layout: str, offset_min: int, digits: int) -> str:
    sign = "+" if offset_min >= 0 else "-"
    offset = f"{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"
    text = f"{moment.year:04d}" + moment.strftime(layout.replace("%Y", "").format(offset=offset))
    if ".%f" in layout:  # keep 1..6 fraction digits
        head, _, tail = text.partition(".")
        text = f"{head}.{tail[:digits]}{tail[6:]}"
    return text


@settings(max_examples=150, deadline=None)
@given(
    moments=st.lists(MOMENTS, min_size=2, max_size=30),
    layout=st.sampled_from(LAYOUTS),
    offset=OFFSETS,
    digits=st.integers(min_value=1, max_value=6),
)
def test_fast_path_equals_fromisoformat(
    moments: list[datetime], layout: str, offset: int, digits: int
) -> None:
    texts = [render(m, layout, offset, digits) for m in moments]
    assert _parse_fast(texts) is not None  # these layouts take the vectorised path
    parsed = parse_timestamps(texts, "t")
    expected = [parse_one(t, i, "t") for i, t in enumerate(texts)]
    assert parsed.epoch_us.tolist() == [e[0] for e in expected]
    assert parsed.naive == sum(e[1] for e in expected)


def test_offsets_match_python() -> None:
    moment = datetime(2025, 3, 30, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    parsed = parse_timestamps([moment.isoformat()] * 3, "t")
    assert parsed.epoch_us.tolist() == [us(moment)] * 3


def test_format_epoch_seconds_is_iso_utc_with_z() -> None:
    assert format_epoch_s(np.array([0, 1751536800], dtype=np.int64)) == [
        "1970-01-01T00:00:00Z",
        "2025-07-03T10:00:00Z",
    ]


@settings(max_examples=200, deadline=None)
@given(
    moments=st.lists(MOMENTS, min_size=2, max_size=30),
    layout=st.sampled_from(LAYOUTS[4:]),
    offsets=st.lists(st.sampled_from([0, 120, -270, 345, 23 * 60 + 59]), min_size=1, max_size=3),
    digits=st.integers(min_value=1, max_value=6),
    picks=st.data(),
)
def test_offsets_mixed_or_damaged_in_one_layout(
    moments: list[datetime], layout: str, offsets: list[int], digits: int, picks: st.DataObject
) -> None:
    """Rows of one layout whose offsets differ (or one of whose characters is damaged): the
    vectorised path reads them as Python does, or steps aside for the row-by-row parser."""
    texts = [render(m, layout, picks.draw(st.sampled_from(offsets)), digits) for m in moments]
    damaged = picks.draw(st.booleans())
    if damaged:
        row = picks.draw(st.integers(0, len(texts) - 1))
        column = picks.draw(st.integers(0, len(texts[row]) - 1))
        char = picks.draw(st.sampled_from("0159+-:,.TZ xa"))
        texts[row] = texts[row][:column] + char + texts[row][column + 1 :]
    fast = _parse_fast(texts)
    if not damaged:
        assert fast is not None
    if fast is None:
        return
    expected = [parse_one(t, i, "t") for i, t in enumerate(texts)]
    assert fast.epoch_us.tolist() == [e[0] for e in expected]
    assert fast.naive == sum(e[1] for e in expected)
