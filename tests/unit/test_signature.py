"""The serving signature helpers shared by the worker and the control plane."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.signature import quantile_label


@given(st.integers(1, 99))
def test_whole_percent_levels_are_two_digit_labels(k: int) -> None:
    assert quantile_label(k / 100) == f"p{k:02d}"


@given(st.sampled_from([0.025, 0.975, 0.001]))
def test_fractional_levels_keep_their_decimals(level: float) -> None:
    label = quantile_label(level)
    assert label.startswith("p") and float(label[1:]) == level * 100
