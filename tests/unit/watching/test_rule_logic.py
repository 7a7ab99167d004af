"""The pure half of metric alert rules: when a value breaches, defaults, the sentence sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.watching.alerting import settings_of, transition_message
from control_plane.watching.rules import breached

shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(value=shares, threshold=st.floats(min_value=0.01, max_value=1.0))
def test_coverage_breaches_exactly_below_its_threshold(value: float, threshold: float) -> None:
    assert breached("coverage", value, threshold, 1440) == (value < threshold)


@given(ratio=st.floats(min_value=0.0, max_value=50.0), threshold=st.floats(0.1, 10.0))
def test_mae_breaches_exactly_above_its_threshold(ratio: float, threshold: float) -> None:
    assert breached("mae_vs_naive", ratio, threshold, 1440) == (ratio > threshold)


@given(minutes=st.floats(min_value=0.0, max_value=1e5), window=st.integers(1, 10_000))
def test_no_data_breaches_once_the_silence_lasts_the_window(minutes: float, window: int) -> None:
    assert breached("no_data", minutes, None, window) == (minutes >= window)


def test_defaults_fill_what_the_rule_leaves_out() -> None:
    assert settings_of("coverage", None, None) == (0.8, 1440)
    assert settings_of("mae_vs_naive", 1.5, None) == (1.5, 1440)
    assert settings_of("no_data", None, 15) == (None, 15)


COVERAGE = "Live coverage of [p05, p95] is "
MAE = "Live MAE is "


@pytest.mark.parametrize(
    ("kind", "state", "value", "expected"),
    [
        ("coverage", "fired", 0.62, COVERAGE + "62% over the last 24 h (below 80%)"),
        ("coverage", "resolved", 0.91, COVERAGE + "91% over the last 24 h (back in range)"),
        ("mae_vs_naive", "fired", 1.234, MAE + "1.23x the seasonal naive's over the last 24 h "
         "(worse than 1x)"),
        ("no_data", "fired", 95.4, "No readings for 95 min (rule: 1440 min)"),
        ("no_data", "resolved", 0.5, "Readings arrive again"),
    ],
)  # fmt: skip
def test_the_sentence_says_what_happened(
    kind: str, state: str, value: float, expected: str
) -> None:
    threshold = {"coverage": 0.8, "mae_vs_naive": 1.0}.get(kind)
    rule = {"threshold": threshold, "window_minutes": 1440}
    assert transition_message(kind, state, value, rule) == expected
