"""legalize_window: each step of the issue's exact semantics, one example at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import pytest

from loadstar_core.postprocess import calendar_phases, legalize_window, prepare_contract
from loadstar_core.postprocess.legalize import window_report
from schemas.contracts import InferenceInput
from schemas.errors import InputMissingExceeds, InvalidInput, UnitInconsistent

from .builders import START, contract, iso, payload, rows

HOUR = timedelta(hours=1)


def legalize(series: list[dict[str, Any]], dep: Any = None, **fields: Any) -> Any:
    dep = dep or contract()
    return legalize_window(dep, payload(series, **fields), prepare_contract(dep))


def codes(result: Any) -> list[str]:
    return [w.code for w in result.warnings]


def test_complete_hourly_window() -> None:
    out = legalize(rows(6, value=[1.0, 2, 3, 4, 5, 6], temp=20.5, production=7))
    assert out.window.dtype == np.float32 and out.window.shape == (6, 3)
    assert out.window[:, 0].tolist() == [1, 2, 3, 4, 5, 6]
    assert out.grid_end_s == int((START + 5 * HOUR).timestamp())
    assert out.grid_start_s == int(START.timestamp())
    assert out.filled == {"load": 0, "temp": 0, "production": 0}
    assert out.warnings == [] and out.missing_ratio == 0.0
    assert out.horizon == 4 and out.unit == "kW"


def test_seed_003_form_is_the_same_request() -> None:
    series = rows(6, value=[1.0, 2, 3, 4, 5, 6], temp=20.5)
    dep = contract()
    plan = prepare_contract(dep)
    ours = legalize_window(dep, InferenceInput(series=series, horizon=2), plan)
    seed = msgspec.json.decode(
        msgspec.json.encode({"historical_data": series, "forecast_horizon": 2}), type=InferenceInput
    )
    theirs = legalize_window(dep, seed, plan)
    assert np.array_equal(ours.window, theirs.window)
    assert theirs.horizon == 2 and ours.warnings == theirs.warnings


def test_fifteen_minute_data_feeds_an_hourly_model() -> None:
    values = [float(i) for i in range(24)]  # 6 hours of 15-min readings
    out = legalize(rows(24, step=timedelta(minutes=15), value=values, temp=20.0))
    assert out.window[:, 0].tolist() == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5]  # means of 4
    assert out.filled["load"] == 0


def test_five_minute_readings_feed_a_ten_minute_model_on_ten_minute_buckets() -> None:
    dep = contract(frequency="10min", lookback=6, horizon=3, calendar=True)
    start = START + timedelta(minutes=5)  # 00:05 to 01:00: the buckets start at :00, :10, ...
    out = legalize(
        rows(
            12,
            step=timedelta(minutes=5),
            start=start,
            value=[float(i) for i in range(12)],
            temp=20.0,
        ),
        dep,
    )
    assert out.frequency_s == 600 and out.window.shape == (6, 3)
    # [00:10, 00:20) holds 1 and 2, ...; the last bucket, [01:00, 01:10), the reading 11
    assert out.window[:, 0].tolist() == [1.5, 3.5, 5.5, 7.5, 9.5, 11.0]
    assert out.grid_end_s == int((START + timedelta(hours=1)).timestamp())
    assert out.calendar is not None and out.calendar.shape == (9, 2)
    assert np.allclose(np.diff(out.calendar[:, 0]), 600 / 86_400, atol=1e-6)


def test_grid_is_epoch_anchored_and_ends_at_the_last_observation() -> None:
    start = START + timedelta(minutes=37)
    out = legalize(rows(6, start=start, value=1.0, temp=1.0))
    assert out.grid_end_s == int((START + 5 * HOUR).timestamp())  # floor(05:37) = 05:00


def test_offsets_are_honoured() -> None:
    series = [
        {"timestamp": "2025-07-01T02:00:00+02:00", "value": 10.0, "temp": 1.0},  # 00:00Z
        {"timestamp": "2025-07-01T01:30:00+01:00", "value": 20.0, "temp": 1.0},  # 00:30Z
        {"timestamp": "2025-06-30T20:00:00-05:00", "value": 30.0, "temp": 1.0},  # 01:00Z
    ]
    out = legalize(series, contract(lookback=2))
    assert out.window[:, 0].tolist() == [15.0, 30.0]
    assert out.grid_end_s == int((START + HOUR).timestamp())


def test_naive_timestamps_are_utc_with_a_warning() -> None:
    series = rows(6, value=1.0, temp=1.0)
    series[2]["timestamp"] = series[2]["timestamp"].removesuffix("Z")
    out = legalize(series)
    (warning,) = [w for w in out.warnings if w.code == "NAIVE_TIMESTAMP"]
    assert warning.details == {"count": 1}
    assert out.filled["load"] == 0


def test_duplicates_keep_the_last_row() -> None:
    series = rows(6, value=[1.0, 2, 3, 4, 5, 6], temp=1.0)
    series.append({"timestamp": series[3]["timestamp"], "value": 40.0, "temp": 1.0})
    series.append({"timestamp": series[3]["timestamp"], "value": 41.0, "temp": 1.0})
    out = legalize(series)
    assert out.window[3, 0] == 41.0
    (warning,) = [w for w in out.warnings if w.code == "DUPLICATE_TIMESTAMPS"]
    assert warning.details == {"count": 2}


def test_an_input_whose_only_values_a_later_duplicate_drops_counts_as_absent() -> None:
    series = rows(6, value=[1.0, 2, 3, 4, 5, 6], temp=1.0)
    series[2]["production"] = 9  # the only production value ...
    series.append({"timestamp": series[2]["timestamp"], "value": 30.0, "temp": 1.0})
    out = legalize(series)  # ... is in a row the repeat replaces
    assert out.window[:, 2].tolist() == [0.0] * 6 and out.window[2, 0] == 30.0
    assert codes(out) == ["DUPLICATE_TIMESTAMPS", "OPTIONAL_INPUT_ABSENT"]
    series = rows(6, value=1.0, temp=1.0)
    for row in series[:-1]:
        del row["temp"]
    series.append({"timestamp": series[-1]["timestamp"], "value": 2.0})
    with pytest.raises(InvalidInput) as info:
        legalize(series)  # temp's one value was replaced: a required input with none left
    assert info.value.details == {"field": "temp", "input": "temp"}


def test_rows_are_sorted() -> None:
    series = rows(6, value=[1.0, 2, 3, 4, 5, 6], temp=1.0)
    out = legalize(list(reversed(series)))
    assert out.window[:, 0].tolist() == [1, 2, 3, 4, 5, 6]


def test_caller_units_are_converted_to_model_units() -> None:
    out = legalize(rows(6, value=1500.0, temp=212.0), units={"value": "W", "temp": "°F"})
    assert out.window[0, 0] == pytest.approx(1.5)
    assert out.window[0, 1] == pytest.approx(100.0)
    assert out.unit == "W"  # the answer comes back in the caller's unit for the target
    assert out.output_conversion.factor == pytest.approx(1000.0)


def test_without_caller_units_the_answer_is_in_the_output_unit() -> None:
    dep = contract(target={"name": "load", "outputUnit": "MW"})
    out = legalize(rows(6, value=1500.0, temp=1.0), dep)
    assert out.unit == "MW" and out.output_conversion.factor == pytest.approx(1e-3)


# --- errors -------------------------------------------------------------------------


def test_required_input_absent_from_every_row() -> None:
    with pytest.raises(InvalidInput) as info:
        legalize(rows(6, value=1.0))
    assert info.value.details == {"field": "temp", "input": "temp"}


def test_non_numeric_value_names_row_and_field() -> None:
    series = rows(6, value=1.0, temp=1.0)
    series[4]["temp"] = "warm"
    with pytest.raises(InvalidInput) as info:
        legalize(series)
    assert info.value.details["row"] == 4 and info.value.details["field"] == "temp"


@pytest.mark.parametrize("bad", [True, "1.5", [1.0], {"v": 1}, float("inf"), 10**400])
def test_values_must_be_finite_numbers(bad: object) -> None:
    series = rows(6, value=1.0, temp=1.0)
    series[2]["value"] = bad
    with pytest.raises(InvalidInput) as info:
        legalize(series)
    assert info.value.details["row"] == 2 and info.value.details["field"] == "value"


def test_unparseable_timestamp_names_the_row() -> None:
    series = rows(6, value=1.0, temp=1.0)
    series[1]["timestamp"] = "2025-07-01T25:00:00Z"
    with pytest.raises(InvalidInput) as info:
        legalize(series)
    assert info.value.details["row"] == 1 and info.value.details["field"] == "timestamp"


@pytest.mark.parametrize("row", [["2025"], "text", 3, None])
def test_rows_must_be_objects(row: object) -> None:
    series: list[Any] = rows(6, value=1.0, temp=1.0)
    series[5] = row
    with pytest.raises(InvalidInput) as info:
        legalize(series)
    assert info.value.details["row"] == 5


def test_row_without_timestamp() -> None:
    series = rows(6, value=1.0, temp=1.0)
    del series[3]["timestamp"]
    with pytest.raises(InvalidInput) as info:
        legalize(series)
    assert info.value.details == {"row": 3, "field": "timestamp"}


def test_empty_series() -> None:
    with pytest.raises(InvalidInput) as info:
        legalize([])
    assert info.value.details == {"field": "series"}
    with pytest.raises(InvalidInput) as info:
        legalize_window(contract(), InferenceInput(), None)
    assert info.value.details == {"field": "series"}


def test_both_forms_at_once_are_ambiguous() -> None:
    series = rows(6, value=1.0, temp=1.0)
    with pytest.raises(InvalidInput):
        legalize_window(contract(), InferenceInput(series=series, historical_data=series))


@pytest.mark.parametrize(
    ("field", "value"), [("horizon", 0), ("horizon", 5), ("forecast_horizon", -1)]
)
def test_horizon_outside_range(field: str, value: int) -> None:
    with pytest.raises(InvalidInput) as info:
        legalize(rows(6, value=1.0, temp=1.0), **{field: value})
    assert info.value.details["field"] == field and info.value.details["max"] == 4


def test_horizon_truncates_and_defaults_to_the_model_horizon() -> None:
    assert legalize(rows(6, value=1.0, temp=1.0), horizon=2).horizon == 2
    assert legalize(rows(6, value=1.0, temp=1.0)).horizon == 4


def test_unknown_caller_unit_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as info:
        legalize(rows(6, value=1.0, temp=1.0), units={"value": "kw"})
    assert "case-sensitive" in info.value.message and info.value.details["field"] == "value"


def test_caller_unit_of_another_dimension_is_unit_inconsistent() -> None:
    with pytest.raises(UnitInconsistent) as info:
        legalize(rows(6, value=1.0, temp=1.0), units={"value": "degC"})
    assert info.value.details["field"] == "value"
    assert info.value.status == 422


def test_contract_with_a_bad_unit_is_refused_once() -> None:
    dep = contract(target={"name": "load", "outputUnit": "bar"})
    with pytest.raises(UnitInconsistent):
        prepare_contract(dep)


# --- missing data ---------------------------------------------------------------------


def test_missing_over_threshold() -> None:
    series = rows(6, value=[1.0, None, None, None, None, 6], temp=1.0)
    with pytest.raises(InputMissingExceeds) as info:
        legalize(series)
    assert info.value.details == {
        "input": "load", "missing": 4, "total": 6, "ratio": 4 / 6, "threshold": 0.5,
    }  # fmt: skip


def test_missing_exactly_at_threshold_passes() -> None:
    series = rows(6, value=[1.0, None, None, None, 5, 6], temp=1.0)
    out = legalize(series)  # 3 / 6 == 0.5
    assert out.missing_ratio == 0.5 and out.filled["load"] == 3


def test_linear_fill_interpolates_in_time() -> None:
    out = legalize(rows(6, value=[1.0, None, None, 4, 5, 6], temp=1.0))
    assert out.window[:, 0].tolist() == [1, 2, 3, 4, 5, 6]
    (warning,) = [w for w in out.warnings if w.code == "FILLED"]
    assert warning.details["filled"] == {"load": 2}


def test_linear_fill_uses_a_neighbour_before_the_window() -> None:
    # 8 hourly rows, window = last 6; hour 1 holds 10, hours 2-3 are empty.
    series = rows(8, value=[0.0, 10, None, None, 40, 50, 60, 70], temp=1.0)
    out = legalize(series)
    assert out.window[:, 0].tolist() == pytest.approx([20, 30, 40, 50, 60, 70])


def test_linear_fill_without_neighbours_takes_first_and_last_known() -> None:
    series = rows(6, value=[None, 2.0, 3, 4, None, None], temp=1.0)
    dep = contract(maxMissingRatio=1.0)
    out = legalize(series, dep)
    assert out.window[:, 0].tolist() == [2, 2, 3, 4, 4, 4]


def test_ffill_carries_the_last_known_value() -> None:
    dep = contract(fill="ffill", maxMissingRatio=1.0)
    out = legalize(rows(6, value=[None, 2.0, None, None, 5, None], temp=1.0), dep)
    assert out.window[:, 0].tolist() == [2, 2, 2, 2, 5, 5]


def test_ffill_uses_the_value_before_the_window() -> None:
    dep = contract(fill="ffill", maxMissingRatio=1.0)
    series = rows(8, value=[7.0, 9.0, None, None, 3, None, None, 4], temp=1.0)
    out = legalize(series, dep)
    assert out.window[:, 0].tolist() == [9, 9, 3, 3, 3, 4]


def test_nulls_are_missing_points() -> None:
    out = legalize(rows(6, value=1.0, temp=[1.0, None, 3.0, 4, 5, 6]))
    assert out.window[1, 1] == 2.0 and out.filled["temp"] == 1


def test_optional_input_absent_is_zero_with_a_warning() -> None:
    out = legalize(rows(6, value=1.0, temp=1.0))
    assert out.window[:, 2].tolist() == [0.0] * 6
    assert out.filled["production"] == 6
    (warning,) = [w for w in out.warnings if w.code == "OPTIONAL_INPUT_ABSENT"]
    assert warning.details == {"input": "production", "field": "production"}
    assert "FILLED" not in codes(out)


def test_optional_input_present_counts_towards_the_ratio() -> None:
    series = rows(6, value=1.0, temp=1.0, production=[1.0, None, None, None, None, 2])
    with pytest.raises(InputMissingExceeds) as info:
        legalize(series)
    assert info.value.details["input"] == "production"


# --- calendar -----------------------------------------------------------------------


def test_calendar_phases_follow_the_grid() -> None:
    dep = contract(lookback=3, horizon=2, calendar=True)
    monday = datetime(2025, 6, 30, tzinfo=UTC)  # a Monday
    phases = calendar_phases(int(monday.timestamp()), dep)
    assert phases.shape == (5, 2) and phases.dtype == np.float32
    assert phases[2].tolist() == [0.0, 0.0]  # the window's end: Monday 00:00
    assert phases[3, 0] == pytest.approx(1 / 24)
    assert phases[1, 0] == pytest.approx(23 / 24)  # Sunday 23:00
    assert phases[1, 1] == pytest.approx((7 * 24 - 1) / (7 * 24))
    assert float(phases.max()) < 1.0
    epoch = calendar_phases(0, contract(lookback=1, horizon=1, frequency="1d"))
    assert epoch[0, 1] == pytest.approx(3 / 7)  # 1970-01-01 was a Thursday


def test_calendar_is_attached_when_the_contract_asks() -> None:
    out = legalize(rows(6, value=1.0, temp=1.0), contract(calendar=True))
    assert out.calendar is not None and out.calendar.shape == (10, 2)
    assert legalize(rows(6, value=1.0, temp=1.0)).calendar is None


def test_window_report_is_json_ready() -> None:
    out = legalize(rows(6, value=0.1, temp=1.0), contract(calendar=True))
    report = msgspec.json.decode(msgspec.json.encode(window_report(out)))
    assert report["window"][0] == [0.1, 1.0, 0.0]  # float32 printed in its shortest form
    assert report["gridStart"] == iso(START) and report["gridEnd"] == iso(START + 5 * HOUR)
    assert len(report["calendar"]) == 10


def test_a_reading_past_float32_reaches_the_model_as_inf_without_a_warning() -> None:
    """The exported model mends a reading far outside its training range (an inf included),
    so the window carries it, and numpy's overflow warning is not raised for it."""
    values = [1.0, 2.0, 3.0, 4e38, 5.0, 6.0]  # 4e38 kW does not fit float32
    out = legalize(rows(6, value=values, temp=20.5, production=7))  # warnings are errors here
    assert np.isinf(out.window[3, 0]) and np.isfinite(np.delete(out.window, 3, axis=0)).all()
