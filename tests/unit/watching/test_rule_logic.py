"""The pure half of metric alert rules: when a value breaches, defaults, the sentence sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.watching.alerting import (
    ALERT_MESSAGES,
    event_text,
    settings_of,
    transition_message,
    transition_text,
)
from control_plane.watching.rules import breached
from schemas.watching import AnomalyEvent, EventRecord

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


@pytest.mark.parametrize(
    ("kind", "state", "value", "code", "params"),
    [
        ("coverage", "fired", 0.62, "coverageFired",
         {"value": "62%", "window": "24 h", "threshold": "80%"}),
        ("mae_vs_naive", "resolved", 0.9, "maeResolved",
         {"value": "0.90", "window": "24 h", "threshold": "1"}),
        ("no_data", "fired", 95.4, "noDataFired", {"minutes": "95", "rule": "1440"}),
        ("no_data", "resolved", None, "noDataResolved", {"minutes": "?", "rule": "1440"}),
    ],
)  # fmt: skip
def test_the_sentence_has_a_code_and_parameters(
    kind: str, state: str, value: float | None, code: str, params: dict[str, str]
) -> None:
    threshold = {"coverage": 0.8, "mae_vs_naive": 1.0}.get(kind)
    text = transition_text(kind, state, value, {"threshold": threshold, "window_minutes": 1440})
    assert (text.code, text.params) == (code, params)
    assert text.message == ALERT_MESSAGES[code].format(**params)


def _console_words(lang: str) -> dict[str, str]:
    """The console's `alertMessages` group of one language file."""
    source = (Path(__file__).parents[3] / "web" / "src" / "i18n" / f"{lang}.ts").read_text()
    block = source[
        source.index("  alertMessages: {") : source.index(
            "\n  },", source.index("  alertMessages: {")
        )
    ]
    found = re.findall(r"(\w+): '((?:[^'\\]|\\.)*)'", block)
    return {key: text.replace("\\'", "'") for key, text in found}


def test_the_console_words_every_code_and_says_the_same_in_english() -> None:
    en, zh = _console_words("en"), _console_words("zh-CN")
    assert {k: en[k] for k in ALERT_MESSAGES} == ALERT_MESSAGES
    assert set(zh) == set(en) and "anomalyEvent" in en
    for key, text in en.items():  # the same parameters in both languages
        assert set(re.findall(r"\{(\w+)\}", zh[key])) == set(re.findall(r"\{(\w+)\}", text))


def test_an_anomaly_event_says_its_reason_and_is_worded_from_its_kind_and_span() -> None:
    event = AnomalyEvent(
        kind="spike", start="2025-07-03T15:00:00Z", end="2025-07-03T15:15:00Z", readings=2,
        durationMinutes=30.0, peak=943.0, peakAt="2025-07-03T15:00:00Z", expected=410.0,
        energyAboveExpectedKWh=133.0, score=32.0, unit="kW",
        reason="Spike: load 2.3x the expected 410 kW for 30 min",
    )  # fmt: skip
    text = event_text(EventRecord(deploymentId="dep-1", event=event))
    assert text.message == event.reason and text.code == "anomalyEvent"
    assert text.params == {
        "kind": "spike", "start": event.start, "end": event.end, "minutes": "30",
    }  # fmt: skip
