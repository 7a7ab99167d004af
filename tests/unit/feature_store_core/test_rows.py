"""Rows checked against a group's features: a bad row refuses the batch and is named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.feature_store.rows import FeatureSpec, check_rows
from schemas.errors import InvalidInput, UnitInconsistent

FEATURES = {
    "power": FeatureSpec(dtype="float64", unit="kW"),
    "count": FeatureSpec(dtype="int64"),
    "running": FeatureSpec(dtype="bool"),
    "shift": FeatureSpec(dtype="string"),
}


def row(**values: object) -> dict[str, object]:
    return {"entity": "m1", "eventTime": "2026-01-01T01:00:00+01:00", "values": values}


def test_good_rows_are_typed_and_in_utc() -> None:
    [r] = check_rows(FEATURES, [row(power=1.5, count=3, running=True, shift="a")])
    assert r.event_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert r.values == {"power": 1.5, "count": 3, "running": True, "shift": "a"}


def test_units_convert_to_the_features_unit() -> None:
    [r] = check_rows(FEATURES, [row(power=2500.0)], {"power": "W"})
    assert r.values["power"] == pytest.approx(2.5)
    with pytest.raises(UnitInconsistent):
        check_rows(FEATURES, [row(power=1.0)], {"power": "degC"})


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (row(nope=1.0), "values.nope"),
        (row(power="high"), "values.power"),
        (row(count=1.5), "values.count"),
        (row(running=1), "values.running"),
        ({"entity": "m1", "eventTime": "yesterday", "values": {"power": 1.0}}, "eventTime"),
        ({"entity": "", "eventTime": "2026-01-01T00:00:00Z", "values": {"power": 1.0}}, "entity"),
    ],
)
def test_a_bad_row_is_named(bad: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_rows(FEATURES, [row(power=1.0), bad])
    assert err.value.details["row"] == 1 and err.value.details["field"] == field


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=20))
def test_numbers_pass_through_in_their_own_unit(values: list[float]) -> None:
    rows = [row(power=v) for v in values]
    assert [r.values["power"] for r in check_rows(FEATURES, rows)] == values
