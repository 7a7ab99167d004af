"""msgspec's validation messages in plain words, naming the field."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.plain_words import plain_validation
from schemas.feature_plan import FeaturePlan


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Expected `int` >= 1 - at `$.epochs`", "epochs must be a whole number, at least 1"),
        (
            "Expected `int`, got `str` - at `$.ops[0].lags[1]`",
            "ops[0].lags[1] must be a whole number, not text",
        ),
        ("Object missing required field `stage`", "stage is required"),
        ("Object contains unknown field `colour`", "colour is not a field this request takes"),
        (
            "Expected `str` of length >= 1 - at `$.name`",
            "name must be text of at least 1 character",
        ),
        ("Invalid enum value 'Live' - at `$.stage`", "stage cannot be 'Live'"),
        ("something else entirely", "something else entirely"),
    ],
)
def test_messages_in_plain_words(raw: str, plain: str) -> None:
    assert plain_validation(raw) == plain


def test_a_framework_key_names_the_field() -> None:
    assert plain_validation("Expected `float` <= 1.0", "data.maxMissingRatio") == (
        "maxMissingRatio must be a number, at most 1.0"
    )


def test_a_bad_lag_is_named_by_its_place() -> None:
    body = {
        "datasetId": "d",
        "target": "y",
        "inputs": [{"name": "y"}],
        "frequency": "1h",
        "lookback": 48,
        "horizon": 24,
        "ops": [{"op": "lag", "input": "y", "lags": [1, -3]}],
    }
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(body, FeaturePlan)
    assert (
        plain_validation(str(caught.value)) == "ops[0].lags[1] must be a whole number, at least 1"
    )


@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=30)))
def test_never_fails_and_always_says_something(raw: str, key: str | None) -> None:
    out = plain_validation(raw, key)
    assert isinstance(out, str)
    assert out == raw or out
