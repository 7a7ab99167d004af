"""The serving window read from the online store: complete windows pass whole, the caller's
newest rows win, and an empty, stale or incomplete window is refused in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.feature_store.online_window import decode_member, latest_key, window_rows
from schemas.errors import InvalidInput

START = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3600


def iso(i: int) -> str:
    return (START + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rows(n: int, lookback: int = 4, **kw: object) -> list[dict[str, object]]:
    windows = {"value": [(iso(i), float(i)) for i in range(n)]}
    args: dict[str, object] = {
        "entity": "m1",
        "lookback": lookback,
        "step": HOUR,
        "now": START.timestamp() + n * HOUR,
        "max_age_seconds": None,
        **kw,
    }
    return window_rows(windows, "timestamp", **args)  # type: ignore[arg-type]


def test_keys_and_members_are_the_control_planes() -> None:
    assert latest_key("ns", "g", "m1", "value") == "ns:fs:v:g:m1:value"
    member = b"0000000000000001:" + b'["2026-03-01T00:00:00.000000Z",1.5]'
    assert decode_member(member) == ("2026-03-01T00:00:00.000000Z", 1.5)


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=30))
def test_a_complete_window_is_the_last_lookback_points(lookback: int, extra: int) -> None:
    got = rows(lookback + extra, lookback)
    assert len(got) == lookback
    assert [r["value"] for r in got] == [float(i) for i in range(extra, lookback + extra)]


@given(st.integers(min_value=2, max_value=30), st.data())
def test_fewer_points_than_the_lookback_are_incomplete(lookback: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=lookback - 1))
    with pytest.raises(InvalidInput) as caught:
        rows(n, lookback)
    assert caught.value.details["reason"] == "incomplete"
    assert f"{n} of the {lookback}" in caught.value.message


def test_stale_and_empty_windows_say_so() -> None:
    with pytest.raises(InvalidInput) as stale:
        rows(6, now=START.timestamp() + 10 * HOUR, max_age_seconds=HOUR)
    assert stale.value.details["reason"] == "stale" and "is stale" in stale.value.message
    with pytest.raises(InvalidInput) as empty:
        window_rows(
            {"value": []},
            "timestamp",
            entity="x",
            lookback=2,
            step=HOUR,
            now=0.0,
            max_age_seconds=None,
        )
    assert empty.value.details["reason"] == "empty"


def test_the_callers_newest_rows_win_and_complete_the_window() -> None:
    newer = [{"timestamp": "2026-03-01T03:00:00Z", "value": 99.0, "temp": 20.0}]
    got = rows(3, 4, newer=newer)
    assert got[-1] == {"timestamp": "2026-03-01T03:00:00Z", "value": 99.0, "temp": 20.0}
    with pytest.raises(InvalidInput) as bad:
        rows(3, 4, newer=[{"timestamp": "yesterday", "value": 1.0}])
    assert bad.value.details["field"] == "series.0.timestamp"
